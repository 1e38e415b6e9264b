import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '@herald/store-memory';
import type { NotificationStore } from '@herald/core';
import { newDelivery, newSubscription, notificationWrite, t0 } from './fixtures.js';

async function storeWithDeliveries(dueTimes: readonly number[]): Promise<{ store: NotificationStore; ids: string[] }> {
  const store = createMemoryStore();
  const deliveries = dueTimes.map((nextAttemptAt) => newDelivery({ nextAttemptAt }));
  await store.saveNotification(notificationWrite('alice', 'a1', { id: 'n1', deliveries }));
  return { store, ids: deliveries.map((delivery) => delivery.id) };
}

describe('claimDeliveries', () => {
  it('claims due deliveries earliest first, up to the limit, with a fresh lease each', async () => {
    const { store, ids } = await storeWithDeliveries([t0 + 30, t0 + 10, t0 + 20, t0 + 1_000]);
    const claims = await store.claimDeliveries({ owner: 'w1', now: t0 + 30, leaseMs: 5_000, limit: 2 });
    expect(claims.map((claim) => claim.delivery.id)).toEqual([ids[1], ids[2]]);
    for (const claim of claims) {
      expect(claim.delivery).toMatchObject({ status: 'pending', attempts: 0, lease: { owner: 'w1', expiresAt: t0 + 5_030 } });
      expect(claim.delivery.lease.token).toMatch(/^[0-9a-f-]{36}$/);
      expect(claim.notification).toMatchObject({ id: 'n1' });
    }
    expect(claims[0]?.delivery.lease.token).not.toBe(claims[1]?.delivery.lease.token);
    const rest = await store.claimDeliveries({ owner: 'w2', now: t0 + 30, leaseMs: 5_000, limit: 10 });
    expect(rest.map((claim) => claim.delivery.id)).toEqual([ids[0]]);
    expect(await store.claimDeliveries({ owner: 'w2', now: t0 + 30, leaseMs: 5_000, limit: 10 })).toEqual([]);
  });

  it('never hands out a delivery twice while its lease runs, and reclaims it once the lease expires', async () => {
    const { store, ids } = await storeWithDeliveries([t0]);
    const [first, second] = await Promise.all([
      store.claimDeliveries({ owner: 'w1', now: t0, leaseMs: 1_000, limit: 10 }),
      store.claimDeliveries({ owner: 'w2', now: t0, leaseMs: 1_000, limit: 10 }),
    ]);
    expect([...(first ?? []), ...(second ?? [])].map((claim) => claim.delivery.id)).toEqual([ids[0]]);
    expect(await store.claimDeliveries({ owner: 'w3', now: t0 + 999, leaseMs: 1_000, limit: 10 })).toEqual([]);
    expect(await store.nextDueAt()).toBe(t0 + 1_000);
    const reclaimed = await store.claimDeliveries({ owner: 'w3', now: t0 + 1_000, leaseMs: 1_000, limit: 10 });
    expect(reclaimed.map((claim) => claim.delivery.lease.owner)).toEqual(['w3']);
  });

  it('comes with the subscription while it exists', async () => {
    const store = createMemoryStore();
    const subscription = await store.createSubscription(newSubscription('alice'), t0);
    await store.saveNotification(notificationWrite('alice', 'a1', { deliveries: [newDelivery({ subscriptionId: subscription.id }), newDelivery({ subscriptionId: 'gone' })] }));
    const claims = await store.claimDeliveries({ owner: 'w', now: t0, leaseMs: 1_000, limit: 10 });
    expect(claims[0]?.subscription).toEqual(subscription);
    expect(claims[1]).not.toHaveProperty('subscription');
  });

  it('claims nothing with a limit of zero', async () => {
    const { store } = await storeWithDeliveries([t0]);
    expect(await store.claimDeliveries({ owner: 'w', now: t0, leaseMs: 1_000, limit: 0 })).toEqual([]);
  });
});

