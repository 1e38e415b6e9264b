/**
 * Which endpoints a notification reaches: the one rule a send's deliveries and a state
 * change's sync deliveries share, so an endpoint is told of a state only for
 * notifications it was sent.
 */
import { expiryOf } from './contract/date-time.js';
import type { NotificationContent } from './contract/types.js';
import type { StoredSubscription } from './records.js';

/** An endpoint receives a notification when it is live, of the same app, and on a targeted platform. */
export function reachesEndpoint(subscription: StoredSubscription, content: NotificationContent, now: number): boolean {
  if (subscription.status !== 'active' || expiryOf(subscription) <= now) return false;
  if (subscription.targetHostName !== content.targetHostName) return false;
  const platforms = content.targetPolicy?.platformTypes;
  return platforms === undefined || platforms.includes(subscription.platformType);
}
