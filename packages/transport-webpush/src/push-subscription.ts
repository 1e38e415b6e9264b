/**
 * A Web Push endpoint is its browser's `PushSubscription`, as `JSON.stringify` of it
 * (or `subscription.toJSON()`) gives it, stored as the Herald subscription's `address`:
 * `{"endpoint":"https://…","expirationTime":null,"keys":{"p256dh":"…","auth":"…"}}`.
 * Judged from the subscription alone (no DNS, no request), by `checkEndpoint` at
 * `subscriptions.create` and by `send` for subscriptions stored before.
 */
import { EndpointProblem, urlHostRefusal, type AddressGuard } from '@herald/core/transport';
import { base64urlBytes, p256PointProblem } from './base64url.js';

/** A browser's push subscription, the part a push needs. */
export interface PushSubscriptionJSON {
  /** The push resource (RFC 8030 §4): an https URL at the browser's push service. */
  readonly endpoint: string;
  readonly keys: {
    /** The browser's P-256 public key (RFC 8291 §3.1): 65 bytes, base64url. */
    readonly p256dh: string;
    /** The authentication secret (RFC 8291 §3.2): 16 bytes, base64url. */
    readonly auth: string;
  };
}

const shape = 'give the browser\u2019s PushSubscription as JSON: {"endpoint":"https://…","keys":{"p256dh":"…","auth":"…"}}';

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function endpointUrl(endpoint: unknown): URL {
  if (typeof endpoint !== 'string') throw new EndpointProblem('address', `endpoint must be a string; ${shape}`);
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new EndpointProblem('address', `endpoint ${JSON.stringify(endpoint.slice(0, 200))} is not an absolute URL`);
  }
  // RFC 8030 §4 and RFC 8292 need a secure push resource; browsers only give https ones.
  if (url.protocol !== 'https:') throw new EndpointProblem('address', `endpoint must be an https URL (RFC 8030), not ${url.protocol}`);
  if (url.username !== '' || url.password !== '') throw new EndpointProblem('address', 'endpoint must not carry credentials');
  return url;
}

function key(keys: Record<string, unknown>, name: 'p256dh' | 'auth', bytes: number, what: string): Buffer {
  const decoded = base64urlBytes(keys[name], bytes, what);
  if (typeof decoded === 'string') throw new EndpointProblem('address', `keys.${name} ${decoded}`);
  return decoded;
}

/**
 * The subscription in `address`, its keys re-encoded as web-push wants them (unpadded).
 * @throws EndpointProblem (`address`) naming the field: not JSON, no https `endpoint`, a
 *   literal address the guard refuses, `keys.p256dh` not a 65-byte P-256 point, `keys.auth`
 *   not 16 bytes.
 */
export function parsePushSubscription(address: string, guard: AddressGuard): { readonly subscription: PushSubscriptionJSON; readonly url: URL } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(address);
  } catch {
    throw new EndpointProblem('address', `not JSON; ${shape}`);
  }
  const given = record(parsed);
  if (given === undefined) throw new EndpointProblem('address', `not a JSON object; ${shape}`);
  const url = endpointUrl(given['endpoint']);
  const refusal = urlHostRefusal(url, guard);
  if (refusal !== undefined) throw new EndpointProblem('address', `endpoint: ${refusal}`);
  const keys = record(given['keys']);
  if (keys === undefined) throw new EndpointProblem('address', `keys is missing; ${shape}`);
  const p256dh = key(keys, 'p256dh', 65, 'an uncompressed P-256 public key');
  const point = p256PointProblem(p256dh);
  if (point !== undefined) throw new EndpointProblem('address', `keys.p256dh ${point}`);
  const auth = key(keys, 'auth', 16, 'the authentication secret');
  return { subscription: { endpoint: url.href, keys: { p256dh: p256dh.toString('base64url'), auth: auth.toString('base64url') } }, url };
}
