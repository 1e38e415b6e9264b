/**
 * Reading a snapshot's items (see snapshot-format.ts for the items and how they are
 * written) into a state restorer, chunk by chunk.
 */
import { optionalContentFields, platformTypes, readFields, readStates, requiredContentFields, userActionStates, deliveryStatuses } from '@herald/core/store';
import type { ContentField, DeliveryError, DeliveryKind, DeliveryLease, DeliveryStatus, FieldReaders, NotificationContent, NotificationPreferences, PlatformType, StoredNotification, StoredSubscription } from '@herald/core/store';
import { restoredRecord } from '@herald/store-memory/engine';
import type { RestoredFields, StateRestorer } from '@herald/store-memory/engine';
import type { ByteReader } from './binary-buffer.js';
import { DeliveryArena, readDelivery } from './delivery-reading.js';
import { hasSecret, hasStatusReason, isInactive, named, Tag, type SnapshotCounts } from './snapshot-format.js';

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

/**
 * What a record is read into before its constructor copies it: one object for every
 * record read, not two per record, since opening a large store is mostly reading records
 * and each object it leaves behind is garbage the collector must sift from the records kept.
 */
const scratchContent: Partial<NotificationContent> = {};
const scratchFields: { -readonly [K in keyof RestoredFields]: RestoredFields[K] } = {
  id: '',
  userId: '',
  targetHostName: '',
  createdDateTime: '',
  lastModifiedDateTime: '',
  sequence: 0,
  readState: 'unread',
  userActionState: 'noInteraction',
};

function readRecord(input: ByteReader, userId: string): StoredNotification {
  const content = scratchContent;
  // Optional fields of the last record must not carry over: only the present ones are read.
  const cleared = content as Record<ContentField, unknown>;
  for (let index = 0; index < optionalContentFields.length; index++) cleared[optionalContentFields[index] as ContentField] = undefined;
  const fields = scratchFields;
  fields.id = input.str();
  // Filled in from the field table: required fields here, optional ones after the flags.
  readFields(input, requiredContentFields, fieldReaders, content);
  fields.createdDateTime = input.shared();
  fields.lastModifiedDateTime = input.shared();
  fields.readState = named(readStates, input.u8(), 'read state');
  fields.userActionState = named(userActionStates, input.u8(), 'action state');
  fields.sequence = input.varuint();
  const present = input.varuint();
  if (present >= 1 << optionalContentFields.length) throw new RangeError(`a notification with unknown optional fields (flags ${present})`);
  readFields(input, optionalContentFields, fieldReaders, content, present);
  fields.userId = userId;
  fields.targetHostName = content.targetHostName as string;
  return restoredRecord(content as NotificationContent, fields);
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
  /** Where the finished deliveries wait (see delivery-reading.ts). */
  readonly #arena: DeliveryArena;

  constructor(
    private readonly input: ByteReader,
    private readonly restorer: StateRestorer<State>,
  ) {
    this.#arena = new DeliveryArena(input);
  }

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
          const packed = count === 0 ? -1 : this.#arena.pack(input, count);
          if (packed >= 0) restorer.packedDeliveries(count, this.#arena, packed);
          else for (let i = 0; i < count; i++) readDelivery(input, restorer);
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
        case Tag.Decisions:
          restorer.decisions(input.str());
          break;
        case Tag.Preferences:
          restorer.preferences(input.str(), JSON.parse(input.str()) as NotificationPreferences);
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
          this.#arena.trim();
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
