/**
 * The Standard Webhooks signature: HMAC-SHA256 over `id.timestamp.body`, sent as
 * `v1,<base64>`, one entry per active secret so secrets rotate without downtime.
 */
import { createHmac } from 'node:crypto';

/** The signature of one message with one key, without the `v1,` prefix. */
export function signatureOf(key: Buffer, id: string, timestamp: number, body: string | Buffer): string {
  return createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64');
}

/** The `webhook-signature` header: `v1,<sig>` for each key, separated by spaces. */
export function signatureHeader(keys: readonly Buffer[], id: string, timestamp: number, body: string | Buffer): string {
  return keys.map((key) => `v1,${signatureOf(key, id, timestamp, body)}`).join(' ');
}
