/**
 * Group `lifecycle`: what a store declares, and closing: after `close()` every method
 * rejects with `STORE_CLOSED`; `close()` is idempotent (docs/stores.md, "Closing").
 */
import { expect, it } from 'vitest';
import { type NotificationStore } from '@herald/core';
import { storeCapabilityNames } from '@herald/core/store';
import { sampleDeliveries, sampleNotification, sampleSubscription } from '../fixtures.js';
import { expectHeraldError } from './expectations.js';
import type { StoreHarness } from './harness.js';
import { alice, leaseMs, owner, send, t0 } from './steps.js';

/** One call of every method of the interface, with valid arguments. */
function everyCall(store: NotificationStore, ids: { notification: string; delivery: string; subscription: string }): Record<string, () => Promise<unknown>> {
  const ref = { userId: alice, deliveryId: ids.delivery, token: 'token' };
  return {
    saveNotification: () => store.saveNotification({ notification: sampleNotification({ userId: alice }), deliveries: sampleDeliveries(1), now: t0 }),
    getNotification: () => store.getNotification(alice, ids.notification, t0),
    listFeed: () => store.listFeed(alice, { limit: 10 }, t0),
    countUnread: () => store.countUnread(alice, {}, t0),
    updateNotificationState: () => store.updateNotificationState(alice, ids.notification, { readState: 'read' }, t0),
    deleteNotification: () => store.deleteNotification(alice, ids.notification, t0),
    deleteGroup: () => store.deleteGroup(alice, 'TestGroup', undefined, t0),
    listChanges: () => store.listChanges(alice, 0, 10, t0),
    createSubscription: () => store.createSubscription(sampleSubscription({ userId: alice }), t0),
    getSubscription: () => store.getSubscription(ids.subscription),
    listSubscriptions: () => store.listSubscriptions(alice),
    updateSubscription: () => store.updateSubscription(ids.subscription, { status: 'inactive' }, t0),
    deleteSubscription: () => store.deleteSubscription(ids.subscription, t0),
    listDeliveries: () => store.listDeliveries(alice, ids.notification),
    getDelivery: () => store.getDelivery(alice, ids.delivery),
    listDeadDeliveries: () => store.listDeadDeliveries(10, undefined),
    retryDelivery: () => store.retryDelivery(alice, ids.delivery, t0),
    cancelDeliveries: () => store.cancelDeliveries(alice, ids.notification, 'closing', t0),
    claimDeliveries: () => store.claimDeliveries({ owner, now: t0, leaseMs, limit: 10 }),
    renewLease: () => store.renewLease(ref, t0, leaseMs),
    completeDelivery: () => store.completeDelivery(ref, { status: 'delivered' }, t0),
    nextDueAt: () => store.nextDueAt(),
    purgeExpired: () => store.purgeExpired({ now: t0, tombstonesBefore: t0, limit: 10 }),
    ...(store.wake === undefined ? {} : { wake: () => (store.wake as () => Promise<void>).call(store) }),
  };
}

/** Registers the tests of the group. */
export function lifecycleTests(h: StoreHarness): void {
  it('declares a name and its capabilities', () => {
    const { store } = h;
    expect(typeof store.name === 'string' && store.name.length > 0, 'a store has a non-empty name').toBe(true);
    for (const capability of storeCapabilityNames) {
      expect(typeof store.capabilities[capability], `capabilities.${capability} is a boolean`).toBe('boolean');
    }
    expect(typeof store.onWake === 'function', 'onWake is present exactly when capabilities.wakeups is true').toBe(store.capabilities.wakeups);
    for (const method of ['onFeedChange', 'feedChanged'] as const) {
      expect(typeof store[method] === 'function', `${method} is present exactly when capabilities.feedWakeups is true`).toBe(store.capabilities.feedWakeups);
    }
  });

  it('rejects every method with STORE_CLOSED after close', async () => {
    const subscription = await h.store.createSubscription(sampleSubscription({ userId: alice }), t0);
    const saved = await send(h.store, { deliveries: 1 });
    const ids = { notification: saved.notification.id, delivery: (saved.deliveries[0] as { id: string }).id, subscription: subscription.id };
    await h.store.close();
    for (const [method, call] of Object.entries(everyCall(h.store, ids))) {
      await expectHeraldError(call, 'STORE_CLOSED', `${method} after close()`);
    }
  });

  it('closes more than once, also concurrently', async () => {
    await send(h.store);
    await Promise.all([h.store.close(), h.store.close()]);
    await h.store.close();
    await expectHeraldError(() => h.store.listFeed(alice, { limit: 10 }, t0), 'STORE_CLOSED', 'listFeed after closing three times');
  });

  it('closes an empty store', async () => {
    await h.store.close();
    await expectHeraldError(() => h.store.nextDueAt(), 'STORE_CLOSED', 'nextDueAt after close() of a store never used');
  });
}
