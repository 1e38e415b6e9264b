import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '@herald/store-memory';
import { notificationWrite, t0 } from './fixtures.js';

describe('maxNotificationsPerUser', () => {
  it('evicts the user’s lowest feed position like a delete: tombstone, sequence step, deliveries gone', async () => {
    const store = createMemoryStore({ maxNotificationsPerUser: 2 });
    await store.saveNotification(notificationWrite('alice', 'a1', { id: 'n1', deliveries: 1 })); // 1
    await store.saveNotification(notificationWrite('alice', 'a2', { id: 'n2', deliveries: 1 })); // 2
    await store.saveNotification(notificationWrite('alice', 'a1', { deliveries: 1 })); // 3: n1 moves to the top
    await store.saveNotification(notificationWrite('bob', 'b1', { id: 'b1' }));
    const saved = await store.saveNotification(notificationWrite('alice', 'a3', { id: 'n3', deliveries: 1 })); // 4, evicts n2 at 5
    expect(saved.created).toBe(true);
    expect((await store.listFeed('alice', { limit: 10 }, t0)).items.map((item) => item.id)).toEqual(['n3', 'n1']);
    expect(await store.getNotification('bob', 'b1', t0)).toBeDefined();
    expect(await store.listDeliveries('alice', 'n2')).toEqual([]);
    const changes = await store.listChanges('alice', 3, 10, t0);
    expect(changes.changes.map((change) => [change.type, change.notificationId, change.sequence])).toEqual([
      ['created', 'n3', 4],
      ['deleted', 'n2', 5],
    ]);
    // n1's two deliveries (one cancelled as superseded) and n3's; n2's went with it.
    const claims = await store.claimDeliveries({ owner: 'w', now: t0, leaseMs: 1_000, limit: 10 });
    expect(claims.map((claim) => claim.notification?.id).sort()).toEqual(['n1', 'n3']);
  });

  it('does not evict on an update', async () => {
    const store = createMemoryStore({ maxNotificationsPerUser: 1 });
    await store.saveNotification(notificationWrite('alice', 'a1', { id: 'n1' }));
    await store.saveNotification(notificationWrite('alice', 'a1'));
    expect((await store.listFeed('alice', { limit: 10 }, t0)).items.map((item) => item.id)).toEqual(['n1']);
    expect((await store.listChanges('alice', 0, 10, t0)).cursor).toBe(2);
  });

  it('keeps the unread count right through evictions', async () => {
    const store = createMemoryStore({ maxNotificationsPerUser: 3 });
    for (let index = 0; index < 10; index++) await store.saveNotification(notificationWrite('alice', `a${index}`));
    expect(await store.countUnread('alice', {}, t0)).toBe(3);
  });
});

describe('maxNotifications', () => {
  it('evicts the least recently created or updated notification of any user', async () => {
    const store = createMemoryStore({ maxNotifications: 3 });
    await store.saveNotification(notificationWrite('alice', 'a1', { id: 'alice-1', deliveries: 1 }));
    await store.saveNotification(notificationWrite('bob', 'b1', { id: 'bob-1', deliveries: 1 }));
    await store.saveNotification(notificationWrite('carol', 'c1', { id: 'carol-1' }));
    await store.saveNotification(notificationWrite('alice', 'a1')); // alice-1 is now the most recent write
    await store.saveNotification(notificationWrite('carol', 'c2', { id: 'carol-2' })); // evicts bob-1
    expect(await store.getNotification('bob', 'bob-1', t0)).toBeUndefined();
    expect(await store.listDeliveries('bob', 'bob-1')).toEqual([]);
    const bobChanges = await store.listChanges('bob', 1, 10, t0);
    expect(bobChanges.changes.map((change) => [change.type, change.notificationId, change.sequence])).toEqual([['deleted', 'bob-1', 2]]);
    await store.saveNotification(notificationWrite('dave', 'd1', { id: 'dave-1' })); // evicts carol-1
    expect(await store.getNotification('carol', 'carol-1', t0)).toBeUndefined();
    for (const [user, id] of [['alice', 'alice-1'], ['carol', 'carol-2'], ['dave', 'dave-1']] as const) {
      expect(await store.getNotification(user, id, t0)).toBeDefined();
    }
  });

  it('applies both caps together', async () => {
    const store = createMemoryStore({ maxNotificationsPerUser: 2, maxNotifications: 3 });
    for (let index = 0; index < 4; index++) await store.saveNotification(notificationWrite('alice', `a${index}`, { id: `alice-${index}` }));
    await store.saveNotification(notificationWrite('bob', 'b0', { id: 'bob-0' }));
    await store.saveNotification(notificationWrite('bob', 'b1', { id: 'bob-1' }));
    expect((await store.listFeed('alice', { limit: 10 }, t0)).items.map((item) => item.id)).toEqual(['alice-3']);
    expect((await store.listFeed('bob', { limit: 10 }, t0)).items.map((item) => item.id)).toEqual(['bob-1', 'bob-0']);
  });

  it('survives many evictions without losing track', async () => {
    const store = createMemoryStore({ maxNotifications: 50 });
    for (let index = 0; index < 5_000; index++) {
      await store.saveNotification(notificationWrite(`user-${index % 7}`, `a${index % 300}`, { id: `n${index}`, now: t0 + index }));
    }
    let total = 0;
    for (let user = 0; user < 7; user++) total += (await store.listFeed(`user-${user}`, { limit: 1000 }, t0 + 5_000)).items.length;
    expect(total).toBe(50);
  });
});
