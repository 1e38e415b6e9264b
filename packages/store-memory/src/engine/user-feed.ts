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
import { IdTable } from './id-table.js';
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

/** A table of notifications by id. */
function newNotificationTable(): IdTable<FeedEntry> {
  return new IdTable((entry: FeedEntry) => entry.record.id);
}

/** A table of deliveries by id. */
function newDeliveryTable(): IdTable<StoredDelivery> {
  return new IdTable((delivery: StoredDelivery) => delivery.id);
}

/** One user's part of the store. */
export class UserFeed implements Expiring {
  /** The change sequence: 0 for a new user, +1 per change to the feed. */
  sequence = 0;
  /** The highest sequence of a purged tombstone: older cursors cannot be served. */
  purgedThrough = 0;
  /** Its slot in the store's heap of users by earliest expiry. */
  expirySlot = -1;
  /** The index of {@link notifications}; `undefined` until first use after a restore. */
  #notifications: IdTable<FeedEntry> | undefined = newNotificationTable();
  /** The feed, by position. */
  readonly feed = new FeedIndex();
  /** The change feed, by sequence. */
  readonly changes = new ChangeLog();
  /** Unread counts (expired ones included). */
  readonly unread = new UnreadCounters();
  /** The stored notifications by expiry. */
  readonly expiry = new ExpiryHeap<FeedEntry>();
  /** The index of {@link deliveries}; `undefined` until first use after a restore. */
  #deliveries: IdTable<StoredDelivery> | undefined = newDeliveryTable();
  /**
   * Deleted notifications whose deletion made sync deliveries, by id: their entries (out
   * of the feed) hold those deliveries until the tombstone is purged.
   */
  readonly deletionSyncs = new Map<string, FeedEntry>();
  /** The notifications by app and app id; built with {@link notifications}. */
  #apps: Map<string, AppNotifications> | undefined = new Map();

  /** The user's id: the one string all of the user's records share. */
  readonly userId: string;

  constructor(userId: string) {
    this.userId = flat(userId);
  }

  /**
   * The stored notifications (live or expired but not purged) by id. A restored user's
   * are indexed on first use, from the feed (which holds the same entries), with the
   * index by app id: opening a large store built two Map entries per notification for
   * users most of whom no call touches soon.
   */
  get notifications(): IdTable<FeedEntry> {
    if (this.#notifications === undefined) this.#indexNotifications();
    return this.#notifications as IdTable<FeedEntry>;
  }

  /**
   * The user's deliveries by id, open and finished. A restored user's are indexed on
   * first use: each delivery is already in its entry's list, and a million-notification
   * store's three million index entries were the largest cost of opening it.
   */
  get deliveries(): IdTable<StoredDelivery> {
    return (this.#deliveries ??= this.#indexDeliveries());
  }

  /**
   * Leaves the indexes by id (notifications, app ids, deliveries) to be built on first
   * use: the restorer puts notifications only in the feed and deliveries only in their entries.
   */
  indexLater(): void {
    this.#notifications = undefined;
    this.#apps = undefined;
    this.#deliveries = undefined;
  }

  /** The index by id and by app id, in feed order: the order a restore used to fill them. */
  #indexNotifications(): void {
    const notifications = newNotificationTable();
    const apps = new Map<string, AppNotifications>();
    this.feed.visitOldestFirst((entry) => {
      const { record } = entry;
      notifications.set(entry);
      let app = apps.get(record.targetHostName);
      if (app === undefined) apps.set(record.targetHostName, (app = new AppNotifications(record.targetHostName)));
      app.byAppNotificationId.set(record.appNotificationId, entry);
    });
    this.#notifications = notifications;
    this.#apps = apps;
  }

  /** The index by app id, built first if it was left for later. */
  #appIndex(): Map<string, AppNotifications> {
    if (this.#apps === undefined) this.#indexNotifications();
    return this.#apps as Map<string, AppNotifications>;
  }

  /** The index in the order a restore used to fill it: the feed's entries' deliveries, then the deletions' syncs. */
  #indexDeliveries(): IdTable<StoredDelivery> {
    const index = newDeliveryTable();
    for (const entries of [this.notifications.values(), this.deletionSyncs.values()]) {
      for (const entry of entries) for (const delivery of entry.deliveries ?? []) index.set(delivery);
    }
    return index;
  }

  /** The app's name as this feed already spells it, so records share one string. */
  appName(targetHostName: string): string {
    return this.#appIndex().get(targetHostName)?.name ?? targetHostName;
  }

  /** The stored notification with this app and app id, expired or not. */
  findByAppNotificationId(targetHostName: string, appNotificationId: string): FeedEntry | undefined {
    return this.#appIndex().get(targetHostName)?.byAppNotificationId.get(appNotificationId);
  }

  /** Indexes a newly created notification (its position is its record's sequence). */
  insert(entry: FeedEntry): void {
    const { record } = entry;
    this.notifications.set(entry);
    const apps = this.#appIndex();
    let app = apps.get(record.targetHostName);
    if (app === undefined) {
      app = new AppNotifications(flat(record.targetHostName));
      apps.set(record.targetHostName, app);
    }
    app.byAppNotificationId.set(record.appNotificationId, entry);
    this.feed.append(entry);
    this.changes.append(entry);
    this.unread.count(record, 1);
    this.expiry.set(entry, entry.expiresAt);
  }

  /**
   * Indexes a notification read back from a state image, in position order, after
   * {@link indexLater}: the indexes by id are built from the feed when first used. Unlike
   * {@link insert} it leaves the change log alone: the restorer appends it in sequence order.
   */
  restore(entry: FeedEntry): void {
    const { record } = entry;
    // Indexes already built (a user seen twice) would miss it: leave them to be rebuilt.
    if (this.#notifications !== undefined) this.indexLater();
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
    const apps = this.#appIndex();
    const app = apps.get(record.targetHostName);
    app?.byAppNotificationId.delete(record.appNotificationId);
    if (app?.byAppNotificationId.size === 0) apps.delete(record.targetHostName);
    entry.position = -1;
    this.feed.vacate();
    this.changes.vacate();
    this.changes.append(tombstone);
    this.unread.count(record, -1);
    this.expiry.delete(entry);
  }
}
