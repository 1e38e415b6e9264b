/**
 * Idempotency fingerprints: what tells a repeat of a send from a different send under
 * the same key. The fingerprint is taken of the request as the caller gave it, in the
 * JSON Canonicalization Scheme (RFC 8785: sorted keys, one number form, no whitespace),
 * before any defaulting or clamping — so it depends on what the request means, not on
 * when it is repeated (a default expiry, a `sendAt` raised to now) nor on its bytes
 * (key order, spacing, a date given as a `Date` or as epoch ms).
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { HeraldError } from './errors.js';

/** The parts of a send that shape its result. */
export interface FingerprintedRequest {
  /** The user the notification goes to (resolved from a subscription id when needed). */
  readonly userId: string;
  /** The caller's id, when the send names one. */
  readonly callerId: string | undefined;
  /** The notification request exactly as given (already checked against the contract). */
  readonly notification: unknown;
  /** `sendAt` as given, in epoch ms, before it is raised to now; `undefined` when absent. */
  readonly sendAt: number | undefined;
}

/** A SHA-256 digest (base64url) of the request's canonical JSON. */
export function fingerprintOf(request: FingerprintedRequest): string {
  const canonical = canonicalize([request.userId, request.callerId ?? null, request.notification, request.sendAt ?? null]);
  if (canonical === undefined) throw new HeraldError('INVALID_ARGUMENT', 'the notification request cannot be written as JSON');
  return createHash('sha256').update(canonical).digest('base64url');
}
