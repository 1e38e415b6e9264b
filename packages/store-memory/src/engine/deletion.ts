/**
 * Deleting a notification or a group, with the sync deliveries that tell the user's
 * other endpoints it is gone (cross-device sync), in one step. A deletion removes the
 * notification with all its deliveries — a waiting sync of a state change included, so
 * an endpoint gets one message: removed — and its own syncs stay with the tombstone, on
 * the deleted entry, until the tombstone is purged.
 */
import type { NewDelivery, StoredNotification } from '@herald/core/store';
import { addDeliveries, dropDeliveries, removeNotification } from './feed-writes.js';
import type { FeedEntry } from './feed-entry.js';
import type { EngineParts } from './parts.js';
import type { Tombstone } from './tombstone.js';
import { matchesFilter } from './unread-counters.js';
import type { UserFeed } from './user-feed.js';

/**
 * The sync deliveries of a deletion, from the notification as it was: the store's plan
 * bound to the user's subscriptions, or a replay's listing by notification id.
 */
export type DeletionSyncListing = (notification: StoredNotification) => readonly NewDelivery[];

/** What a deletion did: the notifications deleted, oldest position first, each with the syncs it made. */
export type Deletion = readonly (readonly [notificationId: string, syncs: readonly NewDelivery[]])[];

/** See `NotificationStore.deleteNotification`. An expired notification counts as missing. */
export function deleteNotification(parts: EngineParts, userId: string, notificationId: string, now: number, syncs: DeletionSyncListing | undefined): Deletion {
  const user = parts.users.get(userId);
  const entry = user?.notifications.get(notificationId);
  if (user === undefined || entry === undefined || entry.expiredAt(now)) return [];
  return deleteEntries(parts, user, [entry], now, syncs);
}

/** See `NotificationStore.deleteGroup`. Deletes oldest position first; expired ones are left to the purge. */
export function deleteGroup(
  parts: EngineParts,
  userId: string,
  groupName: string,
  targetHostName: string | undefined,
  now: number,
  syncs: DeletionSyncListing | undefined,
): Deletion {
  const user = parts.users.get(userId);
  if (user === undefined) return [];
  const doomed: FeedEntry[] = [];
  user.feed.visitOldestFirst((entry) => {
    if (!entry.expiredAt(now) && matchesFilter(entry.record, { groupName, targetHostName })) doomed.push(entry);
  });
  return deleteEntries(parts, user, doomed, now, syncs);
}

/** Takes the syncs of a purged tombstone away with it. */
export function dropDeletionSyncs(parts: EngineParts, user: UserFeed, tombstone: Tombstone): void {
  if (tombstone.syncs === undefined) return;
  dropDeliveries(parts, user, tombstone.syncs);
  user.deletionSyncs.delete(tombstone.notificationId);
  tombstone.syncs = undefined;
}

function deleteEntries(parts: EngineParts, user: UserFeed, doomed: readonly FeedEntry[], now: number, syncs: DeletionSyncListing | undefined): Deletion {
  const planned = doomed.map((entry) => [entry.record.id, syncs === undefined ? [] : syncs(entry.record)] as const);
  checkFreshSyncIds(parts, user, planned);
  doomed.forEach((entry, index) => {
    const tombstone = removeNotification(parts, user, entry, now);
    const listed = (planned[index] as (typeof planned)[number])[1];
    if (listed.length === 0) return;
    addDeliveries(parts, user, entry, listed, now);
    tombstone.syncs = entry;
    user.deletionSyncs.set(entry.record.id, entry);
  });
  return planned;
}

/** Checked before the first change: a second record under one id would corrupt the indexes. */
function checkFreshSyncIds(parts: EngineParts, user: UserFeed, planned: Deletion): void {
  const seen = new Set<string>();
  for (const [, listed] of planned) {
    for (const delivery of listed) {
      if (user.deliveries.has(delivery.id) || seen.has(delivery.id)) {
        throw parts.fail('INVALID_ARGUMENT', `the delivery id ${JSON.stringify(delivery.id)} is already taken; the service mints a fresh one per delivery`);
      }
      seen.add(delivery.id);
    }
  }
}
