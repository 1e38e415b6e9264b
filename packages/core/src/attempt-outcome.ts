/**
 * What the dispatcher decides around an attempt: the endpoint and message a transport
 * gets, whether a claimed delivery ends without an attempt, the record an outcome leaves,
 * and the retry schedule's delay (a policy that fails is a POLICY_ERROR, never a crash).
 */
import { expiryOf } from './contract/date-time.js';
import { HeraldError } from './errors.js';
import type { DeliveryRecord, StoredNotification, StoredSubscription } from './records.js';
import type { RetryPolicy } from './retry.js';
import type { ClaimedDelivery, DeliveryOutcome } from './store/interface.js';
import type { Endpoint } from './transport/interface.js';

/** Endpoints by subscription record: stores that hand out the same frozen record reuse one. */
const endpoints = new WeakMap<StoredSubscription, Endpoint>();

export function endpointOf(subscription: StoredSubscription): Endpoint {
  const known = endpoints.get(subscription);
  if (known !== undefined) return known;
  const endpoint = newEndpoint(subscription);
  endpoints.set(subscription, endpoint);
  return endpoint;
}

function newEndpoint(subscription: StoredSubscription): Endpoint {
  const endpoint = {
    subscriptionId: subscription.id,
    userId: subscription.userId,
    targetHostName: subscription.targetHostName,
    platformType: subscription.platformType,
    address: subscription.address,
  };
  return Object.freeze(subscription.secret === undefined ? endpoint : { ...endpoint, secret: subscription.secret });
}

/** A fallback delivery carries the fallback's visual content instead of the raw payload. */
export function messageNotification(claim: ClaimedDelivery, notification: StoredNotification): StoredNotification {
  if (claim.delivery.kind !== 'fallback') return notification;
  const fallback = notification.fallbackPolicy?.endpointFallback;
  const visualContent = fallback?.visualContent ?? notification.payload.visualContent ?? {};
  return Object.freeze({ ...notification, payload: Object.freeze({ visualContent }) });
}

/** Why a claimed delivery must end without an attempt, if it must. */
export function outcomeWithoutAttempt(claim: ClaimedDelivery, now: number): DeliveryOutcome | undefined {
  const { notification, subscription } = claim;
  if (notification === undefined) return { status: 'cancelled', reason: 'the notification was deleted' };
  if (expiryOf(notification) <= now) return { status: 'expired' };
  if (subscription === undefined) return { status: 'cancelled', reason: 'the subscription was deleted' };
  if (subscription.status !== 'active') {
    return { status: 'cancelled', reason: `the subscription is inactive${subscription.statusReason === undefined ? '' : ` (${subscription.statusReason})`}` };
  }
  if (expiryOf(subscription) <= now) return { status: 'cancelled', reason: 'the subscription expired' };
  if (claim.delivery.kind === 'fallback' && (notification.readState === 'read' || notification.userActionState !== 'noInteraction')) {
    return { status: 'cancelled', reason: 'the notification was acknowledged before the fallback was due' };
  }
  return undefined;
}

/** The delivery as the store records `outcome`, for event payloads (saves a read per delivery). */
export function settled(delivery: DeliveryRecord, outcome: DeliveryOutcome, now: number): DeliveryRecord {
  const { lease: _lease, ...rest } = delivery;
  const base = { ...rest, status: outcome.status, updatedAt: now, nextAttemptAt: null };
  switch (outcome.status) {
    case 'delivered':
      return { ...base, attempts: delivery.attempts + 1, deliveredAt: now };
    case 'failed':
      return { ...base, attempts: delivery.attempts + 1, nextAttemptAt: outcome.nextAttemptAt, lastError: { ...outcome.error, at: now } };
    case 'dead':
      return { ...base, attempts: delivery.attempts + 1, lastError: { ...outcome.error, at: now } };
    case 'cancelled':
      return { ...base, lastError: { code: 'CANCELLED', message: outcome.reason, at: now } };
    case 'expired':
      return base;
  }
}

/**
 * The schedule's delay after `attempts` failures, or a `POLICY_ERROR` when the policy
 * throws or answers something other than a finite number of milliseconds (≥ 0).
 */
export function scheduledDelay(policy: RetryPolicy, attempts: number, random: () => number): number | HeraldError {
  let delay: unknown;
  try {
    delay = policy.delayMs(attempts, random);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return new HeraldError('POLICY_ERROR', `the retry policy's delayMs threw after attempt ${attempts}: ${reason}`, { cause: error });
  }
  if (typeof delay !== 'number' || !Number.isFinite(delay) || delay < 0) {
    return new HeraldError('POLICY_ERROR', `the retry policy's delayMs answered ${String(delay)} after attempt ${attempts}; it must answer milliseconds, at least 0`);
  }
  return delay;
}

