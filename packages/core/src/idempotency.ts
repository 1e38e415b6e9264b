/**
 * Idempotency fingerprints: what tells a repeat of a send from a different send under
 * the same key. The fingerprint is taken of what the request means, in the JSON
 * Canonicalization Scheme (RFC 8785: sorted keys, one number form, no whitespace):
 * the contract's normal form of the notification (platform names lower-case and as a
 * set, `displayTimeToLive` as a number, date-times as instants), without anything the
 * service fills in or clamps (a default expiry, a `sendAt` raised to now). So it depends
 * neither on when the request is repeated nor on how it is written (key order, spacing,
 * `"60"` or `60`, `iOS` or `ios`, a `Date` or an ISO string of the same instant).
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { NotificationContent, PlatformType } from './contract/types.js';
import { HeraldError } from './errors.js';

/** The parts of a send that shape its result. */
export interface FingerprintedRequest {
  /** The user the notification goes to (resolved from a subscription id when needed). */
  readonly userId: string;
  /** The caller's id, when the send names one. */
  readonly callerId: string | undefined;
  /** The notification, validated: the contract's normal form. */
  readonly content: NotificationContent;
  /** The `expirationDateTime` the request gave, as an instant (epoch ms); `undefined` when it gave none. */
  readonly expiresAt: number | undefined;
  /** `sendAt` as given, in epoch ms, before it is raised to now; `undefined` when absent. */
  readonly sendAt: number | undefined;
  /** True for a critical send; absent (or false) otherwise, so older fingerprints still match. */
  readonly critical?: boolean;
}

const asSet = (platforms: readonly PlatformType[]): PlatformType[] => [...platforms].sort();

/** The notification's meaning: its normal form, platform lists as sets, the expiry as given. */
function meaningOf(content: NotificationContent, expiresAt: number | undefined): Record<string, unknown> {
  const { expirationDateTime: _filledIn, targetPolicy, fallbackPolicy, ...rest } = content;
  const platforms = targetPolicy?.platformTypes;
  const fallback = fallbackPolicy?.endpointFallback;
  return {
    ...rest,
    expiresAt: expiresAt ?? null,
    // An empty targetPolicy targets every platform, as an absent one does.
    platforms: platforms === undefined ? null : asSet(platforms),
    ...(fallback === undefined ? {} : { fallback: { ...fallback, platformTypes: asSet(fallback.platformTypes) } }),
  };
}

/** A SHA-256 digest (base64url) of the request's meaning in canonical JSON. */
export function fingerprintOf(request: FingerprintedRequest): string {
  const parts = [request.userId, request.callerId ?? null, meaningOf(request.content, request.expiresAt), request.sendAt ?? null];
  const canonical = canonicalize(request.critical === true ? [...parts, 'critical'] : parts);
  if (canonical === undefined) throw new HeraldError('INVALID_ARGUMENT', 'the notification request cannot be written as JSON');
  return createHash('sha256').update(canonical).digest('base64url');
}
