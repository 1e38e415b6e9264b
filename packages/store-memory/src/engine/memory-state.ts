/**
 * The memory store's engine: a synchronous, deterministic state machine. Every method
 * takes all it needs as arguments (ids, lease tokens, the time) and never reads a clock
 * or a random source, so the same operations in the same order always leave the same
 * state. The memory store wraps it; a durable store can replay a log of these
 * operations into it, with the functions of `durable.ts` for what only it needs.
 *
 * Arguments are trusted: the service checks and normalises them before a store sees them.
 * Returned records are frozen; returned arrays are fresh.
 *
 * This class is the engine's face; each operation lives in the module of its concern
 * (feed writes, feed reads, deliveries, claims, purge), over the parts it shares.
 */
import type {
  ChangePage,
  ClaimedDelivery,
  ClaimRequest,
  DeadDeliveryPage,
  DeliveryOutcome,
  DeliveryRecord,
  FeedPage,
  FeedQuery,
  LeaseRef,
  ListedNotificationWrite,
  NotificationPreferences,
  NewSubscription,
  NotificationStatePatch,
  PurgeRequest,
  PurgeResult,
  SaveResult,
  StoredNotification,
  StoredSubscription,
  SubscriptionPatch,
  UnreadFilter,
} from '@herald/core/store';
import * as claims from './claims.js';
import * as deletions from './deletion.js';
import type { Deletion, DeletionSyncListing } from './deletion.js';
import * as deliveries from './deliveries.js';
import * as reads from './feed-reads.js';
import * as writes from './feed-writes.js';
import { EngineParts } from './parts.js';
import { changeState, type StateChange, type SyncListing } from './state-change.js';
import type { MemoryStateOptions } from './parts.js';
import { purgeExpired } from './purge.js';
import { logicalState } from './logical-state.js';
import { frozenCopy } from './notification-record.js';
import type { LogicalState } from './logical-state.js';

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

let partsOf: (state: MemoryState) => EngineParts;

/** The memory store's state and every operation on it. */
export class MemoryState {
  readonly #parts: EngineParts;

  static {
    partsOf = (state) => state.#parts;
  }

  constructor(options: MemoryStateOptions = {}) {
    this.#parts = new EngineParts(options);
  }

  /** Stored notifications of all users, expired ones until purged. */
  get notificationCount(): number {
    return this.#parts.bounds.stored;
  }

  /**
   * What the engine holds, for tests of its memory (not part of the store interface):
   * `users` counts the users with anything stored (a feed, a subscription, an idempotency
   * key), the rest count the nodes of its store-wide indexes, stale ones included.
   * @internal
   */
  diagnostics(): EngineDiagnostics {
    const parts = this.#parts;
    const users = new Set([...parts.users.values()].map((user) => user.userId));
    for (const userId of parts.subscriptions.userIds()) users.add(userId);
    for (const userId of parts.idempotency.userIds()) users.add(userId);
    return {
      users: users.size,
      feeds: parts.users.size,
      notifications: parts.bounds.stored,
      dueNodes: parts.due.nodes,
      tombstoneNodes: parts.tombstones.size,
      writeOrderEntries: parts.bounds.orderEntries,
      subscriptionExpiryNodes: parts.subscriptions.expiryNodes,
    };
  }

  // ---- Notifications (feed-writes.ts, feed-reads.ts) -----------------------------

