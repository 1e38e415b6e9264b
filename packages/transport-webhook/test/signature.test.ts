import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { generateWebhookSecret, secretKey, verifyWebhook, WebhookSecretError, WebhookVerificationError } from '@herald/transport-webhook';
import { signatureHeader } from '../src/signature.js';

const now = Date.parse('2026-01-01T00:00:00Z');
const seconds = Math.floor(now / 1000);
const body = JSON.stringify({ type: 'notification.created', timestamp: '2026-01-01T00:00:00.000Z', data: { id: 'n1', title: 'Grüße' } });

function headersFor(secrets: string[], id = 'd-1', timestamp = seconds, text = body): Record<string, string> {
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signatureHeader(secrets.map(secretKey), id, timestamp, text) };
}

function refusal(run: () => unknown): WebhookVerificationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookVerificationError);
    return error as WebhookVerificationError;
  }
  throw new Error('accepted');
}

describe('Standard Webhooks signatures', () => {
  it('are verified by the standardwebhooks package', () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const headers = headersFor([secret], 'd-1', Math.floor(Date.now() / 1000));
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('verify the standardwebhooks package’s signatures', () => {
    const secret = generateWebhookSecret();
    const signature = new Webhook(secret).sign('msg_1', new Date(now), body);
    const verified = verifyWebhook(secret, { 'webhook-id': 'msg_1', 'webhook-timestamp': String(seconds), 'webhook-signature': signature }, body, { now });
    expect(verified).toEqual({ id: 'msg_1', timestamp: seconds, payload: JSON.parse(body) });
  });

  it('carry one signature per secret, so secrets rotate without downtime', () => {
    const [oldSecret, newSecret] = [generateWebhookSecret(), generateWebhookSecret()];
    const headers = headersFor([newSecret, oldSecret]);
    expect(headers['webhook-signature']?.split(' ')).toHaveLength(2);
    expect(verifyWebhook(oldSecret, headers, body, { now }).id).toBe('d-1');
    expect(verifyWebhook(newSecret, headers, body, { now }).id).toBe('d-1');
    expect(verifyWebhook([generateWebhookSecret(), newSecret], headersFor([newSecret]), body, { now }).id).toBe('d-1');
    expect(refusal(() => verifyWebhook(generateWebhookSecret(), headers, body, { now })).code).toBe('WEBHOOK_SIGNATURE_INVALID');
  });

  it('refuse a changed body, id or timestamp', () => {
    const secret = generateWebhookSecret();
    const headers = headersFor([secret]);
    expect(refusal(() => verifyWebhook(secret, headers, body.replace('Grüße', 'Grusse'), { now })).code).toBe('WEBHOOK_SIGNATURE_INVALID');
    expect(refusal(() => verifyWebhook(secret, { ...headers, 'webhook-id': 'd-2' }, body, { now })).code).toBe('WEBHOOK_SIGNATURE_INVALID');
    expect(refusal(() => verifyWebhook(secret, { ...headers, 'webhook-timestamp': String(seconds + 1) }, body, { now })).code).toBe('WEBHOOK_SIGNATURE_INVALID');
  });

  it('refuse timestamps outside the tolerance, five minutes by default', () => {
    const secret = generateWebhookSecret();
    expect(verifyWebhook(secret, headersFor([secret], 'd', seconds - 300), body, { now }).id).toBe('d');
    expect(refusal(() => verifyWebhook(secret, headersFor([secret], 'd', seconds - 301), body, { now })).code).toBe('WEBHOOK_TIMESTAMP_TOO_OLD');
    expect(refusal(() => verifyWebhook(secret, headersFor([secret], 'd', seconds + 301), body, { now })).code).toBe('WEBHOOK_TIMESTAMP_TOO_NEW');
    expect(verifyWebhook(secret, headersFor([secret], 'd', seconds - 3000), body, { now, toleranceSeconds: 3600 }).id).toBe('d');
  });

  it('refuse missing or malformed headers and a body that is not JSON', () => {
    const secret = generateWebhookSecret();
    const headers = headersFor([secret]);
    expect(refusal(() => verifyWebhook(secret, { 'webhook-id': 'd' }, body, { now })).code).toBe('WEBHOOK_HEADERS_MISSING');
    expect(refusal(() => verifyWebhook(secret, { ...headers, 'webhook-timestamp': '1e9' }, body, { now })).code).toBe('WEBHOOK_TIMESTAMP_INVALID');
    expect(refusal(() => verifyWebhook(secret, { ...headers, 'webhook-signature': 'v2,abc v1' }, body, { now })).code).toBe('WEBHOOK_SIGNATURE_INVALID');
    const notJson = headersFor([secret], 'd', seconds, 'not json');
    expect(refusal(() => verifyWebhook(secret, notJson, 'not json', { now })).code).toBe('WEBHOOK_PAYLOAD_INVALID');
  });

  it('read headers from a fetch Headers object and a raw Buffer body', () => {
    const secret = generateWebhookSecret();
    const headers = new Headers(headersFor([secret]));
    expect(verifyWebhook(secret, headers, Buffer.from(body), { now }).payload).toEqual(JSON.parse(body));
  });

  it('refuse malformed secrets as configuration errors', () => {
    expect(() => secretKey('whsec_not base64!')).toThrow(WebhookSecretError);
    expect(() => secretKey(`whsec_${Buffer.alloc(8).toString('base64')}`)).toThrow(/24 to 64 bytes/);
    expect(secretKey(generateWebhookSecret().slice('whsec_'.length))).toHaveLength(32);
  });
});
