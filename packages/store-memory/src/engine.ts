/**
 * The memory store's engine: a synchronous, deterministic state machine. Every method
 * takes all it needs as arguments (ids, lease tokens, the time) and never reads a clock
 * or a random source, so the same operations in the same order always leave the same
 * state. The memory store wraps it; a durable store can replay a log of these
 * operations into it.
 *
 * Arguments are trusted: the service checks and normalises them before a store sees them.
 * Returned records are frozen; returned arrays are fresh.
 *
 * For durable stores built on it (the file store) it also offers state images to write
 * snapshots from (`capture`), rebuilding an engine from one (`restorer`), and replaying
 * claims and purges by what they chose rather than by heap order (`leaseDeliveries`,
 * `purgeListed`), because a restored heap breaks ties in another order than the original.
 */
import { formatDateTime, supersededDeliveryError } from '@herald/core/store';
import type {
  ChangePage,
  ClaimedDelivery,
  ClaimRequest,
  DeadDeliveryPage,
  DeliveryError,
  DeliveryOutcome,
  DeliveryRecord,
  FeedPage,
  FeedQuery,
  LeaseRef,
  ListedNotificationWrite,
  NewDelivery,
  NewSubscription,
  NotificationContent,
  NotificationStatePatch,
  PurgeRequest,
  PurgeResult,
  SaveResult,
  StoredChange,
  StoredNotification,
  StoredSubscription,
  SubscriptionPatch,
  UnreadFilter,
} from '@herald/core/store';
import { DeadLetterIndex } from './dead-letter-index.js';
import { deliveryError, FinishedDelivery, OpenDelivery } from './delivery-record.js';
import type { StoredDelivery } from './delivery-record.js';
import { DueQueue } from './due-queue.js';
import { errorFactory, type HeraldError, type HeraldErrorCode } from '@herald/core/store';
import { errorSource } from './errors.js';
import { EvictionBounds } from './eviction-bounds.js';
import { FeedEntry } from './feed-entry.js';
import { flat } from './flat-string.js';
import { IdempotencyKeys } from './idempotency-keys.js';
import { MinHeap } from './min-heap.js';
import { ContentInterner, expiryTime, freezeContent, notificationRecord, withState } from './notification-record.js';
import { captureState } from './state-capture.js';
import { takeSnapshot } from './snapshot.js';
import type { MemorySnapshot } from './snapshot.js';
import type { StateImage, StateRestorer } from './state-image.js';
import { SubscriptionTable } from './subscription-table.js';
import { Tombstone } from './tombstone.js';
import { matchesFilter } from './unread-counters.js';
import { UserDirectory } from './user-directory.js';
import type { UserFeed } from './user-feed.js';

export type { MemorySnapshot, NotificationSnapshot, UserSnapshot } from './snapshot.js';
export type { DeliveryImage, NotificationImage, StateImage, StateRestorer, TombstoneImage, UserImage } from './state-image.js';
export { restoredRecord } from './notification-record.js';

/** The engine's settings: the memory store's bounds, already checked. */
export interface MemoryStateOptions {
  /** Most notifications one user keeps; the lowest feed position is evicted beyond it. */
  readonly maxNotificationsPerUser?: number | undefined;
  /** Most notifications the store keeps; the least recently written is evicted beyond it. */
  readonly maxNotifications?: number | undefined;
  /** The package its errors say they come from (`[herald] [<source>] …`); `store-memory` by default. */
  readonly errorSource?: string | undefined;
}

/** What {@link MemoryState.diagnostics} reports. @internal */
export interface EngineDiagnostics {
  readonly users: number;
  readonly feeds: number;
  readonly notifications: number;
  readonly dueNodes: number;
  readonly tombstoneNodes: number;
  readonly writeOrderEntries: number;
  readonly subscriptionExpiryNodes: number;
}

