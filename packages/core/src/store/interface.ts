/**
 * The storage interface every Herald store implements (memory, file, Redis, your own).
 *
 * Each method is one atomic, consistent step: the service never needs a transaction
 * across calls. The service checks and normalises every argument before a store sees it
 * (ids, limits, states, times), so a store implements storage only. Every store must
 * pass `runStoreConformance` from `@herald/testing`.
 *
 * Times are epoch milliseconds from the service's clock, passed in as `now`, so a store
 * never reads a clock of its own and tests stay deterministic.
 */
import type { PlatformType, ReadState, UserActionState } from '../contract/types.js';
import type { DeliveryRecord, StoredNotification, StoredSubscription, SubscriptionStatus } from '../records.js';
export type {
  IdempotencyRecord,
  ListedNotificationWrite,
  NewDelivery,
  NewNotification,
  NotificationWrite,
  PlannedDeliveries,
  PlannedNotificationWrite,
  Recipient,
  DeliveryPlan,
  SaveResult,
} from './notification-write.js';
import type { NotificationWrite, SaveResult } from './notification-write.js';
import type { NotificationPreferences } from '../preferences/precedence.js';

export { storeCapabilityNames, type StoreCapabilities, type StoreTransaction } from './capabilities.js';
import type { StoreCapabilities } from './capabilities.js';


/** A query of one user's feed. */
export interface FeedQuery {
  /** Only unread notifications. */
  readonly unread?: boolean;
  /** Only notifications of this group. */
  readonly groupName?: string;
  /** Only notifications of this app. */
  readonly targetHostName?: string;
  /** Most notifications to return (1–1000). */
  readonly limit: number;
  /** Only notifications below this feed position (from a previous page's `next`). */
  readonly before?: number;
}

/** A page of a feed, newest first. */
export interface FeedPage {
  /** The notifications, newest first. */
  readonly items: readonly StoredNotification[];
  /** Pass as `before` to read the next page; absent on the last page. */
  readonly next?: number;
}

/** Filters of an unread count. */
export interface UnreadFilter {
  /** Only notifications of this group. */
  readonly groupName?: string;
  /** Only notifications of this app. */
  readonly targetHostName?: string;
}

/** A change to a notification or its state. */
export interface NotificationStatePatch {
  /** Mark read or unread. */
  readonly readState?: ReadState;
  /** Record what the user did. */
  readonly userActionState?: UserActionState;
}

export { changeTypes, type ChangeType, type ChangePage, type StoredChange } from './change-feed.js';
import type { ChangePage } from './change-feed.js';

/** A subscription to create; the store mints its id. */
export interface NewSubscription {
  /** The user the endpoint belongs to. */
  readonly userId: string;
  /** The app whose notifications it receives. */
  readonly targetHostName: string;
  /** The endpoint's platform. */
  readonly platformType: PlatformType;
  /** The registered transport that reaches it. */
  readonly transport: string;
  /** What the transport needs. */
  readonly address: string;
  /** A secret the transport uses. */
  readonly secret?: string;
  /** When it expires (epoch ms). */
  readonly expiresAt: number;
}

/** A change to a subscription. */
export interface SubscriptionPatch {
  /** A new expiry (epoch ms). */
  readonly expiresAt?: number;
  /** A new status. */
  readonly status?: SubscriptionStatus;
  /** The reason for the status; `null` clears it. */
  readonly statusReason?: string | null;
}

export type { FeedChangeListener, FeedChangeSubscription } from './feed-wakeups.js';
import type { FeedChangeListener, FeedChangeSubscription } from './feed-wakeups.js';
import type { SyncPlan } from './sync-plan.js';
export type { ClaimRequest, ClaimedDelivery, LeaseRef, DeliveryErrorInput, DeliveryOutcome, DeadDeliveryPage } from './claims.js';
import type { ClaimRequest, ClaimedDelivery, LeaseRef, DeliveryOutcome, DeadDeliveryPage } from './claims.js';

/** What {@link NotificationStore.purgeExpired} is asked to do. */
export interface PurgeRequest {
  /** The current time: notifications and subscriptions expired by then go. */
  readonly now: number;
  /** Tombstones (deleted entries of the change feed) older than this go too (epoch ms). */
  readonly tombstonesBefore: number;
  /** Most notifications to remove in this call; call again while `more` is true. */
  readonly limit: number;
}

/** What {@link NotificationStore.purgeExpired} did. */
export interface PurgeResult {
  /** Expired notifications removed (with their deliveries). */
  readonly notifications: number;
  /** Subscriptions that expired and were marked inactive with reason `expired`. */
  readonly subscriptions: readonly StoredSubscription[];
  /** True when the limit stopped the purge before it was done. */
  readonly more: boolean;
}

