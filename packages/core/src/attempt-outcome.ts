/**
 * What the dispatcher decides around an attempt: the endpoint and message a transport
 * gets, whether a claimed delivery ends without an attempt (with a reason from
 * `cancelReasons`), and what a failed attempt records: dead, or failed until the retry
 * schedule's next attempt (a policy that fails is a POLICY_ERROR, never a crash).
 */
import { expiryOf, formatDateTime } from './contract/date-time.js';
import { HeraldError } from './errors.js';
import type { StoredNotification, StoredSubscription } from './records.js';
import { retryDelayMs, type RetryPolicy } from './retry.js';
import { cancelReasons, inactiveSubscriptionReason } from './store/delivery-transitions.js';
import type { ClaimedDelivery, DeliveryOutcome } from './store/interface.js';
import type { Endpoint, NotificationSync, SyncMessage, Transport, TransportContext, TransportError, TransportMessage } from './transport/interface.js';
import { messageOfThrown } from './thrown-text.js';

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
function messageNotification(claim: ClaimedDelivery, notification: StoredNotification): StoredNotification {
  if (claim.delivery.kind !== 'fallback') return notification;
  const fallback = notification.fallbackPolicy?.endpointFallback;
  const visualContent = fallback?.visualContent ?? notification.payload.visualContent ?? {};
  return Object.freeze({ ...notification, payload: Object.freeze({ visualContent }) });
}

/**
 * What a sync delivery tells: the notification's state as it stands now (so a stale sync
 * never brings back an older state), or its deletion when the store kept the sync past
 * the notification (only a deletion's syncs outlive it), dated by the sync's creation.
 */
function syncOf(claim: ClaimedDelivery): NotificationSync {
  const { delivery, notification } = claim;
  if (notification === undefined) {
    return Object.freeze({
      type: 'deleted',
      notificationId: delivery.notificationId,
      userId: delivery.userId,
      readState: 'read',
      userActionState: 'dismissed',
      lastModifiedDateTime: formatDateTime(delivery.createdAt),
    });
  }
  return Object.freeze({
    type: 'stateChanged',
    notificationId: notification.id,
    userId: notification.userId,
    readState: notification.readState,
    userActionState: notification.userActionState,
    lastModifiedDateTime: notification.lastModifiedDateTime,
  });
}

/** Why a claimed delivery must end without an attempt, if it must. */
export function outcomeWithoutAttempt(claim: ClaimedDelivery, now: number): DeliveryOutcome | undefined {
  const { notification, subscription } = claim;
  if (notification === undefined) {
    // A deletion's sync outlives its notification: it tells the endpoint to remove it.
    if (claim.delivery.kind !== 'sync') return { status: 'cancelled', reason: cancelReasons.notificationDeleted };
  } else if (expiryOf(notification) <= now) {
    return { status: 'expired' };
  }
  if (subscription === undefined) return { status: 'cancelled', reason: cancelReasons.subscriptionDeleted };
  if (subscription.status !== 'active') return { status: 'cancelled', reason: inactiveSubscriptionReason(subscription.statusReason) };
  if (expiryOf(subscription) <= now) return { status: 'cancelled', reason: cancelReasons.subscriptionExpired };
  if (claim.delivery.kind === 'fallback' && notification !== undefined && (notification.readState === 'read' || notification.userActionState !== 'noInteraction')) {
    return { status: 'cancelled', reason: cancelReasons.fallbackAcknowledged };
  }
  return undefined;
}

/**
 * The schedule's delay after `attempts` failures, or a `POLICY_ERROR` when the policy
 * throws or answers something other than a finite number of milliseconds (≥ 0).
 */
function scheduledDelay(policy: RetryPolicy, attempts: number, random: () => number): number | HeraldError {
  let delay: unknown;
  try {
    delay = policy.delayMs(attempts, random);
  } catch (error) {
    const reason = messageOfThrown(error);
    return new HeraldError('POLICY_ERROR', `the retry policy's delayMs threw after attempt ${attempts}: ${reason}`, { cause: error });
  }
  if (typeof delay !== 'number' || !Number.isFinite(delay) || delay < 0) {
    return new HeraldError('POLICY_ERROR', `the retry policy's delayMs answered ${String(delay)} after attempt ${attempts}; it must answer milliseconds, at least 0`);
  }
  return delay;
}

/** What a failed attempt's record needs: the outcome, and the error its event carries. */
export interface FailedAttempt {
  readonly outcome: DeliveryOutcome;
  readonly error: HeraldError;
}

/**
 * How a failed attempt (the `attempts`-th) ends: dead when the endpoint is gone, the
 * failure is permanent, the attempts are used up or the policy fails; otherwise failed,
 * due again after the schedule's delay or the transport's later hint (up to `maxRetryAfterMs`).
 */
export function failedOutcome(
  failure: TransportError,
  attempts: number,
  policy: RetryPolicy,
  settings: { readonly random: () => number; readonly maxRetryAfterMs: number },
  finishedAt: number,
): FailedAttempt {
  const error = { code: failure.code, message: failure.message };
  if (failure.failure === 'endpointGone' || failure.failure === 'permanent') return { outcome: { status: 'dead', error }, error: failure };
  if (attempts >= policy.maxAttempts) {
    return { outcome: { status: 'dead', error: { code: error.code, message: `${error.message} (gave up after ${attempts} attempts)` } }, error: failure };
  }
  const scheduled = scheduledDelay(policy, attempts, settings.random);
  if (scheduled instanceof HeraldError) return { outcome: { status: 'dead', error: { code: scheduled.code, message: scheduled.message } }, error: scheduled };
  const delay = retryDelayMs(scheduled, failure.retryAfterMs, settings.maxRetryAfterMs);
  return { outcome: { status: 'failed', nextAttemptAt: finishedAt + delay, error }, error: failure };
}

/**
 * The transport call of a claimed delivery: `send` with the notification (or its
 * fallback), or `sendSync` with the notification's state; `undefined` for a sync whose
 * transport has no `sendSync`.
 */
export function transportCall(claim: ClaimedDelivery, transport: Transport, endpoint: Endpoint): ((context: TransportContext) => Promise<void>) | undefined {
  const { delivery } = claim;
  const attempt = delivery.attempts + 1;
  if (delivery.kind === 'sync') {
    const { sendSync } = transport;
    if (sendSync === undefined) return undefined;
    const message: SyncMessage = { deliveryId: delivery.id, kind: 'sync', attempt, sync: syncOf(claim) };
    return (context) => sendSync.call(transport, message, endpoint, context);
  }
  const notification = claim.notification as NonNullable<ClaimedDelivery['notification']>;
  const message: TransportMessage = { deliveryId: delivery.id, kind: delivery.kind, attempt, notification: messageNotification(claim, notification) };
  return (context) => transport.send(message, endpoint, context);
}
