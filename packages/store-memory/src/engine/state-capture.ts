/**
 * Taking a state image of an engine's parts (see state-image.ts): a synchronous walk,
 * so a durable store holds up its calls only for as long as the walk takes.
 */
import type { NotificationPreferences } from '@herald/core/store';
import type { DeadLetterIndex } from './dead-letter-index.js';
import { OpenDelivery } from './delivery-record.js';
import type { FeedEntry } from './feed-entry.js';
import type { IdempotencyKeys } from './idempotency-keys.js';
import type { DeliveryImage, NotificationImage, StateImage, TombstoneImage, UserImage } from './state-image.js';
import type { SubscriptionTable } from './subscription-table.js';
import { Tombstone } from './tombstone.js';
import type { UserDirectory } from './user-directory.js';

/** The engine's parts an image is taken from. */
export interface CaptureSources {
  readonly users: UserDirectory;
  readonly preferences: ReadonlyMap<string, NotificationPreferences>;
  readonly subscriptions: SubscriptionTable;
  readonly idempotency: IdempotencyKeys;
  readonly deadLetters: DeadLetterIndex;
}

/**
 * The whole state at this instant, as an image a snapshot can be written from while the
 * engine goes on changing (records are shared: they are frozen and only ever replaced;
 * open deliveries are copied).
 */
export function captureState({ users, subscriptions, idempotency, deadLetters, preferences }: CaptureSources): StateImage {
  const userImages: UserImage[] = [];
  for (const user of users.values()) {
    const notifications: NotificationImage[] = [];
    user.feed.visitOldestFirst((entry) => {
      const image = { record: entry.record, expiresAt: entry.expiresAt, position: entry.position, createdSequence: entry.createdSequence, deliveries: deliveryImages(entry) };
      notifications.push(entry.decisions === undefined ? image : { ...image, decisions: entry.decisions });
    });
    const tombstones: TombstoneImage[] = [];
    user.changes.visitAfter(0, (change) => {
      if (!(change instanceof Tombstone)) return true;
      const { notificationId, sequence, deletedAt, syncs } = change;
      tombstones.push(syncs === undefined ? { notificationId, sequence, deletedAt } : { notificationId, sequence, deletedAt, syncs: { deleted: syncs.record, deliveries: deliveryImages(syncs) } });
      return true;
    });
    userImages.push({ userId: user.userId, sequence: user.sequence, purgedThrough: user.purgedThrough, notifications, tombstones });
  }
  return {
    users: userImages,
    retiredSequence: users.retiredSequence,
    subscriptions: subscriptions.entries(),
    idempotencyKeys: idempotency.all(),
    deadLetters: deadLetters.letters().map(({ delivery, diedAt, serial }) => ({
      userId: delivery.notification.record.userId,
      deliveryId: delivery.id,
      diedAt,
      serial,
    })),
    deadLetterSerial: deadLetters.serial,
    // Frozen records, shared as they are: a change replaces a user's, never edits it.
    preferences: [...preferences],
  };
}

/** The images of an entry's deliveries, oldest first (packed ones stay packed in the entry). */
function deliveryImages(entry: FeedEntry): DeliveryImage[] {
  return (entry.deliveriesToCopy ?? []).map((delivery) => (delivery instanceof OpenDelivery ? openDeliveryImage(delivery) : delivery));
}

/** An open delivery's image, copied (the delivery changes in place). */
function openDeliveryImage(delivery: OpenDelivery): DeliveryImage {
  return {
    id: delivery.id,
    subscriptionId: delivery.subscriptionId,
    transport: delivery.transport,
    platformType: delivery.platformType,
    kind: delivery.kind,
    status: delivery.status,
    attempts: delivery.attempts,
    nextAttemptAt: delivery.nextAttemptAt,
    createdAt: delivery.createdAt,
    updatedAt: delivery.updatedAt,
    lastError: delivery.lastError,
    lease: delivery.lease,
  };
}
