/**
 * The items of a snapshot file, in the order they are written: each user (then that
 * user's notifications by feed position, with their deliveries, and tombstones by
 * sequence), the subscriptions, the idempotency keys, the dead-letter list, and an end
 * item with counts to check the whole was read.
 *
 * Binary rather than JSON because opening a large store is mostly reading its snapshot:
 * strings that repeat (apps, groups, dates, subscription ids, payloads) are written once
 * and referred to after, and reading one back is an array look-up, not a parse.
 * Reading is in snapshot-reading.ts.
 */
import { deliveryStatuses, optionalContentFields, platformTypes, presentFields, readStates, requiredContentFields, userActionStates, writeFields } from '@herald/core/store';
import type { FieldWriters, StoredNotification, StoredSubscription } from '@herald/core/store';
import type { ByteWriter } from './binary-buffer.js';
import type { DeliveryImage, NotificationImage, StateImage } from '@herald/store-memory/engine';

/** Item tags. */
export const enum Tag {
  User = 1,
  Notification = 2,
  Tombstone = 3,
  Subscription = 4,
  IdempotencyKey = 5,
  DeadLetter = 6,
  End = 7,
  /** The highest sequence a forgotten user reached (written only when above 0, so older snapshots read alike). */
  RetiredSequence = 8,
  /** A tombstone whose deletion made syncs: the deleted record, sequence, time, the syncs (one without stays `Tombstone`: older snapshots read alike). */
  TombstoneWithSyncs = 9,
  /** After a notification (and its deliveries) that kept delivery decisions: the opaque text (older snapshots have none). */
  Decisions = 10,
  /** A user's preferences, as JSON text, after the subscriptions (older snapshots have none). */
  Preferences = 11,
}

/**
 * How each kind of the contract's fields is written: strings through the table of shared
 * strings (apps, groups, dates and enum values repeat), numbers as doubles, objects as
 * shared values. The content's fields follow the contract's field table: its required
 * fields in order, then (after the record's own fields) a number with bit `i` set for
 * each present optional field `i`, then those fields in order. A varuint, which is one
 * byte, as the flags byte of older snapshots was, until an eighth optional field.
 */
const fieldWriters: FieldWriters<ByteWriter> = {
  text: (out, value) => out.shared(value),
  'date-time': (out, value) => out.shared(value),
  enum: (out, value) => out.shared(value),
  number: (out, value) => out.f64(value),
  payload: (out, value) => out.sharedValue(value),
  'target-policy': (out, value) => out.sharedValue(value),
  'fallback-policy': (out, value) => out.sharedValue(value),
};

// Optional fields of a delivery, as bits.
export const hasNextAttempt = 1;
export const hasLastError = 2;
export const hasLease = 4;
export const isFallback = 8;
// Added with cross-device sync: snapshots written before it never set it.
export const isSync = 16;

// Optional fields of a subscription, as bits.
export const hasSecret = 1;
export const hasStatusReason = 2;
export const isInactive = 4;

/** A name from a fixed list, by index. */
function indexOf(list: readonly string[], name: string, what: string): number {
  const index = list.indexOf(name);
  if (index < 0) throw new TypeError(`cannot write the ${what} ${JSON.stringify(name)} to a snapshot`);
  return index;
}

/** The name at `index` of a fixed list; a RangeError for a number the list does not have. */
export function named<T extends string>(list: readonly T[], index: number, what: string): T {
  const name = list[index];
  if (name === undefined) throw new RangeError(`an unknown ${what} number ${index}`);
  return name;
}

/** Counts that the end item carries, to check a snapshot was read whole. */
export interface SnapshotCounts {
  /** Users written. */
  users: number;
  /** Notifications written. */
  notifications: number;
}

// ---- Writing ---------------------------------------------------------------------

function writeRecordBody(out: ByteWriter, record: StoredNotification): void {
  out.str(record.id);
  writeFields(out, record, requiredContentFields, fieldWriters);
  out.shared(record.createdDateTime);
  out.shared(record.lastModifiedDateTime);
  out.u8(indexOf(readStates, record.readState, 'read state'));
  out.u8(indexOf(userActionStates, record.userActionState, 'action state'));
  out.varuint(record.sequence);
  out.varuint(presentFields(record, optionalContentFields));
  writeFields(out, record, optionalContentFields, fieldWriters);
}

