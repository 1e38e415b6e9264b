/**
 * Deliveries outside a claim: reading them, the dead-letter list, retrying a dead one,
 * cancelling a notification's open ones, and how the engine keeps the state a transition
 * of core's `delivery-transitions.ts` decided (shared with claims and feed writes).
 */
import { cancellation, cancelReasons, isOpen, stateAfterEnd, stateAfterRetry } from '@herald/core/store';
import type { DeadDeliveryPage, DeliveryErrorInput, DeliveryRecord, DeliveryState } from '@herald/core/store';
import { OpenDelivery } from './delivery-record.js';
import type { FinishedDelivery, StoredDelivery } from './delivery-record.js';
import type { FeedEntry } from './feed-entry.js';
import type { EngineParts } from './parts.js';
import type { UserFeed } from './user-feed.js';

/** See `NotificationStore.listDeliveries`. Also for a notification that expired but is not purged, and a deleted one's syncs. */
export function listDeliveries(parts: EngineParts, userId: string, notificationId: string): DeliveryRecord[] {
  const user = parts.users.get(userId);
  const entry = user?.notifications.get(notificationId) ?? user?.deletionSyncs.get(notificationId);
  return (entry?.deliveries ?? []).map((delivery) => delivery.toRecord());
}

/** See `NotificationStore.getDelivery`. */
export function getDelivery(parts: EngineParts, userId: string, deliveryId: string): DeliveryRecord | undefined {
  const delivery = parts.users.get(userId)?.deliveries.get(deliveryId);
  return delivery?.toRecord();
}

/** See `NotificationStore.listDeadDeliveries`. */
export function listDeadDeliveries(parts: EngineParts, limit: number, after: string | undefined): DeadDeliveryPage {
  return parts.deadLetters.page(limit, after);
}

/** See `NotificationStore.retryDelivery`. */
export function retryDelivery(parts: EngineParts, userId: string, deliveryId: string, now: number): DeliveryRecord | undefined {
  const user = parts.users.get(userId);
  const delivery = user?.deliveries.get(deliveryId);
  if (user === undefined || delivery === undefined) return undefined;
  const state = stateAfterRetry(delivery, now);
  if (state === delivery || delivery instanceof OpenDelivery) return delivery.toRecord();
  const revived = OpenDelivery.revive(delivery, state);
  parts.deadLetters.remove(delivery);
  replaceDelivery(user, delivery, revived);
  parts.due.schedule(revived);
  return revived.toRecord();
}

/** See `NotificationStore.cancelDeliveries`: leased deliveries are cancelled too. */
export function cancelDeliveries(parts: EngineParts, userId: string, notificationId: string, reason: string, now: number): number {
  const user = parts.users.get(userId);
  const entry = user?.notifications.get(notificationId) ?? user?.deletionSyncs.get(notificationId);
  if (user === undefined || entry === undefined) return 0;
  return cancelOpen(parts, user, entry, cancellation(reason), now);
}

/**
 * Ends the open deliveries of `entry` with `error` (core's `stateAfterEnd`), leased or
 * not, and returns how many: an attempt under way then finds its lease gone and records
 * nothing, so no attempt starts after the change.
 */
export function cancelOpen(parts: EngineParts, user: UserFeed, entry: FeedEntry, error: DeliveryErrorInput, now: number): number {
  let cancelled = 0;
  for (const delivery of [...(entry.deliveries ?? [])]) {
    if (!(delivery instanceof OpenDelivery)) continue;
    settleDelivery(parts, user, delivery, stateAfterEnd(delivery, error, now));
    cancelled++;
  }
  return cancelled;
}

/**
 * Ends the open deliveries of a deleted subscription (of `userId`), leased or not, with
 * reason `cancelReasons.subscriptionDeleted`. A scan of the user's deliveries: deletes
 * are rare, and an index by subscription would cost every send.
 */
export function cancelSubscriptionDeliveries(parts: EngineParts, userId: string, subscriptionId: string, now: number): void {
  const user = parts.users.get(userId);
  if (user === undefined) return;
  const error = cancellation(cancelReasons.subscriptionDeleted);
  for (const delivery of user.deliveries.values()) {
    if (delivery instanceof OpenDelivery && delivery.subscriptionId === subscriptionId) settleDelivery(parts, user, delivery, stateAfterEnd(delivery, error, now));
  }
}

/**
 * Keeps the state a transition decided for an open delivery: still open, it is
 * rescheduled; finished, it is replaced by its compact form (leaving the due queue, and
 * joining the dead letters when dead).
 */
export function settleDelivery(parts: EngineParts, user: UserFeed, delivery: OpenDelivery, state: DeliveryState): void {
  if (isOpen(state.status)) {
    delivery.settle(state);
    parts.due.schedule(delivery);
    return;
  }
  const finished: FinishedDelivery = delivery.finished(state);
  parts.due.unschedule(delivery);
  replaceDelivery(user, delivery, finished);
  if (finished.status === 'dead') parts.deadLetters.add(finished, finished.finishedAt);
}

/** Puts a delivery's new form where its old one was, in its notification and in the user's index. */
function replaceDelivery(user: UserFeed, previous: StoredDelivery, next: StoredDelivery): void {
  const deliveries = previous.notification.deliveries as StoredDelivery[];
  deliveries[deliveries.indexOf(previous)] = next;
  user.deliveries.set(next);
}
