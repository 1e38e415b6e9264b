/**
 * Everything the store keeps for one user: the change sequence, the notifications and
 * their indexes (by id, by app id, by position, by sequence, by expiry), the unread
 * counts, and the user's deliveries by id. Methods here keep those indexes in step; the
 * engine decides what happens.
 */
import type { StoredNotification } from '@herald/core/store';
import { ChangeLog } from './change-log.js';
import type { StoredDelivery } from './delivery-record.js';
import { ExpiryHeap } from './expiry-heap.js';
import type { Expiring } from './expiry-heap.js';
import type { FeedEntry } from './feed-entry.js';
import { FeedIndex } from './feed-index.js';
import { flat } from './flat-string.js';
import type { Tombstone } from './tombstone.js';
import { UnreadCounters } from './unread-counters.js';

/** One app's notifications in a user's feed, by the app's own id. */
class AppNotifications {
  readonly byAppNotificationId = new Map<string, FeedEntry>();
  constructor(
    /** The app's name: the one string every record of this app and user shares. */
    readonly name: string,
  ) {}
}

/** One user's part of the store. */
export class UserFeed implements Expiring {
  /** The change sequence: 0 for a new user, +1 per change to the feed. */
  sequence = 0;
  /** The highest sequence of a purged tombstone: older cursors cannot be served. */
  purgedThrough = 0;
  /** Its slot in the store's heap of users by earliest expiry. */
  expirySlot = -1;
  /** The stored notifications (live or expired but not purged) by id. */
  readonly notifications = new Map<string, FeedEntry>();
  /** The feed, by position. */
  readonly feed = new FeedIndex();
  /** The change feed, by sequence. */
  readonly changes = new ChangeLog();
  /** Unread counts (expired ones included). */
  readonly unread = new UnreadCounters();
  /** The stored notifications by expiry. */
  readonly expiry = new ExpiryHeap<FeedEntry>();
  /** The index of {@link deliveries}; `undefined` until first use after a restore. */
  #deliveries: Map<string, StoredDelivery> | undefined = new Map();
  /**
   * Deleted notifications whose deletion made sync deliveries, by id: their entries (out
   * of the feed) hold those deliveries until the tombstone is purged.
   */
  readonly deletionSyncs = new Map<string, FeedEntry>();
  readonly #apps = new Map<string, AppNotifications>();

  /** The user's id: the one string all of the user's records share. */
  readonly userId: string;

  constructor(userId: string) {
    this.userId = flat(userId);
  }

  /**
   * The user's deliveries by id, open and finished. A restored user's are indexed on
   * first use: each delivery is already in its entry's list, and a million-notification
   * store's three million index entries were the largest cost of opening it, for users
   * most of whom no call touches soon.
   */
  get deliveries(): Map<string, StoredDelivery> {
    return (this.#deliveries ??= this.#indexDeliveries());
  }

  /** Leaves the deliveries' index to be built on first use: the restorer puts deliveries only in their entries. */
  indexDeliveriesLater(): void {
    this.#deliveries = undefined;
  }

  /** The index in the order a restore used to fill it: the feed's entries' deliveries, then the deletions' syncs. */
  #indexDeliveries(): Map<string, StoredDelivery> {
    const index = new Map<string, StoredDelivery>();
    for (const entries of [this.notifications.values(), this.deletionSyncs.values()]) {
      for (const entry of entries) for (const delivery of entry.deliveries ?? []) index.set(delivery.id, delivery);
    }
    return index;
  }

  /** The app's name as this feed already spells it, so records share one string. */
  appName(targetHostName: string): string {
    return this.#apps.get(targetHostName)?.name ?? targetHostName;
  }

  /** The stored notification with this app and app id, expired or not. */
  findByAppNotificationId(targetHostName: string, appNotificationId: string): FeedEntry | undefined {
    return this.#apps.get(targetHostName)?.byAppNotificationId.get(appNotificationId);
  }

  /** Indexes a newly created notification (its position is its record's sequence). */
  insert(entry: FeedEntry): void {
    const { record } = entry;
    this.notifications.set(record.id, entry);
    let app = this.#apps.get(record.targetHostName);
    if (app === undefined) {
      app = new AppNotifications(flat(record.targetHostName));
      this.#apps.set(record.targetHostName, app);
    }
    app.byAppNotificationId.set(record.appNotificationId, entry);
    this.feed.append(entry);
    this.changes.append(entry);
    this.unread.count(record, 1);
    this.expiry.set(entry, entry.expiresAt);
  }

  /**
   * Indexes a notification read back from a state image, in position order. Unlike
   * {@link insert} it leaves the change log alone: the restorer appends it in sequence order.
   */
  restore(entry: FeedEntry): void {
    const { record } = entry;
    this.notifications.set(record.id, entry);
    let app = this.#apps.get(record.targetHostName);
    if (app === undefined) {
      app = new AppNotifications(record.targetHostName);
      this.#apps.set(record.targetHostName, app);
    }
    app.byAppNotificationId.set(record.appNotificationId, entry);
    this.feed.append(entry);
    this.unread.count(record, 1);
    this.expiry.set(entry, entry.expiresAt);
  }

  /** Replaces the content of an entry: it moves to the top of the feed. */
  update(entry: FeedEntry, record: StoredNotification, expiresAt: number): void {
    this.unread.count(entry.record, -1);
    entry.record = record;
    entry.position = record.sequence;
    entry.expiresAt = expiresAt;
    this.feed.vacate();
    this.feed.append(entry);
    this.changes.vacate();
    this.changes.append(entry);
    this.unread.count(record, 1);
    this.expiry.set(entry, expiresAt);
  }

  /** Replaces the state of an entry: a new sequence, the same position. */
  restate(entry: FeedEntry, record: StoredNotification): void {
    this.unread.count(entry.record, -1);
    entry.record = record;
    this.changes.vacate();
    this.changes.append(entry);
    this.unread.count(record, 1);
  }

  /** Takes an entry out of every index and logs its tombstone. */
  remove(entry: FeedEntry, tombstone: Tombstone): void {
    const { record } = entry;
    this.notifications.delete(record.id);
    const app = this.#apps.get(record.targetHostName);
    app?.byAppNotificationId.delete(record.appNotificationId);
    if (app?.byAppNotificationId.size === 0) this.#apps.delete(record.targetHostName);
    entry.position = -1;
    this.feed.vacate();
    this.changes.vacate();
    this.changes.append(tombstone);
    this.unread.count(record, -1);
    this.expiry.delete(entry);
  }
}
