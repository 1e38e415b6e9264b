/**
 * A state image: everything an engine holds, as data a snapshot file can carry and a
 * restorer can rebuild an engine from. It is taken at one instant and then only read,
 * so it can be written out while the engine goes on changing: its records are the
 * engine's own frozen records (never changed, only replaced), and open deliveries are
 * copied.
 *
 * Unlike `LogicalState` (which tests compare), an image keeps what a restored engine
 * needs to behave exactly as the original: feed positions, creation sequences, leases,
 * the dead-letter serials behind page tokens, and the notification each idempotency key
 * replays as the first call stored it.
 */
import type { DeliveryError, DeliveryKind, DeliveryLease, DeliveryRecord, DeliveryStatus, NotificationPreferences, PlatformType, StoredNotification, StoredSubscription } from '@herald/core/store';
import type { PackedDeliveries } from './feed-entry.js';
import type { IdempotencyEntry } from './idempotency-keys.js';

/**
 * A delivery in an image: its record without the user and notification it belongs to
 * (the image nests it under them), with its last error and lease always present as keys.
 */
export type DeliveryImage = Pick<
  DeliveryRecord,
  'id' | 'subscriptionId' | 'transport' | 'platformType' | 'kind' | 'status' | 'attempts' | 'nextAttemptAt' | 'createdAt' | 'updatedAt'
> & {
  /** The last error met. */
  readonly lastError: DeliveryError | undefined;
  /** The claim on it, for an open delivery. */
  readonly lease: DeliveryLease | undefined;
};

/** A stored notification in an image. */
export interface NotificationImage {
  /** The record as readers get it. */
  readonly record: StoredNotification;
  /** When it expires (epoch ms): its `expirationDateTime` parsed, kept so a restore need not parse it again. */
  readonly expiresAt: number;
  /** Its feed position (the sequence of its last creation or update). */
  readonly position: number;
  /** The sequence of its creation. */
  readonly createdSequence: number;
  /** Its deliveries, oldest first. */
  readonly deliveries: readonly DeliveryImage[];
  /** The delivery decisions its last write kept; absent when it kept none. */
  readonly decisions?: string;
}

/** A deletion the change feed still reports. */
export interface TombstoneImage {
  /** The deleted notification. */
  readonly notificationId: string;
  /** The user's sequence at the deletion. */
  readonly sequence: number;
  /** When it was deleted (epoch ms). */
  readonly deletedAt: number;
  /**
   * For a deletion that made sync deliveries: the notification as it was deleted, and
   * those deliveries, oldest first (they stay until the tombstone is purged).
   */
  readonly syncs?: { readonly deleted: StoredNotification; readonly deliveries: readonly DeliveryImage[] } | undefined;
}

/** One user in an image. */
export interface UserImage {
  /** The user. */
  readonly userId: string;
  /** The user's change sequence. */
  readonly sequence: number;
  /** The highest sequence of a purged tombstone. */
  readonly purgedThrough: number;
  /** Stored notifications (expired ones until purged), by feed position. */
  readonly notifications: readonly NotificationImage[];
  /** Tombstones not purged yet, by sequence. */
  readonly tombstones: readonly TombstoneImage[];
}

/** A subscription in an image. */
interface SubscriptionImage {
  /** Its record. */
  readonly record: StoredSubscription;
  /** When it expires (epoch ms). */
  readonly expiresAt: number;
  /** When it was created (epoch ms): subscriptions list by it. */
  readonly createdAt: number;
}

/** A recorded idempotency key in an image: the key as the engine holds it. */
type IdempotencyImage = IdempotencyEntry;

/** A dead delivery's place in the dead-letter list. */
interface DeadLetterImage {
  /** The delivery's user. */
  readonly userId: string;
  /** The delivery. */
  readonly deliveryId: string;
  /** When it died (epoch ms). */
  readonly diedAt: number;
  /** The order it died in, as page tokens name it. */
  readonly serial: number;
}

/** Everything an engine holds, taken at one instant. */
export interface StateImage {
  /** Every user the engine holds a feed for. */
  readonly users: readonly UserImage[];
  /**
   * The highest sequence a forgotten user reached (a user is forgotten once nothing of
   * their feed is left): a feed made again starts there, so old cursors stay refused.
   */
  readonly retiredSequence: number;
  /** Every subscription, in creation order. */
  readonly subscriptions: readonly SubscriptionImage[];
  /** The recorded idempotency keys (expired ones until purged). */
  readonly idempotencyKeys: readonly IdempotencyImage[];
  /** The dead deliveries, oldest death first. */
  readonly deadLetters: readonly DeadLetterImage[];
  /** The serial the last death got. */
  readonly deadLetterSerial: number;
  /** Users' preferences, in the order they were first set. */
  readonly preferences: readonly (readonly [userId: string, preferences: NotificationPreferences])[];
}

/**
 * Rebuilds an engine piece by piece, as a snapshot file is read (see
 * `stateRestorer`). Notifications and deliveries are passed field by field, not
 * as image objects: a large store has millions of them, and every object made only to
 * be read once is work for the garbage collector during the open.
 */
export interface StateRestorer<State> {
  /** Starts a user; the notifications and tombstones that follow are theirs. */
  user(userId: string, sequence: number, purgedThrough: number): void;
  /**
   * Adds a notification of the current user, expiring at `expiresAt` (epoch ms; its
   * `expirationDateTime` parsed); call in feed position order. Its `deliveryCount`
   * deliveries follow.
   */
  notification(record: StoredNotification, expiresAt: number, position: number, createdSequence: number, deliveryCount: number): void;
  /** Adds a delivery of the last notification (or tombstone with syncs) added; call oldest first. */
  delivery(
    id: string,
    subscriptionId: string,
    transport: string,
    platformType: PlatformType,
    kind: DeliveryKind,
    status: DeliveryStatus,
    attempts: number,
    nextAttemptAt: number | null,
    createdAt: number,
    updatedAt: number,
    lastError: DeliveryError | undefined,
    lease: DeliveryLease | undefined,
  ): void;
  /**
   * Gives the last notification added its `count` deliveries (all it announced, all
   * finished: none is due again) packed: `source.unpack(entry, offset)` makes them when
   * they are first asked for. Instead of `count` calls of {@link delivery}; the reader
   * must have checked them as it would for those calls, so unpacking cannot fail.
   */
  packedDeliveries(count: number, source: PackedDeliveries, offset: number): void;
  /**
   * Adds a tombstone of the current user; call in sequence order. With
   * `image.syncs.deleted`, its `deliveryCount` sync deliveries follow (`image.syncs.deliveries`
   * is not read: a reader streams them through `delivery`).
   */
  tombstone(image: TombstoneImage, deliveryCount?: number): void;
  /** Adds a subscription; call in creation order. */
  subscription(image: SubscriptionImage): void;
  /** Adds an idempotency key. */
  idempotencyKey(image: IdempotencyImage): void;
  /** Adds a dead delivery (already added with its notification) to the dead-letter list; call oldest death first. */
  deadLetter(image: DeadLetterImage): void;
  /** Keeps `decisions` with the last notification added (see {@link NotificationImage.decisions}). */
  decisions(decisions: string): void;
  /** Sets a user's preferences; an image from before preferences has none. */
  preferences(userId: string, preferences: NotificationPreferences): void;
  /** Sets the retired sequence (see {@link StateImage.retiredSequence}); an image without one has 0. */
  retiredSequence(sequence: number): void;
  /** Ends the image and returns the engine. */
  finish(deadLetterSerial: number): State;
}