function writeDelivery(out: ByteWriter, delivery: DeliveryImage): void {
  out.str(delivery.id);
  out.shared(delivery.subscriptionId);
  out.shared(delivery.transport);
  out.u8(indexOf(platformTypes, delivery.platformType, 'platform'));
  out.u8(indexOf(deliveryStatuses, delivery.status, 'delivery status'));
  out.varuint(delivery.attempts);
  const flags =
    (delivery.nextAttemptAt !== null ? hasNextAttempt : 0) |
    (delivery.lastError !== undefined ? hasLastError : 0) |
    (delivery.lease !== undefined ? hasLease : 0) |
    (delivery.kind === 'fallback' ? isFallback : 0) |
    (delivery.kind === 'sync' ? isSync : 0);
  out.u8(flags);
  out.f64(delivery.createdAt);
  out.f64(delivery.updatedAt);
  if (delivery.nextAttemptAt !== null) out.f64(delivery.nextAttemptAt);
  if (delivery.lastError !== undefined) {
    out.shared(delivery.lastError.code);
    out.shared(delivery.lastError.message);
    out.f64(delivery.lastError.at);
  }
  if (delivery.lease !== undefined) {
    out.shared(delivery.lease.owner);
    out.str(delivery.lease.token);
    out.f64(delivery.lease.expiresAt);
  }
}

function writeNotification(out: ByteWriter, image: NotificationImage): void {
  out.u8(Tag.Notification);
  writeRecordBody(out, image.record);
  out.f64(image.expiresAt);
  out.varuint(image.position);
  out.varuint(image.createdSequence);
  out.varuint(image.deliveries.length);
  for (const delivery of image.deliveries) writeDelivery(out, delivery);
  if (image.decisions === undefined) return;
  out.u8(Tag.Decisions);
  out.str(image.decisions);
}

function writeSubscription(out: ByteWriter, record: StoredSubscription, expiresAt: number, createdAt: number): void {
  out.u8(Tag.Subscription);
  out.str(record.id);
  out.shared(record.userId);
  out.shared(record.targetHostName);
  out.u8(indexOf(platformTypes, record.platformType, 'platform'));
  out.shared(record.transport);
  out.str(record.address);
  out.shared(record.createdDateTime);
  out.shared(record.lastModifiedDateTime);
  out.shared(record.expirationDateTime);
  out.u8((record.secret !== undefined ? hasSecret : 0) | (record.statusReason !== undefined ? hasStatusReason : 0) | (record.status === 'inactive' ? isInactive : 0));
  if (record.secret !== undefined) out.str(record.secret);
  if (record.statusReason !== undefined) out.shared(record.statusReason);
  out.f64(expiresAt);
  out.f64(createdAt);
}

/**
 * Writes `image` item by item, calling `flush` whenever `out` holds at least
 * `chunkBytes` (the caller writes the chunk out and resets `out`; awaiting it gives the
 * event loop a turn, so a large snapshot does not hold up the store's calls).
 */
export async function writeImage(out: ByteWriter, image: StateImage, chunkBytes: number, flush: () => Promise<void>): Promise<SnapshotCounts> {
  const counts: SnapshotCounts = { users: 0, notifications: 0 };
  const maybeFlush = async (): Promise<void> => {
    if (out.length >= chunkBytes) await flush();
  };
  for (const user of image.users) {
    out.u8(Tag.User);
    out.str(user.userId);
    out.varuint(user.sequence);
    out.varuint(user.purgedThrough);
    counts.users++;
    for (const notification of user.notifications) {
      writeNotification(out, notification);
      counts.notifications++;
      await maybeFlush();
    }
    for (const tombstone of user.tombstones) {
      if (tombstone.syncs === undefined) {
        out.u8(Tag.Tombstone);
        out.str(tombstone.notificationId);
      } else {
        out.u8(Tag.TombstoneWithSyncs);
        writeRecordBody(out, tombstone.syncs.deleted);
      }
      out.varuint(tombstone.sequence);
      out.f64(tombstone.deletedAt);
      if (tombstone.syncs === undefined) continue;
      out.varuint(tombstone.syncs.deliveries.length);
      for (const delivery of tombstone.syncs.deliveries) writeDelivery(out, delivery);
      await maybeFlush();
    }
    await maybeFlush();
  }
  for (const { record, expiresAt, createdAt } of image.subscriptions) {
    writeSubscription(out, record, expiresAt, createdAt);
    await maybeFlush();
  }
  for (const [userId, preferences] of image.preferences) {
    out.u8(Tag.Preferences);
    out.str(userId);
    out.str(JSON.stringify(preferences));
    await maybeFlush();
  }
  for (const key of image.idempotencyKeys) {
    out.u8(Tag.IdempotencyKey);
    out.shared(key.userId);
    out.str(key.key);
    out.str(key.fingerprint);
    out.f64(key.expiresAt);
    out.u8(key.created ? 1 : 0);
    out.shared(key.notification.userId);
    writeRecordBody(out, key.notification);
    await maybeFlush();
  }
  for (const letter of image.deadLetters) {
    out.u8(Tag.DeadLetter);
    out.shared(letter.userId);
    out.str(letter.deliveryId);
    out.f64(letter.diedAt);
    out.varuint(letter.serial);
    await maybeFlush();
  }
  if (image.retiredSequence > 0) {
    out.u8(Tag.RetiredSequence);
    out.varuint(image.retiredSequence);
  }
  out.u8(Tag.End);
  out.varuint(image.deadLetterSerial);
  out.varuint(counts.users);
  out.varuint(counts.notifications);
  return counts;
}
