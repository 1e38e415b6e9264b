/**
 * The memory store: the engine behind the async `NotificationStore` interface. The kit
 * (`defineStore`) refuses calls once the store is closed and mints lease tokens; this
 * layer mints the subscriptions' ids, which the engine must not do itself (replays of the
 * file store's log give it the ids they recorded).
 */
import { defineStore, listedWrite, newId } from '@herald/core/store';
import type { NotificationStore, StoreCapabilities } from '@herald/core/store';
import { MemoryState } from './engine/memory-state.js';
import { checkMemoryStoreOptions } from './options.js';
import type { MemoryStoreOptions } from './options.js';

/** The memory store's name, as `store.name` reports it. */
export const NAME = 'memory';

/** Neither durable nor shared: one process's memory, gone when it exits. */
const capabilities: StoreCapabilities = Object.freeze({ durable: false, shared: false, wakeups: false, feedWakeups: false, sync: true, transactions: false });

/**
 * Creates an in-memory store: the fastest, for tests, demos and single-process apps
 * that may lose their notifications on restart. It is `AsyncDisposable`:
 * `await using store = createMemoryStore()` closes it when the block ends.
 * @throws TypeError when an option is invalid.
 */
export function createMemoryStore(options?: MemoryStoreOptions): NotificationStore & AsyncDisposable {
  // Dropped on close, so the memory goes; the kit lets no call reach it after that.
  let state: MemoryState | undefined = new MemoryState(checkMemoryStoreOptions(options));
  const engine = (): MemoryState => state as MemoryState;

  return defineStore({
    name: NAME,
    capabilities,
    async saveNotification(write) {
      const live = engine();
      const { userId } = write.notification;
      return live.saveNotification(listedWrite(write, { subscriptions: live.listSubscriptions(userId), preferences: live.getPreferences(userId) }));
    },
    async getNotification(userId, notificationId, now) {
      return engine().getNotification(userId, notificationId, now);
    },
    async listFeed(userId, query, now) {
      return engine().listFeed(userId, query, now);
    },
    async countUnread(userId, filter, now) {
      return engine().countUnread(userId, filter, now);
    },
    async updateNotificationState(userId, notificationId, patch, now, syncs) {
      const live = engine();
      if (syncs === undefined) return live.updateNotificationState(userId, notificationId, patch, now);
      return live.updateNotificationState(userId, notificationId, patch, now, (notification) => syncs(live.listSubscriptions(userId), notification));
    },
    async deleteNotification(userId, notificationId, now, syncs) {
      const live = engine();
      if (syncs === undefined) return live.deleteNotification(userId, notificationId, now);
      return live.deleteNotification(userId, notificationId, now, (notification) => syncs(live.listSubscriptions(userId), notification));
    },
    async deleteGroup(userId, groupName, targetHostName, now, syncs) {
      const live = engine();
      if (syncs === undefined) return live.deleteGroup(userId, groupName, targetHostName, now);
      return live.deleteGroup(userId, groupName, targetHostName, now, (notification) => syncs(live.listSubscriptions(userId), notification));
    },
    async listChanges(userId, since, limit, now) {
      return engine().listChanges(userId, since, limit, now);
    },
    async createSubscription(subscription, now) {
      return engine().createSubscription(newId(), subscription, now);
    },
    async getSubscription(subscriptionId) {
      return engine().getSubscription(subscriptionId);
    },
    async listSubscriptions(userId) {
      return engine().listSubscriptions(userId);
    },
    async updateSubscription(subscriptionId, patch, now) {
      return engine().updateSubscription(subscriptionId, patch, now);
    },
    async deleteSubscription(subscriptionId, now) {
      return engine().deleteSubscription(subscriptionId, now);
    },
    async getPreferences(userId) {
      return engine().getPreferences(userId);
    },
    async setPreferences(userId, preferences) {
      engine().setPreferences(userId, preferences);
    },
    async getDeliveryDecisions(userId, notificationId) {
      return engine().getDeliveryDecisions(userId, notificationId);
    },
    async listDeliveries(userId, notificationId) {
      return engine().listDeliveries(userId, notificationId);
    },
    async getDelivery(userId, deliveryId) {
      return engine().getDelivery(userId, deliveryId);
    },
    async listDeadDeliveries(limit, after) {
      return engine().listDeadDeliveries(limit, after);
    },
    async retryDelivery(userId, deliveryId, now) {
      return engine().retryDelivery(userId, deliveryId, now);
    },
    async cancelDeliveries(userId, notificationId, reason, now) {
      return engine().cancelDeliveries(userId, notificationId, reason, now);
    },
    async claimDeliveries(request, leaseTokens) {
      return engine().claimDeliveries(request, leaseTokens);
    },
    async renewLease(ref, now, leaseMs) {
      return engine().renewLease(ref, now, leaseMs);
    },
    async completeDelivery(ref, outcome, now) {
      return engine().completeDelivery(ref, outcome, now);
    },
    async nextDueAt() {
      return engine().nextDueAt();
    },
    async purgeExpired(request) {
      return engine().purgeExpired(request);
    },
    async close() {
      state = undefined;
    },
  });
}
