/**
 * How a delivery's state changes: the one owner of the rule. Every store records its
 * transitions with these functions (the memory and file stores call them; the Redis
 * store's Lua is the single Lua copy, takes its constants from here, and a property test
 * proves it records the same), and the dispatcher builds its event payloads with them.
 *
 * A delivery is open (`pending`, `failed`) while it may still be attempted, finished
 * (`delivered`, `dead`, `expired`, `cancelled`) once it may not; only a retry reopens a
 * finished one, and only a dead one. Every function is pure: it reads its arguments,
 * returns a new value and changes nothing. Times are epoch milliseconds.
 */
import type { DeliveryError, DeliveryLease, DeliveryRecord, DeliveryStatus } from '../records.js';
import type { DeliveryErrorInput, DeliveryOutcome } from './claims.js';

/** The `lastError.code` of a delivery that a change ended without an attempt. */
export const deliveryEndCodes = Object.freeze({
  /** Cancelled: by `cancelDeliveries`, or by the dispatcher (see {@link cancelReasons}); the message is the reason. */
  cancelled: 'CANCELLED',
  /** Superseded: an update of its notification ended it (see {@link supersededDeliveryError}). */
  superseded: 'SUPERSEDED',
} as const);

/**
 * The `lastError` (`code` and `message`) every store gives an open delivery that an
 * update of its notification superseded, so the outbox reads the same whatever the store.
 */
export const supersededDeliveryError = Object.freeze({ code: deliveryEndCodes.superseded, message: 'superseded by an update' } as const);

/**
 * Why the dispatcher cancels a claimed delivery without attempting it: the `message` of
 * the `lastError` (code `CANCELLED`) it records. An inactive subscription's reason is
 * {@link inactiveSubscriptionReason}, which starts with `subscriptionInactive`.
 */
export const cancelReasons = Object.freeze({
  /** The notification was deleted (or purged) after the delivery was claimed. */
  notificationDeleted: 'the notification was deleted',
  /** The endpoint's subscription was deleted. */
  subscriptionDeleted: 'the subscription was deleted',
  /** The endpoint's subscription is inactive (followed by its status reason, if any). */
  subscriptionInactive: 'the subscription is inactive',
  /** The endpoint's subscription expired. */
  subscriptionExpired: 'the subscription expired',
  /** A raw notification was read or acted on before its visual fallback was due. */
  fallbackAcknowledged: 'the notification was acknowledged before the fallback was due',
  /** A sync delivery's transport has no `sendSync` (any more): it carries no sync messages. */
  transportCarriesNoSync: 'the transport does not carry sync messages',
} as const);

/** The cancel reason for an inactive subscription: {@link cancelReasons}`.subscriptionInactive`, with its status reason in parentheses. */
export function inactiveSubscriptionReason(statusReason: string | undefined): string {
  return statusReason === undefined ? cancelReasons.subscriptionInactive : `${cancelReasons.subscriptionInactive} (${statusReason})`;
}

/** The error a cancellation records: code `CANCELLED`, the reason as its message. */
export function cancellation(reason: string): DeliveryErrorInput {
  return { code: deliveryEndCodes.cancelled, message: reason };
}

/** Statuses from which a delivery may still be attempted. */
export type OpenDeliveryStatus = 'pending' | 'failed';

/** True for `pending` and `failed`: a delivery that may still be attempted. */
export function isOpen(status: DeliveryStatus): status is OpenDeliveryStatus {
  return status === 'pending' || status === 'failed';
}

/**
 * The part of a delivery its transitions change; the rest (ids, endpoint, kind, creation
 * time) never changes. A {@link DeliveryRecord} is one, and so is a store's own form.
 */
export interface DeliveryState {
  /** Where it stands. */
  readonly status: DeliveryStatus;
  /** Attempts made so far. */
  readonly attempts: number;
  /** When the next attempt is due (epoch ms); `null` once finished. */
  readonly nextAttemptAt: number | null;
  /** When it last changed (epoch ms). Claims and renewals do not change it. */
  readonly updatedAt: number;
  /** When the transport accepted it (epoch ms), once delivered. */
  readonly deliveredAt?: number | undefined;
  /** The last error met. */
  readonly lastError?: DeliveryError | undefined;
  /** The current claim. */
  readonly lease?: DeliveryLease | undefined;
}

/**
 * True when `token` holds the delivery's lease: it is open and its lease carries that
 * token, expired or not. An expired lease still holds until another claim replaces it,
 * so a slow attempt that nobody reclaimed may still renew or complete. Only the holder
 * may renew ({@link renewedLease}) or complete ({@link stateAfterOutcome}).
 */
export function holdsLease(delivery: DeliveryState, token: string): boolean {
  return isOpen(delivery.status) && delivery.lease?.token === token;
}

/**
 * When an open delivery may be claimed: when due, or when its lease runs out, whichever
 * is later; `undefined` for a finished one. A claim at `now` takes the open deliveries
 * claimable at or before `now`, earliest first.
 */
export function claimableAt(delivery: DeliveryState): number | undefined {
  if (!isOpen(delivery.status) || delivery.nextAttemptAt === null) return undefined;
  const { lease } = delivery;
  return lease === undefined ? delivery.nextAttemptAt : Math.max(delivery.nextAttemptAt, lease.expiresAt);
}

/** The lease a claim at `now` gives: `owner`, a fresh `token`, expiring `leaseMs` after `now`. Nothing else changes. */
export function newLease(owner: string, token: string, now: number, leaseMs: number): DeliveryLease {
  return { owner, token, expiresAt: now + leaseMs };
}

