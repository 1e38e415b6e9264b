/**
 * Rebuilding an engine from a state image fed piece by piece (as a snapshot file is
 * read), building its indexes directly rather than replaying operations: the fast way to
 * open a large store.
 */
import { FinishedDelivery, OpenDelivery } from './delivery-record.js';
import type { StoredDelivery } from './delivery-record.js';
import { FeedEntry } from './feed-entry.js';
import { engineParts, MemoryState } from './memory-state.js';
import type { MemoryStateOptions } from './parts.js';
import type { StateRestorer } from './state-image.js';
import { Tombstone } from './tombstone.js';
import type { UserFeed } from './user-feed.js';

/** A restorer that builds a fresh engine with `options` from the image it is fed. */
export function stateRestorer(options: MemoryStateOptions = {}): StateRestorer<MemoryState> {
  const state = new MemoryState(options);
  const parts = engineParts(state);
  let user: UserFeed | undefined;
  let entries: FeedEntry[] = [];
  /** The entry the deliveries that follow belong to: the last notification, or deleted notification with syncs, added. */
  let holder: FeedEntry | undefined;
  /** Deliveries the last notification announced, and how many of them came so far. */
  let announced = 0;
  let listed = 0;
  const checkDeliveriesListed = (): void => {
    if (listed !== announced) throw parts.fail('STORE_CORRUPT', `a snapshot announces ${announced} deliveries of a notification but lists ${listed}`);
  };
  let tombstones: Tombstone[] = [];

  /** The change log goes in sequence order: notifications by their last change, tombstones between. */
  const endUser = (): void => {
    if (user === undefined) return;
    checkDeliveriesListed();
    let sorted = true;
    for (let i = 1; i < entries.length && sorted; i++) sorted = (entries[i - 1] as FeedEntry).record.sequence < (entries[i] as FeedEntry).record.sequence;
    if (!sorted) entries.sort((a, b) => a.record.sequence - b.record.sequence);
    let t = 0;
    for (const entry of entries) {
      for (; t < tombstones.length && (tombstones[t] as Tombstone).sequence < entry.record.sequence; t++) user.changes.append(tombstones[t] as Tombstone);
      user.changes.append(entry);
    }
    for (; t < tombstones.length; t++) user.changes.append(tombstones[t] as Tombstone);
    parts.users.expiryChanged(user);
    // A user with nothing left (an image from before users were forgotten) is forgotten now.
    parts.users.forgetIfEmpty(user);
    user = undefined;
    holder = undefined;
    entries = [];
    tombstones = [];
  };

  return {
    user(userId, sequence, purgedThrough) {
      endUser();
      user = parts.users.open(userId);
      user.indexLater();
      user.sequence = sequence;
      user.purgedThrough = purgedThrough;
    },
    notification(record, expiresAt, position, createdSequence, deliveryCount) {
      if (user === undefined) throw parts.fail('STORE_CORRUPT', 'a snapshot lists a notification before its user');
      const entry = new FeedEntry(record, expiresAt);
      entry.position = position;
      entry.createdSequence = createdSequence;
      user.restore(entry);
      parts.bounds.created(entry);
      checkDeliveriesListed();
      // Exactly the size announced: pushing onto an empty array reserves room for 17.
      if (deliveryCount > 0) entry.deliveries = new Array<StoredDelivery>(deliveryCount);
      announced = deliveryCount;
      listed = 0;
      entries.push(entry);
      holder = entry;
    },
    delivery(id, subscriptionId, transport, platformType, kind, status, attempts, nextAttemptAt, createdAt, updatedAt, lastError, lease) {
      const entry = holder;
      if (user === undefined || entry?.deliveries === undefined || listed === announced) {
        throw parts.fail('STORE_CORRUPT', 'a snapshot lists a delivery outside a notification, or more than it announced');
      }
      let delivery: StoredDelivery;
      if (status === 'pending' || status === 'failed') {
        const open = new OpenDelivery(id, entry, subscriptionId, transport, platformType, kind, createdAt, nextAttemptAt ?? createdAt);
        open.status = status;
        open.attempts = attempts;
        open.updatedAt = updatedAt;
        open.lastError = lastError;
        open.lease = lease;
        parts.due.schedule(open);
        delivery = open;
      } else {
        delivery = new FinishedDelivery(id, entry, subscriptionId, transport, platformType, kind, status, attempts, createdAt, updatedAt, lastError);
      }
      // Indexed by id when first needed (UserFeed.deliveries).
      entry.deliveries[listed++] = delivery;
    },
    packedDeliveries(count, source, offset) {
      const entry = entries.at(-1);
      if (user === undefined || entry === undefined || holder !== entry || listed !== 0 || count !== announced || count === 0) {
        throw parts.fail('STORE_CORRUPT', 'a snapshot lists packed deliveries outside a notification, or not as many as it announced');
      }
      entry.pack(source, offset);
      listed = announced;
    },
    tombstone(image, deliveryCount = 0) {
      if (user === undefined) throw parts.fail('STORE_CORRUPT', 'a snapshot lists a tombstone before its user');
      checkDeliveriesListed();
      const tombstone = new Tombstone(user.userId, image.notificationId, image.sequence, image.deletedAt);
      tombstones.push(tombstone);
      parts.tombstones.push(image.deletedAt, tombstone);
      holder = undefined;
      const deleted = image.syncs?.deleted;
      if (deleted === undefined || deliveryCount === 0) return;
      // The deleted notification's entry, out of the feed, holds the deletion's syncs.
      const entry = new FeedEntry(deleted, Number.POSITIVE_INFINITY);
      entry.position = -1;
      entry.deliveries = new Array<StoredDelivery>(deliveryCount);
      tombstone.syncs = entry;
      user.deletionSyncs.set(image.notificationId, entry);
      announced = deliveryCount;
      listed = 0;
      holder = entry;
    },
    subscription(image) {
      endUser();
      parts.subscriptions.restore(image.record, image.expiresAt, image.createdAt);
    },
    idempotencyKey(image) {
      endUser();
      parts.idempotency.record(image);
    },
    deadLetter(image) {
      endUser();
      const delivery = parts.users.get(image.userId)?.deliveries.get(image.deliveryId);
      if (!(delivery instanceof FinishedDelivery) || delivery.status !== 'dead') {
        throw parts.fail('STORE_CORRUPT', `a snapshot lists delivery ${JSON.stringify(image.deliveryId)} as dead, but it is not`);
      }
      parts.deadLetters.restore(delivery, image.diedAt, image.serial);
    },
    decisions(decisions) {
      const entry = entries.at(-1);
      if (user === undefined || entry === undefined || holder !== entry) throw parts.fail('STORE_CORRUPT', 'a snapshot lists delivery decisions outside a notification');
      entry.decisions = decisions;
    },
    preferences(userId, preferences) {
      endUser();
      state.setPreferences(userId, preferences);
    },
    retiredSequence(sequence) {
      parts.users.restoreRetiredSequence(sequence);
    },
    finish(deadLetterSerial) {
      endUser();
      parts.deadLetters.restoreSerial(deadLetterSerial);
      return state;
    },
  };
}
