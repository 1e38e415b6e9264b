/**
 * Which endpoints a notification reaches: the one rule a send's deliveries (and their
 * decisions) and a state change's sync deliveries share, so an endpoint is told of a
 * state only for notifications it could be sent.
 */
import { expiryOf } from './contract/date-time.js';
import type { NotificationContent } from './contract/types.js';
import type { StoredSubscription } from './records.js';

/** Why an endpoint cannot receive a notification, whatever the user prefers. */
export type EndpointMismatch = 'inactive' | 'expired' | 'app' | 'platform';

/**
 * Why `subscription` cannot receive `content` at `now` — inactive, expired, of another
 * app, or on a platform the notification leaves out, checked in that order — or
 * `undefined` when it can.
 */
export function endpointMismatch(subscription: StoredSubscription, content: Pick<NotificationContent, 'targetHostName' | 'targetPolicy'>, now: number): EndpointMismatch | undefined {
  if (subscription.status !== 'active') return 'inactive';
  if (expiryOf(subscription) <= now) return 'expired';
  if (subscription.targetHostName !== content.targetHostName) return 'app';
  const platforms = content.targetPolicy?.platformTypes;
  return platforms === undefined || platforms.includes(subscription.platformType) ? undefined : 'platform';
}

/** An endpoint receives a notification when it is live, of the same app, and on a targeted platform. */
export function reachesEndpoint(subscription: StoredSubscription, content: NotificationContent, now: number): boolean {
  return endpointMismatch(subscription, content, now) === undefined;
}
