/**
 * Reads of users' feeds: one notification, a page of the feed, the unread count, and
 * the change feed since a cursor. Expired notifications not purged yet are skipped.
 */
import type { ChangePage, FeedPage, FeedQuery, StoredChange, StoredNotification, UnreadFilter } from '@herald/core/store';
import type { EngineParts } from './parts.js';
import { Tombstone } from './tombstone.js';
import { matchesFilter } from './unread-counters.js';

/** See `NotificationStore.getNotification`. */
export function getNotification(parts: EngineParts, userId: string, notificationId: string, now: number): StoredNotification | undefined {
  const entry = parts.users.get(userId)?.notifications.get(notificationId);
  return entry === undefined || entry.expiredAt(now) ? undefined : entry.record;
}

/** See `NotificationStore.listFeed`. */
export function listFeed(parts: EngineParts, userId: string, query: FeedQuery, now: number): FeedPage {
  const user = parts.users.get(userId);
  if (user === undefined) return { items: [] };
  const items: StoredNotification[] = [];
  let lastPosition = 0;
  let more = false;
  user.feed.visitNewestFirst(query.before, (entry) => {
    const { record } = entry;
    if (entry.expiredAt(now) || (query.unread === true && record.readState !== 'unread') || !matchesFilter(record, query)) {
      return true;
    }
    if (items.length === query.limit) {
      more = true;
      return false;
    }
    items.push(record);
    lastPosition = entry.position;
    return true;
  });
  return more ? { items, next: lastPosition } : { items };
}

/** See `NotificationStore.countUnread`. */
export function countUnread(parts: EngineParts, userId: string, filter: UnreadFilter, now: number): number {
  const user = parts.users.get(userId);
  if (user === undefined) return 0;
  let count = user.unread.unread(filter);
  // The counters still hold notifications that expired but were not purged: take them out.
  user.expiry.visitExpiredBy(now, (entry) => {
    if (entry.record.readState === 'unread' && matchesFilter(entry.record, filter)) count--;
  });
  return count;
}

/** See `NotificationStore.listChanges`. */
export function listChanges(parts: EngineParts, userId: string, since: number, limit: number, now: number): ChangePage {
  const user = parts.users.get(userId);
  const current = user?.sequence ?? 0;
  if (since > current) {
    throw parts.fail('CURSOR_EXPIRED', `the change cursor (${since}) is ahead of this user's feed (${current}); read the feed again`);
  }
  if (user === undefined) return { changes: [], cursor: current, hasMore: false };
  if (since > 0 && since < user.purgedThrough) {
    throw parts.fail('CURSOR_EXPIRED', `deletions after the change cursor (${since}) were already purged; read the feed again`);
  }
  const changes: StoredChange[] = [];
  let hasMore = false;
  user.changes.visitAfter(since, (change, sequence) => {
    let item: StoredChange;
    if (change instanceof Tombstone) {
      if (since === 0) return true; // a full sync has nothing to delete
      item = { type: 'deleted', notificationId: change.notificationId, sequence };
    } else {
      if (change.expiredAt(now)) return true;
      const type = since === 0 || change.createdSequence > since ? 'created' : change.position > since ? 'updated' : 'stateChanged';
      item = { type, notificationId: change.record.id, sequence, notification: change.record };
    }
    if (changes.length === limit) {
      hasMore = true;
      return false;
    }
    changes.push(Object.freeze(item));
    return true;
  });
  const last = changes[changes.length - 1];
  return { changes, cursor: hasMore && last !== undefined ? last.sequence : current, hasMore };
}
