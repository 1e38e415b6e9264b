/**
 * The items of a snapshot file, in the order they are written: each user (then that
 * user's notifications by feed position, with their deliveries, and tombstones by
 * sequence), the subscriptions, the idempotency keys, the dead-letter list, and an end
 * item with counts to check the whole was read.
 *
 * Binary rather than JSON because opening a large store is mostly reading its snapshot:
 * strings that repeat (apps, groups, dates, subscription ids, payloads) are written once
 * and referred to after, and reading one back is an array look-up, not a parse.
 */
import { deliveryStatuses, optionalContentFields, platformTypes, presentFields, readFields, readStates, requiredContentFields, userActionStates, writeFields } from '@herald/core/store';
import type {
  DeliveryError,
  DeliveryKind,
  DeliveryLease,
  DeliveryStatus,
  FieldReaders,
  FieldWriters,
  NotificationContent,
  PlatformType,
  ReadState,
  StoredNotification,
  StoredSubscription,
  UserActionState,
} from '@herald/core/store';
import type { ByteReader, ByteWriter } from './binary-buffer.js';
import { restoredRecord } from '@herald/store-memory/engine';
import type { DeliveryImage, NotificationImage, StateImage, StateRestorer } from '@herald/store-memory/engine';

/** Item tags. */
const enum Tag {
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

/** The reading of each kind, as {@link fieldWriters} writes it. */
const fieldReaders: FieldReaders<ByteReader> = {
  text: (input) => input.shared(),
  'date-time': (input) => input.shared(),
  enum: (input) => input.shared(),
  number: (input) => input.f64(),
  payload: (input) => input.sharedValue() as NotificationContent['payload'],
  'target-policy': (input) => input.sharedValue() as NonNullable<NotificationContent['targetPolicy']>,
  'fallback-policy': (input) => input.sharedValue() as NonNullable<NotificationContent['fallbackPolicy']>,
};

// Optional fields of a delivery, as bits.
const hasNextAttempt = 1;
const hasLastError = 2;
const hasLease = 4;
const isFallback = 8;
// Added with cross-device sync: snapshots written before it never set it.
const isSync = 16;

// Optional fields of a subscription, as bits.
const hasSecret = 1;
const hasStatusReason = 2;
const isInactive = 4;

/** A name from a fixed list, by index. */
function indexOf(list: readonly string[], name: string, what: string): number {
  const index = list.indexOf(name);
  if (index < 0) throw new TypeError(`cannot write the ${what} ${JSON.stringify(name)} to a snapshot`);
  return index;
}

function named<T extends string>(list: readonly T[], index: number, what: string): T {
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

// ---- Reading ---------------------------------------------------------------------

function readRecord(input: ByteReader, userId: string): StoredNotification {
  const id = input.str();
  // Filled in from the field table: required fields here, optional ones after the flags.
  const content = {} as NotificationContent;
  readFields(input, requiredContentFields, fieldReaders, content);
  const createdDateTime = input.shared();
  const lastModifiedDateTime = input.shared();
  const readState: ReadState = named(readStates, input.u8(), 'read state');
  const userActionState: UserActionState = named(userActionStates, input.u8(), 'action state');
  const sequence = input.varuint();
  const present = input.varuint();
  if (present >= 1 << optionalContentFields.length) throw new RangeError(`a notification with unknown optional fields (flags ${present})`);
  readFields(input, optionalContentFields, fieldReaders, content, present);
  return restoredRecord(content, { id, userId, targetHostName: content.targetHostName, createdDateTime, lastModifiedDateTime, sequence, readState, userActionState });
}

function readDelivery<State>(input: ByteReader, restorer: StateRestorer<State>): void {
  const id = input.str();
  const subscriptionId = input.shared();
  const transport = input.shared();
  const platformType: PlatformType = named(platformTypes, input.u8(), 'platform');
  const status: DeliveryStatus = named(deliveryStatuses, input.u8(), 'delivery status');
  const attempts = input.varuint();
  const flags = input.u8();
  const createdAt = input.f64();
  const updatedAt = input.f64();
  const nextAttemptAt = (flags & hasNextAttempt) !== 0 ? input.f64() : null;
  let lastError: DeliveryError | undefined;
  if ((flags & hasLastError) !== 0) lastError = Object.freeze({ code: input.shared(), message: input.shared(), at: input.f64() });
  let lease: DeliveryLease | undefined;
  if ((flags & hasLease) !== 0) lease = Object.freeze({ owner: input.shared(), token: input.str(), expiresAt: input.f64() });
  const kind: DeliveryKind = (flags & isSync) !== 0 ? 'sync' : (flags & isFallback) !== 0 ? 'fallback' : 'notification';
  restorer.delivery(id, subscriptionId, transport, platformType, kind, status, attempts, nextAttemptAt, createdAt, updatedAt, lastError, lease);
}

function readSubscription(input: ByteReader): { record: StoredSubscription; expiresAt: number; createdAt: number } {
  const record: { -readonly [K in keyof StoredSubscription]: StoredSubscription[K] } = {
    id: input.str(),
    userId: input.shared(),
    targetHostName: input.shared(),
    platformType: named(platformTypes, input.u8(), 'platform'),
    transport: input.shared(),
    address: input.str(),
    createdDateTime: input.shared(),
    lastModifiedDateTime: input.shared(),
    expirationDateTime: input.shared(),
    status: 'active',
  };
  const flags = input.u8();
  if ((flags & hasSecret) !== 0) record.secret = input.str();
  if ((flags & isInactive) !== 0) record.status = 'inactive';
  if ((flags & hasStatusReason) !== 0) record.statusReason = input.shared();
  return { record: Object.freeze(record), expiresAt: input.f64(), createdAt: input.f64() };
}

/** Reads a snapshot item by item into a restorer. */
export class ImageReader<State> {
  #userId = '';
  #ended = false;
  readonly #counts: SnapshotCounts = { users: 0, notifications: 0 };
  #state: State | undefined;

  constructor(
    private readonly input: ByteReader,
    private readonly restorer: StateRestorer<State>,
  ) {}

  /** Reads every item of the chunk loaded into the reader. */
  readChunk(): void {
    const { input, restorer } = this;
    while (!input.done) {
      if (this.#ended) throw new RangeError('items after the end item');
      const tag = input.u8();
      switch (tag) {
        case Tag.User: {
          this.#userId = input.str();
          restorer.user(this.#userId, input.varuint(), input.varuint());
          this.#counts.users++;
          break;
        }
        case Tag.Notification: {
          const record = readRecord(input, this.#userId);
          const expiresAt = input.f64();
          const position = input.varuint();
          const createdSequence = input.varuint();
          const count = input.varuint();
          restorer.notification(record, expiresAt, position, createdSequence, count);
          for (let i = 0; i < count; i++) readDelivery(input, restorer);
          this.#counts.notifications++;
          break;
        }
        case Tag.Tombstone:
          restorer.tombstone({ notificationId: input.str(), sequence: input.varuint(), deletedAt: input.f64() });
          break;
        case Tag.TombstoneWithSyncs: {
          const deleted = readRecord(input, this.#userId);
          const sequence = input.varuint();
          const deletedAt = input.f64();
          const count = input.varuint();
          restorer.tombstone({ notificationId: deleted.id, sequence, deletedAt, syncs: { deleted, deliveries: [] } }, count);
          for (let i = 0; i < count; i++) readDelivery(input, restorer);
          break;
        }
        case Tag.Subscription:
          restorer.subscription(readSubscription(input));
          break;
        case Tag.IdempotencyKey: {
          const userId = input.shared();
          const key = input.str();
          const fingerprint = input.str();
          const expiresAt = input.f64();
          const created = input.u8() === 1;
          const notification = readRecord(input, input.shared());
          restorer.idempotencyKey({ userId, key, fingerprint, expiresAt, created, notification });
          break;
        }
        case Tag.DeadLetter:
          restorer.deadLetter({ userId: input.shared(), deliveryId: input.str(), diedAt: input.f64(), serial: input.varuint() });
          break;
        case Tag.RetiredSequence:
          restorer.retiredSequence(input.varuint());
          break;
        case Tag.End: {
          const serial = input.varuint();
          const users = input.varuint();
          const notifications = input.varuint();
          if (users !== this.#counts.users || notifications !== this.#counts.notifications) {
            throw new RangeError(`the end item counts ${users} users and ${notifications} notifications, but ${this.#counts.users} and ${this.#counts.notifications} were read`);
          }
          this.#state = restorer.finish(serial);
          this.#ended = true;
          break;
        }
        default:
          throw new RangeError(`an unknown item tag ${tag}`);
      }
    }
  }

  /** The restored state; throws when the end item was not read (the snapshot is cut short). */
  finish(): State {
    if (this.#state === undefined) throw new RangeError('the snapshot ends before its end item');
    return this.#state;
  }
}
