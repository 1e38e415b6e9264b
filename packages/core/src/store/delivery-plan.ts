/**
 * Planned deliveries: the service hands a store a plan rather than a list, so the
 * deliveries of a send follow the user's subscriptions and preferences as they stand at
 * the write, not as they stood when the service last looked.
 */
import type { DeliveryRecord } from '../records.js';
import type { DeliveryPlan, ListedNotificationWrite, NewDelivery, NotificationWrite, PlannedNotificationWrite, Recipient } from './notification-write.js';

/**
 * `write` in the one form a store implementation receives (see `defineStore`): a listed
 * write becomes a plan that returns its list (and no decisions) whoever the recipient.
 */
export function plannedWrite(write: NotificationWrite): PlannedNotificationWrite {
  const { deliveries } = write;
  if (typeof deliveries === 'function') return write as PlannedNotificationWrite;
  const listed = { deliveries: deliveries as readonly NewDelivery[] };
  const plan: DeliveryPlan = () => listed;
  return { ...write, deliveries: plan };
}

/**
 * `write` with its deliveries planned for `recipient` (the user's subscriptions, oldest
 * first, and preferences, as they stand inside the write's atomicity): what a store
 * finally applies — its deliveries, and its decisions to keep when there are any.
 */
export function listedWrite(write: PlannedNotificationWrite, recipient: Recipient): ListedNotificationWrite {
  const planned = write.deliveries(recipient);
  const listed = { ...write, deliveries: planned.deliveries };
  return planned.decisions === undefined ? listed : { ...listed, decisions: planned.decisions };
}

/**
 * The records of the deliveries `write` created with notification `notificationId`, as
 * every store stores them: pending, unattempted, made and updated at the write's `now`.
 * For a store that answers a save from the write itself rather than reading its rows back.
 */
export function createdDeliveryRecords(write: ListedNotificationWrite, notificationId: string): DeliveryRecord[] {
  const { now } = write;
  const { userId } = write.notification;
  return write.deliveries.map((delivery) => ({
    id: delivery.id,
    userId,
    notificationId,
    subscriptionId: delivery.subscriptionId,
    transport: delivery.transport,
    platformType: delivery.platformType,
    kind: delivery.kind,
    status: 'pending',
    attempts: 0,
    nextAttemptAt: delivery.nextAttemptAt,
    createdAt: now,
    updatedAt: now,
  }));
}