/**
 * A Herald store. See the module comment for the rules every method follows.
 * After `close()`, every method rejects with a `HeraldError` coded `STORE_CLOSED`.
 */
export interface NotificationStore {
  /** A short name for messages: `memory`, `file`, `redis`. */
  readonly name: string;
  /** What this store can do. */
  readonly capabilities: StoreCapabilities;

  /**
   * Stores a notification and its deliveries in one atomic step (the outbox pattern).
   *
   * If the user already has a live notification with the same `targetHostName` and
   * `appNotificationId`, it is updated instead: its id and `createdDateTime` stay; its
   * content is replaced; it becomes unread with no interaction; it moves to the top of
   * the feed; its open deliveries are cancelled with {@link supersededDeliveryError},
   * leased or not (an attempt under way then finds its lease gone when it completes), and
   * the new deliveries are added. Otherwise the notification is created
   * with `write.notification.id`, unread, with no interaction.
   *
   * With `write.idempotency`, a key already recorded for the user (and not expired)
   * makes this a replay: nothing is written and the first call's result is returned
   * with `replay.fingerprint`.
   *
   * When `write.deliveries` is a plan, the store calls it with the recipient — the user's
   * subscriptions (`listSubscriptions` order) and preferences — as they stand at the
   * write, creates the deliveries it returns and keeps its decisions with the notification.
   *
   * Either everything is written, or nothing is.
   */
  saveNotification(write: NotificationWrite): Promise<SaveResult>;

  /** One notification of the user, unless it is missing, another user's, or expired at `now`. */
  getNotification(userId: string, notificationId: string, now: number): Promise<StoredNotification | undefined>;

  /**
   * A page of the user's feed, newest first (by last creation or update), without
   * notifications expired at `now`. Positions are stable: a notification inserted while
   * a client pages never shifts the pages that follow.
   */
  listFeed(userId: string, query: FeedQuery, now: number): Promise<FeedPage>;

  /** How many of the user's live notifications are unread. */
  countUnread(userId: string, filter: UnreadFilter, now: number): Promise<number>;

  /**
   * Changes the read and action state of one notification and returns it, or
   * `undefined` when it is missing or expired. A patch that changes nothing writes nothing.
   *
   * With `syncs` (given only when `capabilities.sync`), a change that changes something
   * also creates, in the same atomic step, the sync deliveries the plan returns, less
   * those to a subscription with a waiting sync of this notification (`coalescedSyncs`).
   */
  updateNotificationState(
    userId: string,
    notificationId: string,
    patch: NotificationStatePatch,
    now: number,
    syncs?: SyncPlan,
  ): Promise<StoredNotification | undefined>;

  /**
   * Deletes one notification and all its deliveries, leaving a tombstone. False when
   * missing or expired.
   *
   * With `syncs` (given only when `capabilities.sync`), the deletion also creates, in the
   * same atomic step, the sync deliveries the plan returns for the notification as it was
   * (a deletion's syncs): they are kept beside the tombstone — listed by `listDeliveries`
   * under the deleted id, claimed without a `notification`, completed as any delivery —
   * and removed with the tombstone when it is purged. A waiting sync of the notification
   * goes with its other deliveries, so an endpoint gets one message: removed.
   */
  deleteNotification(userId: string, notificationId: string, now: number, syncs?: SyncPlan): Promise<boolean>;

  /**
   * Deletes the user's notifications of a group (within one app when given); returns how
   * many. With `syncs`, each deletion makes its syncs as `deleteNotification` does, all
   * in one atomic step.
   */
  deleteGroup(userId: string, groupName: string, targetHostName: string | undefined, now: number, syncs?: SyncPlan): Promise<number>;

  /**
   * The net changes of the user's feed after sequence `since`, oldest first. `since = 0`
   * is a full sync: every live notification, as `created`, and no tombstones.
   * Rejects with `CURSOR_EXPIRED` when tombstones after `since` were already purged,
   * or when `since` is past the user's current sequence.
   */
  listChanges(userId: string, since: number, limit: number, now: number): Promise<ChangePage>;

  /** Creates a subscription with a fresh, unguessable id (at least 122 random bits). */
  createSubscription(subscription: NewSubscription, now: number): Promise<StoredSubscription>;

  /** One subscription by id, whatever its status. */
  getSubscription(subscriptionId: string): Promise<StoredSubscription | undefined>;

  /** All subscriptions of a user, whatever their status, oldest first. */
  listSubscriptions(userId: string): Promise<readonly StoredSubscription[]>;

