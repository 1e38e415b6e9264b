/**
 * The purge: removing expired notifications (leaving tombstones), tombstones older than
 * the change feed keeps, expired idempotency keys and expired subscriptions.
 */
import type { PurgeRequest, PurgeResult } from '@herald/core/store';
import { dropDeletionSyncs } from './deletion.js';
import type { FeedEntry } from './feed-entry.js';
import { removeNotification } from './feed-writes.js';
import type { EngineParts } from './parts.js';
import type { Tombstone } from './tombstone.js';
import type { UserFeed } from './user-feed.js';

/**
 * See `NotificationStore.purgeExpired`. `removed` hears each expired notification it
 * removes, in order, so a log can replay the purge with `purgeListed` (see durable.ts).
 */
export function purgeExpired(parts: EngineParts, request: PurgeRequest, removed?: (userId: string, notificationId: string) => void): PurgeResult {
  const { now, tombstonesBefore, limit } = request;
  // Old tombstones first, so the ones this purge leaves are not purged at once.
  purgeTombstones(parts, tombstonesBefore);
  let notifications = 0;
  let more = false;
  for (;;) {
    const key = parts.users.earliestExpiry();
    if (key === undefined || key > now) break;
    if (notifications === limit) {
      more = true;
      break;
    }
    const user = parts.users.earliestToExpire() as UserFeed;
    const entry = user.expiry.earliest() as FeedEntry;
    removed?.(user.userId, entry.record.id);
    removeNotification(parts, user, entry, now);
    notifications++;
  }
  parts.idempotency.purge(now);
  const subscriptions = parts.subscriptions.expire(now);
  return { notifications, subscriptions, more };
}

/** Purges the tombstones deleted before `tombstonesBefore`. */
export function purgeTombstones(parts: EngineParts, tombstonesBefore: number): void {
  for (let key = parts.tombstones.peekKey(); key !== undefined && key < tombstonesBefore; key = parts.tombstones.peekKey()) {
    const tombstone = parts.tombstones.peekValue() as Tombstone;
    parts.tombstones.pop();
    const user = parts.users.get(tombstone.userId) as UserFeed;
    dropDeletionSyncs(parts, user, tombstone);
    tombstone.purged = true;
    user.purgedThrough = Math.max(user.purgedThrough, tombstone.sequence);
    user.changes.vacate();
    parts.users.forgetIfEmpty(user);
  }
}