/** The holder's lease renewed at `now`: same owner and token, expiring `leaseMs` after `now`. Check {@link holdsLease} first. */
export function renewedLease(lease: DeliveryLease, now: number, leaseMs: number): DeliveryLease {
  return { owner: lease.owner, token: lease.token, expiresAt: now + leaseMs };
}

/**
 * The state an attempt's outcome leaves, recorded at `now`; the lease is released.
 * - `delivered`: an attempt counted, `deliveredAt: now`, the last error kept.
 * - `failed`: an attempt counted, due again at `outcome.nextAttemptAt`, `lastError` from the outcome.
 * - `dead`: an attempt counted, `lastError` from the outcome.
 * - `expired`: no attempt counted, the last error kept.
 * - `cancelled`: no attempt counted, `lastError` `{ code: 'CANCELLED', message: outcome.reason }`.
 * Every outcome but `failed` finishes the delivery (`nextAttemptAt: null`).
 *
 * @throws TypeError when the delivery is finished: only an open delivery's holder completes it ({@link holdsLease}).
 */
export function stateAfterOutcome(delivery: DeliveryState, outcome: DeliveryOutcome, now: number): DeliveryState {
  if (!isOpen(delivery.status)) throw new TypeError(`a ${delivery.status} delivery takes no outcome; only an open one's lease holder completes it`);
  switch (outcome.status) {
    case 'delivered':
      return finished('delivered', delivery.attempts + 1, now, delivery.lastError, now);
    case 'failed':
      return { status: 'failed', attempts: delivery.attempts + 1, nextAttemptAt: outcome.nextAttemptAt, updatedAt: now, lastError: errorAt(outcome.error, now) };
    case 'dead':
      return finished('dead', delivery.attempts + 1, now, errorAt(outcome.error, now));
    case 'expired':
      return finished('expired', delivery.attempts, now, delivery.lastError);
    case 'cancelled':
      return stateAfterEnd(delivery, cancellation(outcome.reason), now);
  }
}

/**
 * The state of an open delivery that a change ended at `now`, leased or not: `cancelled`
 * with `error` as its last error (a {@link cancellation} or {@link supersededDeliveryError}),
 * no attempt counted, the lease gone, so the holder's completion is refused. A finished
 * delivery stays as it is (the same object comes back).
 */
export function stateAfterEnd<D extends DeliveryState>(delivery: D, error: DeliveryErrorInput, now: number): D | DeliveryState {
  if (!isOpen(delivery.status)) return delivery;
  return finished('cancelled', delivery.attempts, now, errorAt(error, now));
}

/**
 * The state of a dead delivery retried at `now`: `pending`, due at `now`, attempts reset
 * to 0, the last error kept. Any other delivery stays as it is (the same object comes back).
 */
export function stateAfterRetry<D extends DeliveryState>(delivery: D, now: number): D | DeliveryState {
  if (delivery.status !== 'dead') return delivery;
  const state = { status: 'pending', attempts: 0, nextAttemptAt: now, updatedAt: now } as const;
  return delivery.lastError === undefined ? state : { ...state, lastError: delivery.lastError };
}

/**
 * A delivery record as `outcome`, recorded at `now`, leaves it: {@link stateAfterOutcome}
 * over the whole record (what a store returns from `getDelivery` afterwards).
 *
 * @throws TypeError when the delivery is finished.
 */
export function applyOutcome(delivery: DeliveryRecord, outcome: DeliveryOutcome, now: number): DeliveryRecord {
  return withState(delivery, stateAfterOutcome(delivery, outcome, now));
}

/** The fields of a delivery that no transition changes, each required: what {@link withState} copies from the record. */
type DeliveryIdentity = { -readonly [K in Exclude<keyof DeliveryRecord, keyof DeliveryState>]-?: DeliveryRecord[K] };

/**
 * `delivery` with `state` in place of its own: what never changes from the one, what a
 * transition decided from the other. The identity is copied field by field, not by an
 * object rest (`{ lease, …, ...identity } = delivery`), which runs V8's slow generic copy
 * and was the costliest step of a `delivery.succeeded` event; `DeliveryIdentity` makes a
 * field added to the record fail to compile here until it is copied.
 */
export function withState(delivery: DeliveryRecord, state: DeliveryState): DeliveryRecord {
  const record: DeliveryIdentity & { -readonly [K in keyof DeliveryState]: DeliveryRecord[K] } = {
    id: delivery.id,
    userId: delivery.userId,
    notificationId: delivery.notificationId,
    subscriptionId: delivery.subscriptionId,
    transport: delivery.transport,
    platformType: delivery.platformType,
    kind: delivery.kind,
    createdAt: delivery.createdAt,
    status: state.status,
    attempts: state.attempts,
    nextAttemptAt: state.nextAttemptAt,
    updatedAt: state.updatedAt,
  };
  if (state.deliveredAt !== undefined) record.deliveredAt = state.deliveredAt;
  if (state.lastError !== undefined) record.lastError = state.lastError;
  if (state.lease !== undefined) record.lease = state.lease;
  return record;
}

function finished(status: Exclude<DeliveryStatus, OpenDeliveryStatus>, attempts: number, now: number, lastError: DeliveryError | undefined, deliveredAt?: number): DeliveryState {
  const state: { -readonly [K in keyof DeliveryState]: DeliveryState[K] } = { status, attempts, nextAttemptAt: null, updatedAt: now };
  if (deliveredAt !== undefined) state.deliveredAt = deliveredAt;
  if (lastError !== undefined) state.lastError = lastError;
  return state;
}

function errorAt(error: DeliveryErrorInput, now: number): DeliveryError {
  return { code: error.code, message: error.message, at: now };
}