  /** Changes a subscription and returns it, or `undefined` when it does not exist. */
  updateSubscription(subscriptionId: string, patch: SubscriptionPatch, now: number): Promise<StoredSubscription | undefined>;

  /**
   * Deletes a subscription and ends its open deliveries at once, leased or not, as
   * cancelled with reason `cancelReasons.subscriptionDeleted` at `now` (`stateAfterEnd`):
   * an attempt under way then finds its lease gone when it completes, so nothing is
   * attempted after the delete. Finished deliveries stay. False when missing.
   */
  deleteSubscription(subscriptionId: string, now: number): Promise<boolean>;

  /**
   * The user's preferences, as the last `setPreferences` stored them (an equal, frozen or
   * fresh object), or `undefined` when none were set.
   */
  getPreferences(userId: string): Promise<NotificationPreferences | undefined>;

  /**
   * Replaces the user's preferences (already checked and normalised: plain JSON). A send
   * whose write starts after this resolves plans with them (see {@link Recipient}).
   */
  setPreferences(userId: string, preferences: NotificationPreferences, now: number): Promise<void>;

  /**
   * The delivery decisions kept with one of the user's notifications
   * (`ListedNotificationWrite.decisions`, as written), or `undefined` when it has none or
   * is missing.
   */
  getDeliveryDecisions(userId: string, notificationId: string): Promise<string | undefined>;

  /** The deliveries of one of the user's notifications, oldest first. */
  listDeliveries(userId: string, notificationId: string): Promise<readonly DeliveryRecord[]>;

  /** One delivery of the user. */
  getDelivery(userId: string, deliveryId: string): Promise<DeliveryRecord | undefined>;

  /** Dead deliveries of all users, oldest first, a page at a time. */
  listDeadDeliveries(limit: number, after: string | undefined): Promise<DeadDeliveryPage>;

  /**
   * Makes a dead delivery pending again, due at `now`, with its attempts reset.
   * Returns the delivery as it is after the call (unchanged unless it was dead), or
   * `undefined` when missing.
   */
  retryDelivery(userId: string, deliveryId: string, now: number): Promise<DeliveryRecord | undefined>;

  /**
   * Cancels the open deliveries of a notification, leased or not, and returns how many: an
   * attempt under way then finds its lease gone when it completes, so nothing is attempted
   * after a cancel.
   */
  cancelDeliveries(userId: string, notificationId: string, reason: string, now: number): Promise<number>;

  /**
   * Claims up to `limit` open deliveries due at `now` (earliest first) whose lease is
   * absent or expired, giving each a new lease with a fresh token. Two concurrent
   * claims never return the same delivery while its lease runs.
   */
  claimDeliveries(request: ClaimRequest): Promise<readonly ClaimedDelivery[]>;

  /** Extends a lease; false (and nothing changed) unless `ref.token` still holds it. */
  renewLease(ref: LeaseRef, now: number, leaseMs: number): Promise<boolean>;

  /**
   * Records how an attempt ended and releases the lease; false (and nothing changed)
   * unless `ref.token` still holds the lease — an instance whose lease was reclaimed
   * cannot overwrite the new holder's work, and a delivery that a change ended while its
   * attempt ran (a cancel, a superseding update, its notification deleted or purged) stays
   * as that change left it.
   */
  completeDelivery(ref: LeaseRef, outcome: DeliveryOutcome, now: number): Promise<boolean>;

  /**
   * The earliest time an open delivery becomes claimable (its `nextAttemptAt`, or its
   * lease's expiry), or `undefined` when there is none. The dispatcher sleeps until then.
   */
  nextDueAt(): Promise<number | undefined>;

  /**
   * Removes expired notifications (with their deliveries, leaving tombstones) and old
   * tombstones and idempotency keys; marks expired subscriptions inactive.
   */
  purgeExpired(request: PurgeRequest): Promise<PurgeResult>;

  /**
   * For stores shared by several processes: calls `listener` when another process
   * made deliveries due (a send, a retry). Returns a function that stops listening.
   * Present exactly when `capabilities.wakeups` is true.
   */
  onWake?(listener: () => void): () => void;

  /** Tells other processes that deliveries are due (for stores with `wakeups`). */
  wake?(): Promise<void>;

  /** Hears other processes' `feedChanged` (see `FeedChangeListener`); present exactly when `capabilities.feedWakeups`. */
  onFeedChange?(listener: FeedChangeListener): FeedChangeSubscription;
  /** Tells other processes these users' feeds changed (`undefined`: any user's); present exactly when `capabilities.feedWakeups`. */
  feedChanged?(userIds: readonly string[] | undefined): Promise<void>;

  /** Releases the store's resources. Further calls reject with `STORE_CLOSED`. Idempotent. */
  close(): Promise<void>;
}
