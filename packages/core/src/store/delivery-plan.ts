/**
 * Planned deliveries: the service hands a store a plan rather than a list, so the
 * deliveries of a send follow the user's subscriptions as they stand at the write, not
 * as they stood when the service last looked.
 */
import type { StoredSubscription } from '../records.js';
import type { DeliveryPlan, ListedNotificationWrite, NewDelivery, NotificationWrite, PlannedNotificationWrite } from './interface.js';

/**
 * `write` in the one form a store implementation receives (see `defineStore`): a listed
 * write becomes a plan that returns its list whatever the subscriptions.
 */
export function plannedWrite(write: NotificationWrite): PlannedNotificationWrite {
  const { deliveries } = write;
  if (typeof deliveries === 'function') return write as PlannedNotificationWrite;
  const listed: readonly NewDelivery[] = deliveries;
  const plan: DeliveryPlan = () => listed;
  return { ...write, deliveries: plan };
}

/**
 * `write` with its deliveries planned from `subscriptions` (the user's, oldest first, as
 * they stand inside the write's atomicity): what a store finally applies.
 */
export function listedWrite(write: PlannedNotificationWrite, subscriptions: readonly StoredSubscription[]): ListedNotificationWrite {
  return { ...write, deliveries: write.deliveries(subscriptions) };
}