  /** See `NotificationStore.saveNotification`; the store lists a planned write's deliveries first. */
  saveNotification(write: ListedNotificationWrite): SaveResult {
    return writes.saveNotification(this.#parts, write);
  }

  /** See `NotificationStore.getNotification`. */
  getNotification(userId: string, notificationId: string, now: number): StoredNotification | undefined {
    return reads.getNotification(this.#parts, userId, notificationId, now);
  }

  /** See `NotificationStore.listFeed`. */
  listFeed(userId: string, query: FeedQuery, now: number): FeedPage {
    return reads.listFeed(this.#parts, userId, query, now);
  }

  /** See `NotificationStore.countUnread`. */
  countUnread(userId: string, filter: UnreadFilter, now: number): number {
    return reads.countUnread(this.#parts, userId, filter, now);
  }

  /** See `NotificationStore.updateNotificationState`; `syncs` lists or plans its sync deliveries. */
  updateNotificationState(userId: string, notificationId: string, patch: NotificationStatePatch, now: number, syncs?: SyncListing): StoredNotification | undefined {
    return changeState(this.#parts, userId, notificationId, patch, now, syncs)?.notification;
  }

  /**
   * `updateNotificationState`, also saying which sync deliveries it created (the plan's,
   * less those coalescing drops): what a durable store logs to replay the change.
   */
  changeState(userId: string, notificationId: string, patch: NotificationStatePatch, now: number, syncs?: SyncListing): StateChange | undefined {
    return changeState(this.#parts, userId, notificationId, patch, now, syncs);
  }

  /** See `NotificationStore.deleteNotification`; `syncs` lists or plans the deletion's sync deliveries. */
  deleteNotification(userId: string, notificationId: string, now: number, syncs?: DeletionSyncListing): boolean {
    return deletions.deleteNotification(this.#parts, userId, notificationId, now, syncs).length > 0;
  }

  /** See `NotificationStore.deleteGroup`; `syncs` lists or plans each deletion's sync deliveries. */
  deleteGroup(userId: string, groupName: string, targetHostName: string | undefined, now: number, syncs?: DeletionSyncListing): number {
    return deletions.deleteGroup(this.#parts, userId, groupName, targetHostName, now, syncs).length;
  }

  /**
   * `deleteNotification` (with `groupName` undefined) or `deleteGroup`, saying what it
   * deleted and which sync deliveries each deletion created: what a durable store logs.
   */
  deletion(userId: string, target: { readonly notificationId: string } | { readonly groupName: string; readonly targetHostName: string | undefined }, now: number, syncs?: DeletionSyncListing): Deletion {
    return 'notificationId' in target
      ? deletions.deleteNotification(this.#parts, userId, target.notificationId, now, syncs)
      : deletions.deleteGroup(this.#parts, userId, target.groupName, target.targetHostName, now, syncs);
  }

  /** See `NotificationStore.listChanges`. */
  listChanges(userId: string, since: number, limit: number, now: number): ChangePage {
    return reads.listChanges(this.#parts, userId, since, limit, now);
  }

  // ---- Subscriptions (subscription-table.ts) -------------------------------------

  /** See `NotificationStore.createSubscription`; `id` is the fresh random id to use. */
  createSubscription(id: string, subscription: NewSubscription, now: number): StoredSubscription {
    return this.#parts.subscriptions.create(id, subscription, now);
  }

  /** See `NotificationStore.getSubscription`. */
  getSubscription(subscriptionId: string): StoredSubscription | undefined {
    return this.#parts.subscriptions.get(subscriptionId);
  }

  /** See `NotificationStore.listSubscriptions`. */
  listSubscriptions(userId: string): readonly StoredSubscription[] {
    return this.#parts.subscriptions.list(userId);
  }

  /** See `NotificationStore.updateSubscription`. */
  updateSubscription(subscriptionId: string, patch: SubscriptionPatch, now: number): StoredSubscription | undefined {
    return this.#parts.subscriptions.update(subscriptionId, patch, now);
  }

  /**
   * See `NotificationStore.deleteSubscription`: its open deliveries end at `now`. Without
   * `now` (only to replay a log written before deletes ended them) its deliveries stay.
   */
  deleteSubscription(subscriptionId: string, now: number | undefined): boolean {
    const userId = this.#parts.subscriptions.get(subscriptionId)?.userId;
    if (userId === undefined || !this.#parts.subscriptions.delete(subscriptionId)) return false;
    if (now !== undefined) deliveries.cancelSubscriptionDeliveries(this.#parts, userId, subscriptionId, now);
    return true;
  }

  // ---- Preferences and decisions -------------------------------------------------

  /** See `NotificationStore.getPreferences`: the frozen copy `setPreferences` kept. */
  getPreferences(userId: string): NotificationPreferences | undefined {
    return this.#parts.preferences.get(userId);
  }

  /** See `NotificationStore.setPreferences`: keeps a deep, frozen copy (JSON: preferences are plain data). */
  setPreferences(userId: string, preferences: NotificationPreferences): void {
    this.#parts.preferences.set(userId, frozenCopy(preferences));
  }

  /** See `NotificationStore.getDeliveryDecisions`. Also for a notification that expired but is not purged. */
  getDeliveryDecisions(userId: string, notificationId: string): string | undefined {
    return this.#parts.users.get(userId)?.notifications.get(notificationId)?.decisions;
  }

  // ---- Deliveries (deliveries.ts) ------------------------------------------------

  /** See `NotificationStore.listDeliveries`. Also for a notification that expired but is not purged. */
  listDeliveries(userId: string, notificationId: string): DeliveryRecord[] {
    return deliveries.listDeliveries(this.#parts, userId, notificationId);
  }

  /** See `NotificationStore.getDelivery`. */
  getDelivery(userId: string, deliveryId: string): DeliveryRecord | undefined {
    return deliveries.getDelivery(this.#parts, userId, deliveryId);
  }

  /** See `NotificationStore.listDeadDeliveries`. */
  listDeadDeliveries(limit: number, after: string | undefined): DeadDeliveryPage {
    return deliveries.listDeadDeliveries(this.#parts, limit, after);
  }

  /** See `NotificationStore.retryDelivery`. */
  retryDelivery(userId: string, deliveryId: string, now: number): DeliveryRecord | undefined {
    return deliveries.retryDelivery(this.#parts, userId, deliveryId, now);
  }

  /** See `NotificationStore.cancelDeliveries`: leased deliveries are cancelled too. */
  cancelDeliveries(userId: string, notificationId: string, reason: string, now: number): number {
    return deliveries.cancelDeliveries(this.#parts, userId, notificationId, reason, now);
  }

  // ---- Claims (claims.ts) --------------------------------------------------------

  /**
   * See `NotificationStore.claimDeliveries`. Claims at most `request.limit` deliveries (at
   * most `tokens.length` of a list), giving the n-th the n-th token; a function of the
   * count is asked for exactly as many tokens as were taken.
   */
  claimDeliveries(request: ClaimRequest, tokens: claims.ClaimTokens): ClaimedDelivery[] {
    return claims.claimDeliveries(this.#parts, request, tokens);
  }

  /** See `NotificationStore.renewLease`. */
  renewLease(ref: LeaseRef, now: number, leaseMs: number): boolean {
    return claims.renewLease(this.#parts, ref, now, leaseMs);
  }

  /** See `NotificationStore.completeDelivery`. */
  completeDelivery(ref: LeaseRef, outcome: DeliveryOutcome, now: number): boolean {
    return claims.completeDelivery(this.#parts, ref, outcome, now);
  }

  /** See `NotificationStore.nextDueAt`. */
  nextDueAt(): number | undefined {
    return claims.nextDueAt(this.#parts);
  }

  // ---- Housekeeping (purge.ts) ---------------------------------------------------

  /**
   * See `NotificationStore.purgeExpired`. `removed` hears each expired notification it
   * removes, in order, so a log can replay the purge with `purgeListed` (durable.ts).
   */
  purgeExpired(request: PurgeRequest, removed?: (userId: string, notificationId: string) => void): PurgeResult {
    return purgeExpired(this.#parts, request, removed);
  }

  /** The logical state as plain data, to compare engines or to inspect one. */
  logicalState(): LogicalState {
    const parts = this.#parts;
    return logicalState({
      users: parts.users.values(),
      retiredSequence: parts.users.retiredSequence,
      subscriptions: parts.subscriptions.all(),
      idempotencyKeys: parts.idempotency.all(),
      deadDeliveryIds: parts.deadLetters.ids(),
      nextDueAt: parts.due.nextDueAt(),
      preferences: parts.preferences,
    });
  }
}

/** The parts behind `state`, for the engine's own modules; the package does not export it. */
export function engineParts(state: MemoryState): EngineParts {
  return partsOf(state);
}
