/**
 * Writes to users' feeds: saving a notification (create, update, or replace an expired
 * one), evicting what the bounds refuse to keep, and the removal these share with
 * deletions. State changes are in `state-change.ts`, deletions in `deletion.ts`.
 */
import { formatDateTime, supersededDeliveryError } from '@herald/core/store';
import type { DeliveryRecord, ListedNotificationWrite, NewDelivery, NotificationContent, NotificationStatePatch, SaveResult, StoredNotification } from '@herald/core/store';
import { OpenDelivery } from './delivery-record.js';
import { cancelOpen } from './deliveries.js';
import { FeedEntry } from './feed-entry.js';
import { expiryTime, freezeContent, notificationRecord, withState } from './notification-record.js';
import type { EngineParts } from './parts.js';
import { flat } from './flat-string.js';
import { Tombstone } from './tombstone.js';
import type { UserFeed } from './user-feed.js';

/** See `NotificationStore.saveNotification`; the store lists a planned write's deliveries first. */
export function saveNotification(parts: EngineParts, write: ListedNotificationWrite): SaveResult {
  const { notification: incoming, idempotency, now } = write;
  if (idempotency !== undefined) {
    const recorded = parts.idempotency.find(incoming.userId, idempotency.key, now);
    if (recorded !== undefined) {
      return Object.freeze({
        notification: recorded.notification,
        created: recorded.created,
        deliveries: Object.freeze([]),
        replay: Object.freeze({ fingerprint: recorded.fingerprint }),
      });
    }
  }
  // Everything that could throw on odd input happens before the first change.
  const content = freezeContent(incoming, parts.interner);
  const expiresAt = expiryTime(content.expirationDateTime);
  const existing = parts.users.get(incoming.userId)?.findByAppNotificationId(incoming.targetHostName, incoming.appNotificationId);
  // An expired notification with the same key counts as absent: it goes, with a tombstone.
  const replaced = existing !== undefined && existing.expiredAt(now) ? existing : undefined;
  const live = replaced === undefined ? existing : undefined;
  checkFreshIds(parts, write, live, replaced);

  const user = parts.users.open(incoming.userId);
  if (replaced !== undefined) removeNotification(parts, user, replaced, now);
  const created = live === undefined;
  const entry = live === undefined ? create(parts, user, incoming.id, content, expiresAt, now) : update(parts, user, live, content, expiresAt, now);
  parts.users.expiryChanged(user);

  const deliveries = addDeliveries(parts, user, entry, write.deliveries, now);
  // An update's decisions replace the last write's: they explain the deliveries it made.
  entry.decisions = write.decisions;
  if (created) evict(parts, user, now);
  if (idempotency !== undefined) {
    parts.idempotency.record({
      userId: user.userId,
      key: idempotency.key,
      fingerprint: idempotency.fingerprint,
      expiresAt: idempotency.expiresAt,
      notification: entry.record,
      created,
    });
  }
  return Object.freeze({ notification: entry.record, created, deliveries: Object.freeze(deliveries) });
}

/** Removes a notification and all its deliveries, leaving its tombstone (returned): a delete, an eviction or a purge. */
export function removeNotification(parts: EngineParts, user: UserFeed, entry: FeedEntry, now: number): Tombstone {
  const tombstone = new Tombstone(user.userId, entry.record.id, ++user.sequence, now);
  user.remove(entry, tombstone);
  parts.tombstones.push(now, tombstone);
  parts.bounds.removed();
  dropDeliveries(parts, user, entry);
  parts.users.expiryChanged(user);
  return tombstone;
}

/** Takes all of an entry's deliveries out of the user's index, the due queue and the dead letters. */
export function dropDeliveries(parts: EngineParts, user: UserFeed, entry: FeedEntry): void {
  for (const delivery of entry.deliveries ?? []) {
    user.deliveries.delete(delivery.id);
    if (delivery instanceof OpenDelivery) parts.due.unschedule(delivery);
    else if (delivery.status === 'dead') parts.deadLetters.remove(delivery);
  }
  entry.deliveries = undefined;
}

