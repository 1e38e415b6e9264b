/**
 * Planned deliveries: the service hands a store a plan rather than a list, so the
 * deliveries of a send follow the user's subscriptions and preferences as they stand at
 * the write, not as they stood when the service last looked.
 */
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
