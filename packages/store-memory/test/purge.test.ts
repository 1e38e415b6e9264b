import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '@herald/store-memory';
import { day, newSubscription, notificationWrite, t0 } from './fixtures.js';

const expiringAt = (time: number) => ({ content: { expirationDateTime: new Date(time).toISOString() } });

describe('purgeExpired', () => {
  it('removes expired notifications up to the limit, with their deliveries, leaving tombstones', async () => {
    const store = createMemoryStore();
    for (const user of ['alice', 'bob']) {
      for (let index = 0; index < 3; index++) {
        await store.saveNotification(notificationWrite(user, `a${index}`, { id: `${user}-${index}`, deliveries: 1, ...expiringAt(t0 + 100 + index) }));
      }
    }
    await store.saveNotification(notificationWrite('alice', 'live', { id: 'alice-live' }));
    const first = await store.purgeExpired({ now: t0 + 200, tombstonesBefore: 0, limit: 4 });
    expect(first).toEqual({ notifications: 4, subscriptions: [], more: true });
    const second = await store.purgeExpired({ now: t0 + 200, tombstonesBefore: 0, limit: 4 });
    expect(second).toEqual({ notifications: 2, subscriptions: [], more: false });
    expect(await store.listDeliveries('alice', 'alice-0')).toEqual([]);
    expect(await store.claimDeliveries({ owner: 'w', now: t0 + 200, leaseMs: 1, limit: 10 })).toEqual([]);
    const changes = await store.listChanges('alice', 4, 10, t0 + 200);
    expect(changes.changes.map((change) => change.type)).toEqual(['deleted', 'deleted', 'deleted']);
    expect((await store.listFeed('alice', { limit: 10 }, t0)).items.map((item) => item.id)).toEqual(['alice-live']);
  });

  it('purges tombstones deleted before the given time, not the ones it just made', async () => {
    const store = createMemoryStore();
    await store.saveNotification(notificationWrite('alice', 'a1', { id: 'n1' })); // 1
    await store.saveNotification(notificationWrite('alice', 'a2', { id: 'n2', ...expiringAt(t0 + 50) })); // 2
    await store.deleteNotification('alice', 'n1', t0 + 10); // 3
    await store.purgeExpired({ now: t0 + 100, tombstonesBefore: t0 + 1_000, limit: 10 }); // 4: n2 purged
    const page = await store.listChanges('alice', 3, 10, t0 + 100);
    expect(page.changes.map((change) => [change.type, change.notificationId])).toEqual([['deleted', 'n2']]);
    await expect(store.listChanges('alice', 2, 10, t0 + 100)).rejects.toMatchObject({ code: 'CURSOR_EXPIRED' });
  });

  it('forgets expired idempotency keys', async () => {
    const store = createMemoryStore();
    const idempotency = { key: 'k', fingerprint: 'f', expiresAt: t0 + 10 };
    await store.saveNotification(notificationWrite('alice', 'a1', { idempotency }));
    await store.purgeExpired({ now: t0 + 10, tombstonesBefore: 0, limit: 10 });
    // Asked about an earlier time, a key still recorded would replay; a forgotten one cannot.
    const again = await store.saveNotification(notificationWrite('alice', 'a1', { now: t0 + 5, idempotency }));
    expect(again.replay).toBeUndefined();
  });

  it('marks active subscriptions whose expiry passed inactive with reason expired, once', async () => {
    const store = createMemoryStore();
    const soon = await store.createSubscription(newSubscription('alice', { expiresAt: t0 + 10 }), t0);
    const renewed = await store.createSubscription(newSubscription('alice', { expiresAt: t0 + 10 }), t0);
    await store.updateSubscription(renewed.id, { expiresAt: t0 + day }, t0 + 1);
    const deleted = await store.createSubscription(newSubscription('alice', { expiresAt: t0 + 10 }), t0);
    await store.deleteSubscription(deleted.id, t0);
    await store.createSubscription(newSubscription('alice', { expiresAt: t0 + day }), t0);
    const result = await store.purgeExpired({ now: t0 + 10, tombstonesBefore: 0, limit: 10 });
    expect(result.subscriptions).toEqual([
      { ...soon, status: 'inactive', statusReason: 'expired', lastModifiedDateTime: new Date(t0 + 10).toISOString() },
    ]);
    expect(await store.getSubscription(soon.id)).toEqual(result.subscriptions[0]);
    expect((await store.purgeExpired({ now: t0 + 20, tombstonesBefore: 0, limit: 10 })).subscriptions).toEqual([]);
  });
});