describe('leases', () => {
  it('renews and completes only with the token of the current lease, even after it expired', async () => {
    const { store, ids } = await storeWithDeliveries([t0]);
    const [claim] = await store.claimDeliveries({ owner: 'w1', now: t0, leaseMs: 1_000, limit: 1 });
    const ref = { userId: 'alice', deliveryId: ids[0] as string, token: claim?.delivery.lease.token as string };
    expect(await store.renewLease({ ...ref, token: 'forged' }, t0, 1_000)).toBe(false);
    expect(await store.renewLease(ref, t0 + 2_000, 1_000)).toBe(true);
    expect((await store.getDelivery('alice', ref.deliveryId))?.lease?.expiresAt).toBe(t0 + 3_000);
    expect(await store.nextDueAt()).toBe(t0 + 3_000);
    const [stolen] = await store.claimDeliveries({ owner: 'w2', now: t0 + 3_000, leaseMs: 1_000, limit: 1 });
    expect(stolen?.delivery.id).toBe(ref.deliveryId);
    expect(await store.completeDelivery(ref, { status: 'delivered' }, t0 + 3_000)).toBe(false);
    expect(await store.renewLease(ref, t0 + 3_000, 1_000)).toBe(false);
    const current = { ...ref, token: stolen?.delivery.lease.token as string };
    expect(await store.completeDelivery(current, { status: 'delivered' }, t0 + 3_500)).toBe(true);
    expect(await store.completeDelivery(current, { status: 'delivered' }, t0 + 3_500)).toBe(false);
  });

  it('records each outcome as the rules say', async () => {
    const { store, ids } = await storeWithDeliveries([t0, t0, t0, t0, t0]);
    const claims = await store.claimDeliveries({ owner: 'w', now: t0, leaseMs: 1_000, limit: 5 });
    expect(claims.map((claim) => claim.delivery.id)).toEqual(ids); // equal due times: first in, first out
    const ref = (index: number) => ({ userId: 'alice', deliveryId: ids[index] as string, token: claims[index]?.delivery.lease.token as string });
    const now = t0 + 100;
    await store.completeDelivery(ref(0), { status: 'delivered' }, now);
    await store.completeDelivery(ref(1), { status: 'failed', nextAttemptAt: now + 500, error: { code: 'TRANSPORT_RETRYABLE', message: 'busy' } }, now);
    await store.completeDelivery(ref(2), { status: 'dead', error: { code: 'TRANSPORT_PERMANENT', message: 'no' } }, now);
    await store.completeDelivery(ref(3), { status: 'expired' }, now);
    await store.completeDelivery(ref(4), { status: 'cancelled', reason: 'endpoint removed' }, now);
    const [delivered, failed, dead, expired, cancelled] = await store.listDeliveries('alice', 'n1');
    expect(delivered).toMatchObject({ status: 'delivered', attempts: 1, deliveredAt: now, updatedAt: now, nextAttemptAt: null });
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, nextAttemptAt: now + 500, lastError: { code: 'TRANSPORT_RETRYABLE', message: 'busy', at: now } });
    expect(dead).toMatchObject({ status: 'dead', attempts: 1, nextAttemptAt: null, lastError: { code: 'TRANSPORT_PERMANENT', message: 'no', at: now } });
    expect(expired).toMatchObject({ status: 'expired', attempts: 0, nextAttemptAt: null });
    expect(cancelled).toMatchObject({ status: 'cancelled', attempts: 0, nextAttemptAt: null, lastError: { code: 'CANCELLED', message: 'endpoint removed' } });
    for (const delivery of [delivered, failed, dead, expired, cancelled]) expect(delivery).not.toHaveProperty('lease');
    expect(await store.nextDueAt()).toBe(now + 500);
    const retried = await store.claimDeliveries({ owner: 'w', now: now + 500, leaseMs: 1_000, limit: 5 });
    expect(retried.map((claim) => [claim.delivery.id, claim.delivery.attempts])).toEqual([[ids[1], 1]]);
  });
});

