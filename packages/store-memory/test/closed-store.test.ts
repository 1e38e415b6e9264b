import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '@herald/store-memory';
import { isHeraldError } from '@herald/core';
import type { NotificationStore } from '@herald/core';
import { newSubscription, notificationWrite, t0 } from './fixtures.js';

/** One call of every method, with plausible arguments. */
const calls: Record<string, (store: NotificationStore) => Promise<unknown>> = {
  saveNotification: (store) => store.saveNotification(notificationWrite('alice', 'a1')),
  getNotification: (store) => store.getNotification('alice', 'n1', t0),
  listFeed: (store) => store.listFeed('alice', { limit: 10 }, t0),
  countUnread: (store) => store.countUnread('alice', {}, t0),
  updateNotificationState: (store) => store.updateNotificationState('alice', 'n1', { readState: 'read' }, t0),
  deleteNotification: (store) => store.deleteNotification('alice', 'n1', t0),
  deleteGroup: (store) => store.deleteGroup('alice', 'g', undefined, t0),
  listChanges: (store) => store.listChanges('alice', 0, 10, t0),
  createSubscription: (store) => store.createSubscription(newSubscription('alice'), t0),
  getSubscription: (store) => store.getSubscription('s1'),
  listSubscriptions: (store) => store.listSubscriptions('alice'),
  updateSubscription: (store) => store.updateSubscription('s1', { status: 'inactive' }, t0),
  deleteSubscription: (store) => store.deleteSubscription('s1', t0),
  getPreferences: (store) => store.getPreferences('alice'),
  setPreferences: (store) => store.setPreferences('alice', { default: 'optOut' }, t0),
  getDeliveryDecisions: (store) => store.getDeliveryDecisions('alice', 'n1'),
  listDeliveries: (store) => store.listDeliveries('alice', 'n1'),
  getDelivery: (store) => store.getDelivery('alice', 'd1'),
  listDeadDeliveries: (store) => store.listDeadDeliveries(10, undefined),
  retryDelivery: (store) => store.retryDelivery('alice', 'd1', t0),
  cancelDeliveries: (store) => store.cancelDeliveries('alice', 'n1', 'why', t0),
  claimDeliveries: (store) => store.claimDeliveries({ owner: 'w', now: t0, leaseMs: 1_000, limit: 10 }),
  renewLease: (store) => store.renewLease({ userId: 'alice', deliveryId: 'd1', token: 't' }, t0, 1_000),
  completeDelivery: (store) => store.completeDelivery({ userId: 'alice', deliveryId: 'd1', token: 't' }, { status: 'delivered' }, t0),
  nextDueAt: (store) => store.nextDueAt(),
  purgeExpired: (store) => store.purgeExpired({ now: t0, tombstonesBefore: 0, limit: 10 }),
};

describe('a closed store', () => {
  it.each(Object.keys(calls))('rejects %s with STORE_CLOSED', async (method) => {
    const store = createMemoryStore();
    await calls[method]?.(store);
    await store.close();
    const error: unknown = await calls[method]?.(store).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(isHeraldError(error, 'STORE_CLOSED')).toBe(true);
    expect((error as Error).message).toMatch(/^\[herald\] \[store-memory\] /);
  });

  it('can be closed twice', async () => {
    const store = createMemoryStore();
    await store.close();
    await expect(store.close()).resolves.toBeUndefined();
  });

  it('covers every method of the interface in this test', () => {
    const store = createMemoryStore();
    const methods = Object.keys(store).filter((key) => typeof (store as unknown as Record<string, unknown>)[key] === 'function' && key !== 'close');
    expect(methods.sort()).toEqual(Object.keys(calls).sort());
  });
});
