/**
 * The memory store: the engine behind the async `NotificationStore` interface. This
 * layer owns what the engine must not do itself: minting random ids and lease tokens,
 * and refusing every call once the store is closed.
 */
import { listedWrite, newId } from '@herald/core/store';
import type { NotificationStore, StoreCapabilities } from '@herald/core/store';
import { MemoryState } from './engine/memory-state.js';
import { storeError } from './errors.js';
import { checkMemoryStoreOptions } from './options.js';
import type { MemoryStoreOptions } from './options.js';

/** The memory store's name, as `store.name` reports it. */
export const NAME = 'memory';

/** Neither durable nor shared: one process's memory, gone when it exits. */
const capabilities: StoreCapabilities = Object.freeze({ durable: false, shared: false, wakeups: false, feedWakeups: false });

/**
 * Creates an in-memory store: the fastest, for tests, demos and single-process apps
 * that may lose their notifications on restart. It is `AsyncDisposable`:
 * `await using store = createMemoryStore()` closes it when the block ends.
 * @throws TypeError when an option is invalid.
 */
export function createMemoryStore(options?: MemoryStoreOptions): NotificationStore & AsyncDisposable {
  let state: MemoryState | undefined = new MemoryState(checkMemoryStoreOptions(options));

  /** The state, or a `STORE_CLOSED` error; `async` callers turn the throw into a rejection. */
  const open = (): MemoryState => {
    if (state === undefined) throw storeError('STORE_CLOSED', 'the memory store is closed');
    return state;
  };

  const close = async (): Promise<void> => {
    // Dropping the state lets the memory go; closing twice is fine.
    state = undefined;
  };

  return {
    name: NAME,
    capabilities,
    async saveNotification(write) {
      const engine = open();
      return engine.saveNotification(listedWrite(write, () => engine.listSubscriptions(write.notification.userId)));
    },
    async getNotification(userId, notificationId, now) {
      return open().getNotification(userId, notificationId, now);
    },
    async listFeed(userId, query, now) {
      return open().listFeed(userId, query, now);
    },
    async countUnread(userId, filter, now) {
      return open().countUnread(userId, filter, now);
    },
    async updateNotificationState(userId, notificationId, patch, now) {
      return open().updateNotificationState(userId, notificationId, patch, now);
    },
    async deleteNotification(userId, notificationId, now) {
      return open().deleteNotification(userId, notificationId, now);
    },
    async deleteGroup(userId, groupName, targetHostName, now) {
      return open().deleteGroup(userId, groupName, targetHostName, now);
    },
    async listChanges(userId, since, limit, now) {
      return open().listChanges(userId, since, limit, now);
    },
    async createSubscription(subscription, now) {
      return open().createSubscription(newId(), subscription, now);
    },
    async getSubscription(subscriptionId) {
      return open().getSubscription(subscriptionId);
    },
    async listSubscriptions(userId) {
      return open().listSubscriptions(userId);
    },
    async updateSubscription(subscriptionId, patch, now) {
      return open().updateSubscription(subscriptionId, patch, now);
    },
    async deleteSubscription(subscriptionId) {
      return open().deleteSubscription(subscriptionId);
    },
    async listDeliveries(userId, notificationId) {
      return open().listDeliveries(userId, notificationId);
    },
    async getDelivery(userId, deliveryId) {
      return open().getDelivery(userId, deliveryId);
    },
    async listDeadDeliveries(limit, after) {
      return open().listDeadDeliveries(limit, after);
    },
    async retryDelivery(userId, deliveryId, now) {
      return open().retryDelivery(userId, deliveryId, now);
    },
    async cancelDeliveries(userId, notificationId, reason, now) {
      return open().cancelDeliveries(userId, notificationId, reason, now);
    },
    async claimDeliveries(request) {
      const engine = open();
      // One fresh random token per delivery the claim will take, and no more.
      const tokens = Array.from({ length: engine.countDue(request.now, request.limit) }, newId);
      return engine.claimDeliveries(request, tokens);
    },
    async renewLease(ref, now, leaseMs) {
      return open().renewLease(ref, now, leaseMs);
    },
    async completeDelivery(ref, outcome, now) {
      return open().completeDelivery(ref, outcome, now);
    },
    async nextDueAt() {
      return open().nextDueAt();
    },
    async purgeExpired(request) {
      return open().purgeExpired(request);
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
