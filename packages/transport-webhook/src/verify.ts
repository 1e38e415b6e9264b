/**
 * `verifyWebhook`, for receivers: checks a Standard Webhooks request (Herald's, or any
 * other sender's) in constant time, within a timestamp tolerance against replays.
 */
import { timingSafeEqual } from 'node:crypto';
import { optionError, checkOptionsObject } from '@herald/core/transport';
import { secretKey } from './secret.js';
import { signatureOf } from './signature.js';

/** Why a webhook was refused. */
export const webhookVerificationCodes = [
  'WEBHOOK_HEADERS_MISSING',
  'WEBHOOK_TIMESTAMP_INVALID',
  'WEBHOOK_TIMESTAMP_TOO_OLD',
  'WEBHOOK_TIMESTAMP_TOO_NEW',
  'WEBHOOK_SIGNATURE_INVALID',
  'WEBHOOK_PAYLOAD_INVALID',
] as const;
/** Why a webhook was refused. */
export type WebhookVerificationCode = (typeof webhookVerificationCodes)[number];

/** A webhook that failed verification; answer it with 400 or 401 and do not process it. */
export class WebhookVerificationError extends Error {
  /** A stable code. */
  readonly code: WebhookVerificationCode;

  constructor(code: WebhookVerificationCode, message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
    this.code = code;
  }
}

/** Headers as node:http, fetch or Express hand them over. */
export type WebhookHeaders =
  | { get(name: string): string | null }
  | Readonly<Record<string, string | readonly string[] | undefined>>;

/** Options of {@link verifyWebhook}. */
export interface VerifyOptions {
  /**
   * How far the `webhook-timestamp` may be from now, in seconds.
   * @default 300
   */
  readonly toleranceSeconds?: number;
  /**
   * The current time, in epoch milliseconds.
   * @default Date.now()
   */
  readonly now?: number;
}

/** What a verified webhook says. */
export interface VerifiedWebhook<T = unknown> {
  /** `webhook-id`: the delivery's stable id; deduplicate on it. */
  readonly id: string;
  /** `webhook-timestamp`, in Unix seconds. */
  readonly timestamp: number;
  /** The parsed JSON body. */
  readonly payload: T;
}

/** The options with their defaults; a wrong one is a programmer's error, refused at once. */
function checkVerifyOptions(options: VerifyOptions): Required<VerifyOptions> {
  checkOptionsObject('transport-webhook', 'verifyWebhook options', options, ['toleranceSeconds', 'now']);
  const { toleranceSeconds = 300, now = Date.now() } = options;
  if (typeof toleranceSeconds !== 'number' || !Number.isFinite(toleranceSeconds) || toleranceSeconds < 0) {
    throw optionError('transport-webhook', `toleranceSeconds must be a number of seconds, at least 0, got ${String(toleranceSeconds)}`);
  }
  if (typeof now !== 'number' || !Number.isFinite(now)) throw optionError('transport-webhook', `now must be a time in epoch milliseconds, got ${String(now)}`);
  return { toleranceSeconds, now };
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  const value = record[name] ?? Object.entries(record).find(([key]) => key.toLowerCase() === name)?.[1];
  return Array.isArray(value) ? value[0] : (value as string | undefined);
}

/**
 * Verifies a webhook request and returns its id, timestamp and parsed body.
 *
 * `secret` is the endpoint's `whsec_` secret, or several while rotating. `body` must be
 * the raw body exactly as received: parsing and re-serializing JSON breaks signatures.
 *
 * @throws WebhookVerificationError with a stable `code`.
 * @throws WebhookSecretError when a secret is malformed (a configuration error).
 * @throws TypeError (`code` `INVALID_OPTION`) for an unknown option, a negative or
 *   non-finite `toleranceSeconds`, or a `now` that is not a finite number.
 */
export function verifyWebhook<T = unknown>(
  secret: string | readonly string[],
  headers: WebhookHeaders,
  body: string | Uint8Array,
  options: VerifyOptions = {},
): VerifiedWebhook<T> {
  const { toleranceSeconds: tolerance, now } = checkVerifyOptions(options);
  const keys = (typeof secret === 'string' ? [secret] : secret).map(secretKey);
  const id = header(headers, 'webhook-id');
  const timestampText = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (id === undefined || timestampText === undefined || signatures === undefined) {
    throw new WebhookVerificationError('WEBHOOK_HEADERS_MISSING', 'the request lacks webhook-id, webhook-timestamp or webhook-signature');
  }
  if (!/^\d{1,12}$/.test(timestampText)) {
    throw new WebhookVerificationError('WEBHOOK_TIMESTAMP_INVALID', 'webhook-timestamp must be Unix seconds');
  }
  const timestamp = Number(timestampText);
  const nowSeconds = Math.floor(now / 1000);
  if (timestamp < nowSeconds - tolerance) {
    throw new WebhookVerificationError('WEBHOOK_TIMESTAMP_TOO_OLD', `the webhook is more than ${tolerance} seconds old: a replay, or a clock out of sync`);
  }
  if (timestamp > nowSeconds + tolerance) {
    throw new WebhookVerificationError('WEBHOOK_TIMESTAMP_TOO_NEW', `the webhook is dated more than ${tolerance} seconds ahead: a clock out of sync`);
  }
  const raw = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const expected = keys.map((key) => Buffer.from(signatureOf(key, id, timestamp, raw), 'base64'));
  let matched = false;
  for (const entry of signatures.split(' ')) {
    const [version, encoded] = entry.split(',', 2);
    if (version !== 'v1' || encoded === undefined) continue;
    const given = Buffer.from(encoded, 'base64');
    // Compare against every key without stopping early: the time taken says nothing.
    for (const candidate of expected) {
      if (given.length === candidate.length && timingSafeEqual(given, candidate)) matched = true;
    }
  }
  if (!matched) throw new WebhookVerificationError('WEBHOOK_SIGNATURE_INVALID', 'no signature matches: the body was changed, or the secret is not this endpoint’s');
  try {
    return { id, timestamp, payload: JSON.parse(raw.toString('utf8')) as T };
  } catch (error) {
    throw new WebhookVerificationError('WEBHOOK_PAYLOAD_INVALID', `the body is not JSON: ${(error as Error).message}`);
  }
}