/** The memory store's state and every operation on it. */
export class MemoryState {
  readonly #users = new UserDirectory();
  readonly #due = new DueQueue();
  readonly #subscriptions = new SubscriptionTable();
  readonly #idempotency = new IdempotencyKeys();
  readonly #deadLetters: DeadLetterIndex;
  readonly #fail: (code: HeraldErrorCode, message: string) => HeraldError;
  /** Tombstones by deletion time, for purging old ones. */
  readonly #tombstones = new MinHeap<Tombstone>();
  readonly #bounds: EvictionBounds;
  readonly #interner = new ContentInterner();

  constructor(options: MemoryStateOptions = {}) {
    this.#bounds = new EvictionBounds(options.maxNotificationsPerUser, options.maxNotifications);
    this.#fail = errorFactory(options.errorSource ?? errorSource);
    this.#deadLetters = new DeadLetterIndex(this.#fail);
  }

  /** Stored notifications of all users, expired ones until purged. */
  get notificationCount(): number {
    return this.#bounds.stored;
  }

  /**
   * What the engine holds, for tests of its memory (not part of the store interface):
   * `users` counts the users with anything stored (a feed, a subscription, an idempotency
   * key), the rest count the nodes of its store-wide indexes, stale ones included.
   * @internal
   */
  diagnostics(): EngineDiagnostics {
    const users = new Set([...this.#users.values()].map((user) => user.userId));
    for (const userId of this.#subscriptions.userIds()) users.add(userId);
    for (const userId of this.#idempotency.userIds()) users.add(userId);
    return {
      users: users.size,
      feeds: this.#users.size,
      notifications: this.#bounds.stored,
      dueNodes: this.#due.nodes,
      tombstoneNodes: this.#tombstones.size,
      writeOrderEntries: this.#bounds.orderEntries,
      subscriptionExpiryNodes: this.#subscriptions.expiryNodes,
    };
  }

  // ---- Notifications -------------------------------------------------------------

  /** See `NotificationStore.saveNotification`; the store lists a planned write's deliveries first. */
  saveNotification(write: ListedNotificationWrite): SaveResult {
    const { notification: incoming, idempotency, now } = write;
    if (idempotency !== undefined) {
      const recorded = this.#idempotency.find(incoming.userId, idempotency.key, now);
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
    const content = freezeContent(incoming, this.#interner);
    const expiresAt = expiryTime(content.expirationDateTime);
    const existing = this.#users.get(incoming.userId)?.findByAppNotificationId(incoming.targetHostName, incoming.appNotificationId);
    // An expired notification with the same key counts as absent: it goes, with a tombstone.
    const replaced = existing !== undefined && existing.expiredAt(now) ? existing : undefined;
    const live = replaced === undefined ? existing : undefined;
    this.#checkFreshIds(write, live, replaced);

    const user = this.#users.open(incoming.userId);
    if (replaced !== undefined) this.#remove(user, replaced, now);
    const created = live === undefined;
    const entry = live === undefined ? this.#create(user, incoming.id, content, expiresAt, now) : this.#update(user, live, content, expiresAt, now);
    this.#users.expiryChanged(user);

    const deliveries = this.#addDeliveries(user, entry, write.deliveries, now);
    if (created) this.#evict(user, now);
    if (idempotency !== undefined) {
      this.#idempotency.record({
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

  /** See `NotificationStore.getNotification`. */
  getNotification(userId: string, notificationId: string, now: number): StoredNotification | undefined {
    const entry = this.#users.get(userId)?.notifications.get(notificationId);
    return entry === undefined || entry.expiredAt(now) ? undefined : entry.record;
  }

  /** See `NotificationStore.listFeed`. */
  listFeed(userId: string, query: FeedQuery, now: number): FeedPage {
    const user = this.#users.get(userId);
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
  countUnread(userId: string, filter: UnreadFilter, now: number): number {
    const user = this.#users.get(userId);
    if (user === undefined) return 0;
    let count = user.unread.unread(filter);
    // The counters still hold notifications that expired but were not purged: take them out.
    user.expiry.visitExpiredBy(now, (entry) => {
      if (entry.record.readState === 'unread' && matchesFilter(entry.record, filter)) count--;
    });
    return count;
  }

  /** See `NotificationStore.updateNotificationState`. */
  updateNotificationState(userId: string, notificationId: string, patch: NotificationStatePatch, now: number): StoredNotification | undefined {
    const user = this.#users.get(userId);
    const entry = user?.notifications.get(notificationId);
    if (user === undefined || entry === undefined || entry.expiredAt(now)) return undefined;
    const { record } = entry;
    const readState = patch.readState ?? record.readState;
    const userActionState = patch.userActionState ?? record.userActionState;
    if (readState === record.readState && userActionState === record.userActionState) return record;
    const next = withState(record, readState, userActionState, formatDateTime(now), ++user.sequence);
    user.restate(entry, next);
    return next;
  }

  /** See `NotificationStore.deleteNotification`. An expired notification counts as missing. */
  deleteNotification(userId: string, notificationId: string, now: number): boolean {
    const user = this.#users.get(userId);
    const entry = user?.notifications.get(notificationId);
    if (user === undefined || entry === undefined || entry.expiredAt(now)) return false;
    this.#remove(user, entry, now);
    return true;
  }

  /** See `NotificationStore.deleteGroup`. Deletes oldest position first; expired ones are left to the purge. */
  deleteGroup(userId: string, groupName: string, targetHostName: string | undefined, now: number): number {
    const user = this.#users.get(userId);
    if (user === undefined) return 0;
    const doomed: FeedEntry[] = [];
    user.feed.visitOldestFirst((entry) => {
      if (!entry.expiredAt(now) && matchesFilter(entry.record, { groupName, targetHostName })) doomed.push(entry);
    });
    for (const entry of doomed) this.#remove(user, entry, now);
    return doomed.length;
  }

  /** See `NotificationStore.listChanges`. */
  listChanges(userId: string, since: number, limit: number, now: number): ChangePage {
    const user = this.#users.get(userId);
    const current = user?.sequence ?? 0;
    if (since > current) {
      throw this.#fail('CURSOR_EXPIRED', `the change cursor (${since}) is ahead of this user's feed (${current}); read the feed again`);
    }
    if (user === undefined) return { changes: [], cursor: current, hasMore: false };
    if (since > 0 && since < user.purgedThrough) {
      throw this.#fail('CURSOR_EXPIRED', `deletions after the change cursor (${since}) were already purged; read the feed again`);
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

  // ---- Subscriptions -------------------------------------------------------------

  /** See `NotificationStore.createSubscription`; `id` is the fresh random id to use. */
  createSubscription(id: string, subscription: NewSubscription, now: number): StoredSubscription {
    return this.#subscriptions.create(id, subscription, now);
  }

  /** See `NotificationStore.getSubscription`. */
  getSubscription(subscriptionId: string): StoredSubscription | undefined {
    return this.#subscriptions.get(subscriptionId);
  }

  /** See `NotificationStore.listSubscriptions`. */
  listSubscriptions(userId: string): readonly StoredSubscription[] {
    return this.#subscriptions.list(userId);
  }

  /** See `NotificationStore.updateSubscription`. */
  updateSubscription(subscriptionId: string, patch: SubscriptionPatch, now: number): StoredSubscription | undefined {
    return this.#subscriptions.update(subscriptionId, patch, now);
  }

  /** See `NotificationStore.deleteSubscription`. Its deliveries stay. */
  deleteSubscription(subscriptionId: string): boolean {
    return this.#subscriptions.delete(subscriptionId);
  }

  // ---- Deliveries ----------------------------------------------------------------

  /** See `NotificationStore.listDeliveries`. Also for a notification that expired but is not purged. */
  listDeliveries(userId: string, notificationId: string): DeliveryRecord[] {
    const entry = this.#users.get(userId)?.notifications.get(notificationId);
    return (entry?.deliveries ?? []).map((delivery) => delivery.toRecord());
  }

  /** See `NotificationStore.getDelivery`. */
  getDelivery(userId: string, deliveryId: string): DeliveryRecord | undefined {
    const delivery = this.#users.get(userId)?.deliveries.get(deliveryId);
    return delivery?.toRecord();
  }

  /** See `NotificationStore.listDeadDeliveries`. */
  listDeadDeliveries(limit: number, after: string | undefined): DeadDeliveryPage {
    return this.#deadLetters.page(limit, after);
  }

  /** See `NotificationStore.retryDelivery`. */
  retryDelivery(userId: string, deliveryId: string, now: number): DeliveryRecord | undefined {
    const user = this.#users.get(userId);
    const delivery = user?.deliveries.get(deliveryId);
    if (user === undefined || delivery === undefined) return undefined;
    if (delivery instanceof OpenDelivery || delivery.status !== 'dead') return delivery.toRecord();
    const revived = OpenDelivery.revive(delivery, now);
    this.#deadLetters.remove(delivery);
    this.#replaceDelivery(user, delivery, revived);
    this.#due.schedule(revived);
    return revived.toRecord();
  }

  /** See `NotificationStore.cancelDeliveries`: leased deliveries are cancelled too. */
  cancelDeliveries(userId: string, notificationId: string, reason: string, now: number): number {
    const user = this.#users.get(userId);
    const entry = user?.notifications.get(notificationId);
    if (user === undefined || entry === undefined) return 0;
    return this.#cancelOpen(user, entry, deliveryError('CANCELLED', reason, now), now);
  }

  /** How many deliveries `claimDeliveries` would claim at `now`, at most `limit`: how many tokens to mint. */
  countDue(now: number, limit: number): number {
    return this.#due.countDue(now, limit);
  }

  /**
   * See `NotificationStore.claimDeliveries`. Claims at most `tokens.length` deliveries,
   * giving the n-th the n-th token.
   */
  claimDeliveries(request: ClaimRequest, tokens: readonly string[]): ClaimedDelivery[] {
    const { owner, now, leaseMs } = request;
    const limit = Math.min(request.limit, tokens.length);
    const taken: OpenDelivery[] = [];
    // Take them all before leasing any: a lease of zero length must not make one claimable twice.
    while (taken.length < limit) {
      const delivery = this.#due.takeDue(now);
      if (delivery === undefined) break;
      taken.push(delivery);
    }
    return taken.map((delivery, index) => {
      delivery.lease = Object.freeze({ owner: flat(owner), token: flat(tokens[index] as string), expiresAt: now + leaseMs });
      this.#due.schedule(delivery);
      const record = delivery.toRecord() as ClaimedDelivery['delivery'];
      const subscription = this.#subscriptions.get(delivery.subscriptionId);
      const claim: ClaimedDelivery =
        subscription === undefined
          ? { delivery: record, notification: delivery.notification.record }
          : { delivery: record, notification: delivery.notification.record, subscription };
      return Object.freeze(claim);
    });
  }

  /** See `NotificationStore.renewLease`. */
  renewLease(ref: LeaseRef, now: number, leaseMs: number): boolean {
    const delivery = this.#held(ref);
    if (delivery === undefined) return false;
    const { owner, token } = delivery.lease as NonNullable<OpenDelivery['lease']>;
    delivery.lease = Object.freeze({ owner, token, expiresAt: now + leaseMs });
    this.#due.schedule(delivery);
    return true;
  }

  /** See `NotificationStore.completeDelivery`. */
  completeDelivery(ref: LeaseRef, outcome: DeliveryOutcome, now: number): boolean {
    const delivery = this.#held(ref);
    const user = this.#users.get(ref.userId);
    if (delivery === undefined || user === undefined) return false;
    switch (outcome.status) {
      case 'failed':
        delivery.status = 'failed';
        delivery.attempts++;
        delivery.nextAttemptAt = outcome.nextAttemptAt;
        delivery.lastError = deliveryError(outcome.error.code, outcome.error.message, now);
        delivery.lease = undefined;
        delivery.updatedAt = now;
        this.#due.schedule(delivery);
        break;
      case 'delivered':
        this.#finish(user, delivery, delivery.finish('delivered', delivery.attempts + 1, now, delivery.lastError));
        break;
      case 'dead':
        this.#finish(user, delivery, delivery.finish('dead', delivery.attempts + 1, now, deliveryError(outcome.error.code, outcome.error.message, now)));
        break;
      case 'expired':
        this.#finish(user, delivery, delivery.finish('expired', delivery.attempts, now, delivery.lastError));
        break;
      case 'cancelled':
        this.#finish(user, delivery, delivery.finish('cancelled', delivery.attempts, now, deliveryError('CANCELLED', outcome.reason, now)));
        break;
    }
    return true;
  }

  /** See `NotificationStore.nextDueAt`. */
  nextDueAt(): number | undefined {
    return this.#due.nextDueAt();
  }

  // ---- Housekeeping --------------------------------------------------------------

  /**
   * See `NotificationStore.purgeExpired`. `removed` hears each expired
   * notification it removes, in order, so a log can replay the purge with `purgeListed`.
   */
  purgeExpired(request: PurgeRequest, removed?: (userId: string, notificationId: string) => void): PurgeResult {
    const { now, tombstonesBefore, limit } = request;
    // Old tombstones first, so the ones this purge leaves are not purged at once.
    this.#purgeTombstones(tombstonesBefore);
    let notifications = 0;
    let more = false;
    for (;;) {
      const key = this.#users.earliestExpiry();
      if (key === undefined || key > now) break;
      if (notifications === limit) {
        more = true;
        break;
      }
      const user = this.#users.earliestToExpire() as UserFeed;
      const entry = user.expiry.earliest() as FeedEntry;
      removed?.(user.userId, entry.record.id);
      this.#remove(user, entry, now);
      notifications++;
    }
    this.#idempotency.purge(now);
    const subscriptions = this.#subscriptions.expire(now);
    return { notifications, subscriptions, more };
  }

  // ---- For durable stores: replay, images, restarts ------------------------------

  /**
   * Replays a purge: the same as `purgeExpired(request)`, except that the expired
   * notifications removed are the listed ones, in the listed order (a restored engine's
   * heaps may order ties differently).
   */
  purgeListed(request: PurgeRequest, removed: readonly (readonly [userId: string, notificationId: string])[]): void {
    const { now, tombstonesBefore } = request;
    this.#purgeTombstones(tombstonesBefore);
    for (const [userId, notificationId] of removed) {
      const user = this.#users.get(userId);
      const entry = user?.notifications.get(notificationId);
      if (user !== undefined && entry !== undefined) this.#remove(user, entry, now);
    }
    this.#idempotency.purge(now);
    this.#subscriptions.expire(now);
  }

  /**
   * Replays a claim: leases the listed open deliveries with the listed tokens, as
   * `claimDeliveries` leased them (a restored due queue may order ties differently).
   */
  leaseDeliveries(owner: string, now: number, leaseMs: number, claims: readonly (readonly [userId: string, deliveryId: string, token: string])[]): void {
    for (const [userId, deliveryId, token] of claims) {
      const delivery = this.#users.get(userId)?.deliveries.get(deliveryId);
      if (!(delivery instanceof OpenDelivery)) continue;
      delivery.lease = Object.freeze({ owner: flat(owner), token: flat(token), expiresAt: now + leaseMs });
      this.#due.schedule(delivery);
    }
  }

  /**
   * Drops every lease: after a restart no instance holds a claim any more, so leased
   * deliveries are claimable again at once and tokens from before are refused.
   * Returns how many leases it dropped.
   */
  releaseAllLeases(): number {
    let released = 0;
    for (const delivery of this.#due.queued()) {
      if (delivery.lease === undefined) continue;
      delivery.lease = undefined;
      this.#due.schedule(delivery);
      released++;
    }
    return released;
  }

  /** The whole state at this instant, as an image a snapshot can be written from (see `captureState`). */
  capture(): StateImage {
    return captureState({ users: this.#users, subscriptions: this.#subscriptions, idempotency: this.#idempotency, deadLetters: this.#deadLetters });
  }

  /**
   * Rebuilds an engine from an image fed piece by piece (as a snapshot file is read),
   * building its indexes directly rather than replaying operations: the fast way to
   * open a large store.
   */
  static restorer(options: MemoryStateOptions = {}): StateRestorer<MemoryState> {
    const state = new MemoryState(options);
    let user: UserFeed | undefined;
    let entries: FeedEntry[] = [];
    /** Deliveries the last notification announced, and how many of them came so far. */
    let announced = 0;
    let listed = 0;
    const checkDeliveriesListed = (): void => {
      if (listed !== announced) throw state.#fail('STORE_CORRUPT', `a snapshot announces ${announced} deliveries of a notification but lists ${listed}`);
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
      state.#users.expiryChanged(user);
      // A user with nothing left (an image from before users were forgotten) is forgotten now.
      state.#users.forgetIfEmpty(user);
      user = undefined;
      entries = [];
      tombstones = [];
    };

    return {
      user(userId, sequence, purgedThrough) {
        endUser();
        user = state.#users.open(userId);
        user.sequence = sequence;
        user.purgedThrough = purgedThrough;
      },
      notification(record, expiresAt, position, createdSequence, deliveryCount) {
        if (user === undefined) throw state.#fail('STORE_CORRUPT', 'a snapshot lists a notification before its user');
        const entry = new FeedEntry(record, expiresAt);
        entry.position = position;
        entry.createdSequence = createdSequence;
        user.restore(entry);
        state.#bounds.created(entry);
        checkDeliveriesListed();
        // Exactly the size announced: pushing onto an empty array reserves room for 17.
        if (deliveryCount > 0) entry.deliveries = new Array<StoredDelivery>(deliveryCount);
        announced = deliveryCount;
        listed = 0;
        entries.push(entry);
      },
      delivery(id, subscriptionId, transport, platformType, kind, status, attempts, nextAttemptAt, createdAt, updatedAt, lastError, lease) {
        const entry = entries[entries.length - 1];
        if (user === undefined || entry?.deliveries === undefined || listed === announced) {
          throw state.#fail('STORE_CORRUPT', 'a snapshot lists a delivery outside a notification, or more than it announced');
        }
        let delivery: StoredDelivery;
        if (status === 'pending' || status === 'failed') {
          const open = new OpenDelivery(id, entry, subscriptionId, transport, platformType, kind, createdAt, nextAttemptAt ?? createdAt);
          open.status = status;
          open.attempts = attempts;
          open.updatedAt = updatedAt;
          open.lastError = lastError;
          open.lease = lease;
          state.#due.schedule(open);
          delivery = open;
        } else {
          delivery = new FinishedDelivery(id, entry, subscriptionId, transport, platformType, kind, status, attempts, createdAt, updatedAt, lastError);
        }
        entry.deliveries[listed++] = delivery;
        user.deliveries.set(id, delivery);
      },
      tombstone(image) {
        if (user === undefined) throw state.#fail('STORE_CORRUPT', 'a snapshot lists a tombstone before its user');
        checkDeliveriesListed();
        const tombstone = new Tombstone(user.userId, image.notificationId, image.sequence, image.deletedAt);
        tombstones.push(tombstone);
        state.#tombstones.push(image.deletedAt, tombstone);
      },
      subscription(image) {
        endUser();
        state.#subscriptions.restore(image.record, image.expiresAt, image.createdAt);
      },
      idempotencyKey(image) {
        endUser();
        state.#idempotency.record(image);
      },
      deadLetter(image) {
        endUser();
        const delivery = state.#users.get(image.userId)?.deliveries.get(image.deliveryId);
        if (!(delivery instanceof FinishedDelivery) || delivery.status !== 'dead') {
          throw state.#fail('STORE_CORRUPT', `a snapshot lists delivery ${JSON.stringify(image.deliveryId)} as dead, but it is not`);
        }
        state.#deadLetters.restore(delivery, image.diedAt, image.serial);
      },
      retiredSequence(sequence) {
        state.#users.restoreRetiredSequence(sequence);
      },
      finish(deadLetterSerial) {
        endUser();
        state.#deadLetters.restoreSerial(deadLetterSerial);
        return state;
      },
    };
  }

  /** The logical state as plain data, to compare engines or to inspect one. */
  snapshot(): MemorySnapshot {
    return takeSnapshot({
      users: this.#users.values(),
      retiredSequence: this.#users.retiredSequence,
      subscriptions: this.#subscriptions.all(),
      idempotencyKeys: this.#idempotency.all(),
      deadDeliveryIds: this.#deadLetters.ids(),
      nextDueAt: this.#due.nextDueAt(),
    });
  }

  // ---- Inside --------------------------------------------------------------------

  /**
   * Refuses a write whose new ids are taken: a second record under one id would corrupt
   * the indexes. Ids of the expired notification the write replaces are free again.
   */
  #checkFreshIds(write: ListedNotificationWrite, updated: FeedEntry | undefined, replaced: FeedEntry | undefined): void {
    const { id, userId } = write.notification;
    const user = this.#users.get(userId);
    const holder = user?.notifications.get(id);
    if (updated === undefined && holder !== undefined && holder !== replaced) {
      throw this.#fail('INVALID_ARGUMENT', `the notification id ${JSON.stringify(id)} is already taken; the service mints a fresh one per write`);
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
        throw this.#fail('INVALID_ARGUMENT', `the delivery id ${JSON.stringify(delivery.id)} is already taken; the service mints a fresh one per delivery`);
      }
    }
  }

  /** Creates a notification at the top of the user's feed. */
  #create(user: UserFeed, id: string, content: NotificationContent, expiresAt: number, now: number): FeedEntry {
    const nowText = formatDateTime(now);
    const record = notificationRecord(content, {
      id,
      userId: user.userId,
      targetHostName: user.appName(content.targetHostName),
      createdDateTime: nowText,
      lastModifiedDateTime: nowText,
      sequence: ++user.sequence,
    });
    const entry = new FeedEntry(record, expiresAt);
    user.insert(entry);
    this.#bounds.created(entry);
    return entry;
  }

  /** Replaces a live notification's content, moves it to the top, and supersedes its idle deliveries. */
  #update(user: UserFeed, entry: FeedEntry, content: NotificationContent, expiresAt: number, now: number): FeedEntry {
    const record = notificationRecord(content, {
      id: entry.record.id,
      userId: user.userId,
      targetHostName: entry.record.targetHostName,
      createdDateTime: entry.record.createdDateTime,
      lastModifiedDateTime: formatDateTime(now),
      sequence: ++user.sequence,
    });
    user.update(entry, record, expiresAt);
    this.#bounds.updated(entry);
    this.#cancelOpen(user, entry, deliveryError(supersededDeliveryError.code, supersededDeliveryError.message, now), now);
    return entry;
  }

  #addDeliveries(user: UserFeed, entry: FeedEntry, deliveries: readonly NewDelivery[], now: number): DeliveryRecord[] {
    if (deliveries.length === 0) return [];
    const added = deliveries.map((delivery) => OpenDelivery.create(delivery, entry, now));
    // A new array of the exact size: pushing onto an empty one reserves room for 17.
    entry.deliveries = entry.deliveries === undefined ? added : [...entry.deliveries, ...added];
    return added.map((open) => {
      user.deliveries.set(open.id, open);
      this.#due.schedule(open);
      return open.toRecord();
    });
  }

  /** Purges the tombstones deleted before `tombstonesBefore`. */
  #purgeTombstones(tombstonesBefore: number): void {
    for (let key = this.#tombstones.peekKey(); key !== undefined && key < tombstonesBefore; key = this.#tombstones.peekKey()) {
      const tombstone = this.#tombstones.peekValue() as Tombstone;
      this.#tombstones.pop();
      const user = this.#users.get(tombstone.userId) as UserFeed;
      tombstone.purged = true;
      user.purgedThrough = Math.max(user.purgedThrough, tombstone.sequence);
      user.changes.vacate();
      this.#users.forgetIfEmpty(user);
    }
  }

  /** Removes a notification and all its deliveries, leaving a tombstone: a delete, an eviction or a purge. */
  #remove(user: UserFeed, entry: FeedEntry, now: number): void {
    const tombstone = new Tombstone(user.userId, entry.record.id, ++user.sequence, now);
    user.remove(entry, tombstone);
    this.#tombstones.push(now, tombstone);
    this.#bounds.removed();
    for (const delivery of entry.deliveries ?? []) {
      user.deliveries.delete(delivery.id);
      if (delivery instanceof OpenDelivery) this.#due.unschedule(delivery);
      else if (delivery.status === 'dead') this.#deadLetters.remove(delivery);
    }
    entry.deliveries = undefined;
    this.#users.expiryChanged(user);
  }

  /** Evicts what the bounds say must go after a creation. */
  #evict(user: UserFeed, now: number): void {
    for (let victim = this.#bounds.userVictim(user); victim !== undefined; victim = this.#bounds.userVictim(user)) {
      this.#remove(user, victim, now);
    }
    for (let victim = this.#bounds.totalVictim(); victim !== undefined; victim = this.#bounds.totalVictim()) {
      this.#remove(this.#users.get(victim.record.userId) as UserFeed, victim, now);
    }
  }

  /**
   * Cancels the open deliveries of `entry` with `error`, leased or not, and returns how
   * many: an attempt under way then finds its lease gone and records nothing, so no
   * attempt starts after the change.
   */
  #cancelOpen(user: UserFeed, entry: FeedEntry, error: DeliveryError, now: number): number {
    let cancelled = 0;
    for (const delivery of [...(entry.deliveries ?? [])]) {
      if (!(delivery instanceof OpenDelivery)) continue;
      this.#finish(user, delivery, delivery.finish('cancelled', delivery.attempts, now, error));
      cancelled++;
    }
    return cancelled;
  }

  /** The open delivery `ref` names, if `ref.token` holds its lease (expired or not). */
  #held(ref: LeaseRef): OpenDelivery | undefined {
    const delivery = this.#users.get(ref.userId)?.deliveries.get(ref.deliveryId);
    return delivery instanceof OpenDelivery && delivery.lease?.token === ref.token ? delivery : undefined;
  }

  /** Replaces an open delivery by its final record (dropping its lease). */
  #finish(user: UserFeed, delivery: OpenDelivery, finished: FinishedDelivery): void {
    this.#due.unschedule(delivery);
    this.#replaceDelivery(user, delivery, finished);
    if (finished.status === 'dead') this.#deadLetters.add(finished, finished.finishedAt);
  }

  /** Puts a delivery's new form where its old one was, in its notification and in the user's index. */
  #replaceDelivery(user: UserFeed, previous: StoredDelivery, next: StoredDelivery): void {
    const deliveries = previous.notification.deliveries as StoredDelivery[];
    deliveries[deliveries.indexOf(previous)] = next;
    user.deliveries.set(next.id, next);
  }
}