/**
 * Refuses a write whose new ids are taken: a second record under one id would corrupt
 * the indexes. Ids of the expired notification the write replaces are free again.
 */
function checkFreshIds(parts: EngineParts, write: ListedNotificationWrite, updated: FeedEntry | undefined, replaced: FeedEntry | undefined): void {
  const { id, userId } = write.notification;
  const user = parts.users.get(userId);
  const holder = user?.notifications.get(id);
  if (updated === undefined && holder !== undefined && holder !== replaced) {
    throw parts.fail('INVALID_ARGUMENT', `the notification id ${JSON.stringify(id)} is already taken; the service mints a fresh one per write`);
  }
  const deliveries = write.deliveries;
  for (let i = 0; i < deliveries.length; i += 1) {
    const delivery = deliveries[i] as NewDelivery;
    const taken = user?.deliveries.get(delivery.id);
    const takenByReplaced = taken !== undefined && replaced?.deliveries?.includes(taken) === true;
    // A write carries a handful of deliveries: a scan finds a repeated id without a Set.
    let repeated = false;
    for (let j = 0; j < i && !repeated; j += 1) repeated = (deliveries[j] as NewDelivery).id === delivery.id;
    if (repeated || (taken !== undefined && !takenByReplaced)) {
      throw parts.fail('INVALID_ARGUMENT', `the delivery id ${JSON.stringify(delivery.id)} is already taken; the service mints a fresh one per delivery`);
    }
  }
}

/** Creates a notification at the top of the user's feed. */
function create(parts: EngineParts, user: UserFeed, id: string, content: NotificationContent, expiresAt: number, now: number): FeedEntry {
  const nowText = formatDateTime(now);
  const record = notificationRecord(content, {
    id: flat(id),
    userId: user.userId,
    targetHostName: user.appName(content.targetHostName),
    createdDateTime: nowText,
    lastModifiedDateTime: nowText,
    sequence: ++user.sequence,
  });
  const entry = new FeedEntry(record, expiresAt);
  user.insert(entry);
  parts.bounds.created(entry);
  return entry;
}

/** Replaces a live notification's content, moves it to the top, and supersedes its idle deliveries. */
function update(parts: EngineParts, user: UserFeed, entry: FeedEntry, content: NotificationContent, expiresAt: number, now: number): FeedEntry {
  const record = notificationRecord(content, {
    id: entry.record.id,
    userId: user.userId,
    targetHostName: entry.record.targetHostName,
    createdDateTime: entry.record.createdDateTime,
    lastModifiedDateTime: formatDateTime(now),
    sequence: ++user.sequence,
  });
  user.update(entry, record, expiresAt);
  parts.bounds.updated(entry);
  cancelOpen(parts, user, entry, supersededDeliveryError, now);
  return entry;
}

/** Adds deliveries to a notification: indexed by id, queued when due. */
export function addDeliveries(parts: EngineParts, user: UserFeed, entry: FeedEntry, deliveries: readonly NewDelivery[], now: number): DeliveryRecord[] {
  const count = deliveries.length;
  if (count === 0) return [];
  // Arrays of the exact size: pushing onto an empty one reserves room for 17.
  const added: OpenDelivery[] = new Array(count);
  const records: DeliveryRecord[] = new Array(count);
  for (let index = 0; index < count; index += 1) {
    const open = OpenDelivery.create(deliveries[index] as NewDelivery, entry, now);
    added[index] = open;
    user.deliveries.set(open);
    parts.due.schedule(open);
    records[index] = open.toRecord();
  }
  entry.deliveries = entry.deliveries === undefined ? added : [...entry.deliveries, ...added];
  return records;
}

/** Evicts what the bounds say must go after a creation. */
function evict(parts: EngineParts, user: UserFeed, now: number): void {
  for (let victim = parts.bounds.userVictim(user); victim !== undefined; victim = parts.bounds.userVictim(user)) {
    removeNotification(parts, user, victim, now);
  }
  for (let victim = parts.bounds.totalVictim(); victim !== undefined; victim = parts.bounds.totalVictim()) {
    removeNotification(parts, parts.users.get(victim.record.userId) as UserFeed, victim, now);
  }
}
