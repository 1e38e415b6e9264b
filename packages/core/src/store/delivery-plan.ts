/**
 * Planned deliveries: the service hands a store a plan rather than a list, so the
 * deliveries of a send follow the user's subscriptions as they stand at the write, not
 * as they stood when the service last looked.
 */
import type { StoredSubscription } from '../records.js';
import type { ListedNotificationWrite, NotificationWrite } from './interface.js';

/**
 * `write` with its deliveries listed: as given, or planned from the subscriptions
 * `subscriptionsOf` returns (called only for a planned write). Stores call it inside the
 * write's atomicity.
 */
export function listedWrite(write: NotificationWrite, subscriptionsOf: () => readonly StoredSubscription[]): ListedNotificationWrite {
  const { deliveries } = write;
  if (typeof deliveries !== 'function') return write as ListedNotificationWrite;
  return { ...write, deliveries: deliveries(subscriptionsOf()) };
}