describe('dead deliveries', () => {
  async function killAll(store: NotificationStore, count: number): Promise<string[]> {
    const deliveries = Array.from({ length: count }, () => newDelivery({ nextAttemptAt: t0 }));
    await store.saveNotification(notificationWrite('alice', 'a1', { id: 'n1', deliveries }));
    const claims = await store.claimDeliveries({ owner: 'w', now: t0, leaseMs: 1_000, limit: count });
    // Die in reverse order of id, at distinct times, so death order is not creation order.
    for (const [index, claim] of [...claims].reverse().entries()) {
      const ref = { userId: 'alice', deliveryId: claim.delivery.id, token: claim.delivery.lease.token };
      await store.completeDelivery(ref, { status: 'dead', error: { code: 'X', message: 'x' } }, t0 + index);
    }
    return claims.map((claim) => claim.delivery.id).reverse();
  }

  it('lists dead deliveries by time of death, a page at a time', async () => {
    const store = createMemoryStore();
    const ids = await killAll(store, 5);
    const first = await store.listDeadDeliveries(2, undefined);
    expect(first.items.map((item) => item.id)).toEqual(ids.slice(0, 2));
    const second = await store.listDeadDeliveries(2, first.next);
    expect(second.items.map((item) => item.id)).toEqual(ids.slice(2, 4));
    const third = await store.listDeadDeliveries(2, second.next);
    expect(third.items.map((item) => item.id)).toEqual(ids.slice(4));
    expect(third.next).toBeUndefined();
    await expect(store.listDeadDeliveries(2, 'not a token')).rejects.toThrow(/page token/);
  });

  it('revives a dead delivery as pending, due now, attempts reset; others come back unchanged', async () => {
    const store = createMemoryStore();
    const [id] = await killAll(store, 1);
    const revived = await store.retryDelivery('alice', id as string, t0 + 50);
    expect(revived).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: t0 + 50, updatedAt: t0 + 50, lastError: { code: 'X' } });
    expect((await store.listDeadDeliveries(10, undefined)).items).toEqual([]);
    expect(await store.retryDelivery('alice', id as string, t0 + 60)).toEqual(revived);
    expect(await store.retryDelivery('alice', 'missing', t0 + 60)).toBeUndefined();
    expect(await store.nextDueAt()).toBe(t0 + 50);
  });

  it('drops dead deliveries from the list when their notification is deleted', async () => {
    const store = createMemoryStore();
    await killAll(store, 2);
    await store.deleteNotification('alice', 'n1', t0);
    expect((await store.listDeadDeliveries(10, undefined)).items).toEqual([]);
  });
});

describe('cancelDeliveries and nextDueAt', () => {
  it('cancels the open deliveries, the leased one too, and returns how many', async () => {
    const { store, ids } = await storeWithDeliveries([t0, t0 + 10, t0 + 20]);
    const [claim] = await store.claimDeliveries({ owner: 'w', now: t0, leaseMs: 1_000, limit: 1 });
    expect(await store.cancelDeliveries('alice', 'n1', 'user cancelled', t0 + 5)).toBe(3);
    expect(await store.cancelDeliveries('alice', 'n1', 'again', t0 + 5)).toBe(0);
    const deliveries = await store.listDeliveries('alice', 'n1');
    expect(deliveries.map((delivery) => delivery.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    expect(deliveries[1]?.lastError).toEqual({ code: 'CANCELLED', message: 'user cancelled', at: t0 + 5 });
    expect(claim?.delivery.id).toBe(ids[0]);
    const ref = { userId: 'alice', deliveryId: ids[0] as string, token: claim?.delivery.lease.token as string };
    expect(await store.completeDelivery(ref, { status: 'delivered' }, t0 + 6), 'the holder finds its lease gone').toBe(false);
    expect(await store.nextDueAt()).toBeUndefined();
  });

  it('reports the earliest due time of an open delivery, or nothing', async () => {
    const store = createMemoryStore();
    expect(await store.nextDueAt()).toBeUndefined();
    await store.saveNotification(notificationWrite('alice', 'a1', { deliveries: [newDelivery({ nextAttemptAt: t0 + 60_000 })] }));
    expect(await store.nextDueAt()).toBe(t0 + 60_000);
  });
});
