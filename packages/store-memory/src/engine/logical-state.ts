/**
 * The logical state: what an engine holds, as plain data. Equal logical states mean
 * equal engines, whatever the heaps and indexes look like inside, so tests compare
 * engines by them (and a durable store can check a replay against one). Not to be
 * confused with a state image (state-image.ts), which keeps what a restore needs.
 */
import type { DeliveryRecord, NotificationPreferences, StoredNotification, StoredSubscription } from '@herald/core/store';
import type { IdempotencyEntry } from './idempotency-keys.js';
import { Tombstone } from './tombstone.js';
import type { UserFeed } from './user-feed.js';

/** One stored notification in a {@link LogicalState}. */
export interface LogicalNotification {
  /** The record as readers get it. */
  readonly notification: StoredNotification;
  /** Its feed position. */
  readonly position: number;
  /** The sequence of its creation. */
  readonly createdSequence: number;
  /** Its deliveries, oldest first. */
  readonly deliveries: readonly DeliveryRecord[];
  /** The delivery decisions its last write kept; absent when it kept none. */
  readonly decisions?: string;
}

/** One user in a {@link LogicalState}. */
export interface LogicalUser {
  /** The user. */
  readonly userId: string;
  /** The user's change sequence. */
  readonly sequence: number;
  /** The highest sequence of a purged tombstone. */
  readonly purgedThrough: number;
  /** Stored notifications (expired ones until purged), by feed position. */
  readonly notifications: readonly LogicalNotification[];
  /** Tombstones not yet purged, by sequence. */
  readonly tombstones: readonly LogicalTombstone[];
}

/** A tombstone in a {@link LogicalUser}. */
export interface LogicalTombstone {
  readonly notificationId: string;
  readonly sequence: number;
  readonly deletedAt: number;
  /** The deletion's sync deliveries, oldest first; present only when it made some. */
  readonly syncs?: readonly DeliveryRecord[];
}

/**
 * The logical state of an engine as plain data: equal logical states mean equal engines,
 * whatever the heaps and indexes look like inside.
 */
export interface LogicalState {
  /** Every user the store holds a feed for, in the order it first saw them. */
  readonly users: readonly LogicalUser[];
  /** The highest sequence a forgotten user reached: where a feed made again starts. */
  readonly retiredSequence: number;
  /** Every subscription, in creation order. */
  readonly subscriptions: readonly StoredSubscription[];
  /** Recorded idempotency keys (expired ones until purged). */
  readonly idempotencyKeys: readonly {
    readonly userId: string;
    readonly key: string;
    readonly fingerprint: string;
    readonly expiresAt: number;
    readonly notificationId: string;
    readonly created: boolean;
  }[];
  /** Ids of the dead deliveries, oldest death first. */
  readonly deadDeliveryIds: readonly string[];
  /** The earliest time a delivery becomes claimable. */
  readonly nextDueAt: number | undefined;
  /** Users' preferences by user, in the order they were first set. */
  readonly preferences: readonly (readonly [userId: string, preferences: NotificationPreferences])[];
}

/** What a logical state is read from. */
export interface LogicalStateSources {
  /** The users, in the order the store first saw them. */
  readonly users: Iterable<UserFeed>;
  /** The highest sequence a forgotten user reached. */
  readonly retiredSequence: number;
  /** The subscriptions, in creation order. */
  readonly subscriptions: readonly StoredSubscription[];
  /** The recorded idempotency keys. */
  readonly idempotencyKeys: readonly IdempotencyEntry[];
  /** The dead deliveries' ids, oldest death first. */
  readonly deadDeliveryIds: readonly string[];
  /** The earliest time a delivery becomes claimable. */
  readonly nextDueAt: number | undefined;
  /** Users' preferences. */
  readonly preferences: ReadonlyMap<string, NotificationPreferences>;
}

function logicalUser(user: UserFeed): LogicalUser {
  const notifications: LogicalNotification[] = [];
  user.feed.visitOldestFirst((entry) => {
    notifications.push({
      notification: entry.record,
      position: entry.position,
      createdSequence: entry.createdSequence,
      deliveries: (entry.deliveries ?? []).map((delivery) => delivery.toRecord()),
      ...(entry.decisions === undefined ? {} : { decisions: entry.decisions }),
    });
  });
  const tombstones: LogicalTombstone[] = [];
  user.changes.visitAfter(0, (change) => {
    if (change instanceof Tombstone) {
      const { notificationId, sequence, deletedAt, syncs } = change;
      tombstones.push(
        syncs === undefined ? { notificationId, sequence, deletedAt } : { notificationId, sequence, deletedAt, syncs: (syncs.deliveries ?? []).map((delivery) => delivery.toRecord()) },
      );
    }
    return true;
  });
  return { userId: user.userId, sequence: user.sequence, purgedThrough: user.purgedThrough, notifications, tombstones };
}

/** The logical state of an engine's parts. */
export function logicalState(sources: LogicalStateSources): LogicalState {
  return {
    users: [...sources.users].map(logicalUser),
    retiredSequence: sources.retiredSequence,
    subscriptions: sources.subscriptions,
    idempotencyKeys: sources.idempotencyKeys.map((entry) => ({
      userId: entry.userId,
      key: entry.key,
      fingerprint: entry.fingerprint,
      expiresAt: entry.expiresAt,
      notificationId: entry.notification.id,
      created: entry.created,
    })),
    deadDeliveryIds: sources.deadDeliveryIds,
    nextDueAt: sources.nextDueAt,
    preferences: [...sources.preferences],
  };
}
