/**
 * Webhook signing secrets in the Standard Webhooks format: `whsec_` followed by the
 * base64 of 24 to 64 random bytes.
 */
import { randomBytes } from 'node:crypto';

/** The prefix of a symmetric signing secret. */
export const secretPrefix = 'whsec_';
const minSecretBytes = 24;
const maxSecretBytes = 64;

/** Why a secret was refused. */
export class WebhookSecretError extends TypeError {
  constructor(message: string) {
    super(`[herald] [transport-webhook] ${message}`);
    this.name = 'WebhookSecretError';
  }
}

/**
 * The key bytes of a `whsec_` secret. The prefix may be left out, as the reference
 * libraries allow.
 * @throws WebhookSecretError when the text is not a secret of 24–64 bytes.
 */
export function secretKey(secret: string): Buffer {
  const encoded = secret.startsWith(secretPrefix) ? secret.slice(secretPrefix.length) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 !== 0) {
    throw new WebhookSecretError('a signing secret must be "whsec_" followed by base64; create one with generateWebhookSecret()');
  }
  const key = Buffer.from(encoded, 'base64');
  if (key.length < minSecretBytes || key.length > maxSecretBytes) {
    throw new WebhookSecretError(`a signing secret must hold ${minSecretBytes} to ${maxSecretBytes} bytes; this one holds ${key.length}`);
  }
  return key;
}

/** A new random signing secret (32 bytes), in the `whsec_` format. */
export function generateWebhookSecret(): string {
  return secretPrefix + randomBytes(32).toString('base64');
}

/** The secrets in a subscription's `secret`: one, or several separated by spaces while rotating. */
export function splitSecrets(secret: string | undefined): string[] {
  return secret === undefined ? [] : secret.split(/\s+/).filter((part) => part.length > 0);
}
