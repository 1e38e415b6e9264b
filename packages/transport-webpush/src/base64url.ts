/**
 * Keys in Web Push travel as base64url (RFC 4648 §5): VAPID keys (RFC 8292 §3.2) and a
 * subscription's `p256dh` and `auth` (RFC 8291 §3.2, as `PushSubscription.toJSON()` gives
 * them). Read strictly: a stray character or a wrong length is a mistake to report, not
 * something `Buffer.from` may quietly skip.
 */
import { ECDH } from 'node:crypto';

/** The bytes of base64url text (padding allowed), or a reason it is not that. */
export function base64urlBytes(text: unknown, bytes: number, what: string): Buffer | string {
  if (typeof text !== 'string') return `must be base64url text of ${bytes} bytes, got ${text === null ? 'null' : typeof text}`;
  const bare = text.replace(/={1,2}$/, '');
  if (!/^[A-Za-z0-9_-]*$/.test(bare)) return `must be base64url (A–Z, a–z, 0–9, - and _), got ${JSON.stringify(text.slice(0, 100))}`;
  const decoded = Buffer.from(bare, 'base64url');
  if (decoded.length !== bytes) return `must be ${bytes} bytes (${what}), got ${decoded.length}`;
  return decoded;
}

/** Why `key` is not an uncompressed point on P-256, or `undefined` when it is one. */
export function p256PointProblem(key: Buffer): string | undefined {
  if (key[0] !== 0x04) return 'must be an uncompressed P-256 point (its first byte 0x04)';
  try {
    ECDH.convertKey(key, 'prime256v1');
    return undefined;
  } catch {
    return 'is not a point on the P-256 curve';
  }
}
