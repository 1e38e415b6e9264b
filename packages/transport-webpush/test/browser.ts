/**
 * A browser's side of Web Push, written from the RFCs with node:crypto alone (no code
 * shared with web-push, so the transport's encryption is checked, not echoed): a
 * subscription's key pair and auth secret, the aes128gcm decryption of RFC 8291 §3.4 and
 * RFC 8188 §2, and the VAPID token check of RFC 8292 §2–3.
 */
import { createDecipheriv, createECDH, createPublicKey, hkdfSync, randomBytes, verify, type ECDH } from 'node:crypto';

/** A browser's push subscription: what it gives the app, and the secrets it keeps. */
export interface BrowserSubscription {
  /** `JSON.stringify(pushSubscription)`: a Herald subscription's `address`. */
  readonly address: string;
  readonly endpoint: string;
  readonly keys: ECDH;
  readonly auth: Buffer;
}

/** A new subscription at `endpoint`, as `pushManager.subscribe()` makes one. */
export function subscribe(endpoint: string): BrowserSubscription {
  const keys = createECDH('prime256v1');
  keys.generateKeys();
  const auth = randomBytes(16);
  const json = { endpoint, expirationTime: null, keys: { p256dh: keys.getPublicKey().toString('base64url'), auth: auth.toString('base64url') } };
  return { address: JSON.stringify(json), endpoint, keys, auth };
}

/**
 * The plaintext of an aes128gcm body (one record, as a push message is).
 * @throws when the body does not decrypt (wrong keys, a changed byte, bad padding).
 */
export function decrypt(body: Buffer, subscription: BrowserSubscription): string {
  const salt = body.subarray(0, 16);
  const recordSize = body.readUInt32BE(16);
  const idLength = body[20] ?? 0;
  const serverKey = body.subarray(21, 21 + idLength);
  const record = body.subarray(21 + idLength);
  if (idLength !== 65) throw new Error(`keyid must be the server's 65-byte public key, is ${idLength} bytes`);
  if (record.length > recordSize) throw new Error(`a push message is one record, of at most rs = ${recordSize} bytes`);
  const shared = subscription.keys.computeSecret(serverKey);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), subscription.keys.getPublicKey(), serverKey]);
  const ikm = Buffer.from(hkdfSync('sha256', shared, subscription.auth, keyInfo, 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(record.subarray(record.length - 16));
  const padded = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end -= 1;
  // The last record's delimiter is 0x02 (RFC 8188 §2).
  if (padded[end] !== 2) throw new Error('the record does not end with the last-record delimiter 0x02');
  return padded.subarray(0, end).toString('utf8');
}

/** A verified VAPID token's claims and key. */
export interface VapidClaims {
  readonly aud: string;
  readonly exp: number;
  readonly sub: string;
  /** The application server's public key (`k`), base64url. */
  readonly k: string;
}

/**
 * Verifies `Authorization: vapid t=<JWT>, k=<key>` (RFC 8292 §3): an ES256 JWT signed
 * by the key in `k`. Returns its claims; the caller judges `aud` and `exp`.
 * @throws when the header is malformed or the signature does not verify.
 */
export function verifyVapid(header: string | undefined): VapidClaims {
  const match = /^vapid t=([\w-]+\.[\w-]+\.[\w-]+), k=([\w-]+)$/.exec(header ?? '');
  if (match === null) throw new Error(`not a vapid authorization: ${JSON.stringify(header)}`);
  const [, token = '', k = ''] = match;
  const [head = '', claims = '', signature = ''] = token.split('.');
  const algorithm = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as { alg?: string; typ?: string };
  if (algorithm.alg !== 'ES256') throw new Error(`the JWT must be ES256, is ${algorithm.alg}`);
  const point = Buffer.from(k, 'base64url');
  if (point.length !== 65 || point[0] !== 4) throw new Error('k must be an uncompressed P-256 point');
  const key = createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') },
    format: 'jwk',
  });
  const valid = verify('sha256', Buffer.from(`${head}.${claims}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
  if (!valid) throw new Error('the JWT signature does not verify with k');
  return { ...(JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) as Omit<VapidClaims, 'k'>), k };
}
