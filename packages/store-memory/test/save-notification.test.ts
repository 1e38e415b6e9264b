import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '@herald/store-memory';
import { supersededDeliveryError } from '@herald/core/store';
import { day, newDelivery, notificationWrite, t0 } from './fixtures.js';

describe('saveNotification', () => {
  it('creates an unread, untouched notification with the given id and a new sequence', async () => {
    const store = createMemoryStore();
    const result = await store.saveNotification(notificationWrite('alice', 'a1', { id: 'n-first', deliveries: 2 }));
    expect(result.created).toBe(true);
    expect(result.replay).toBeUndefined();
    expect(result.notification).toMatchObject({
      id: 'n-first',
      userId: 'alice',
      appNotificationId: 'a1',
      readState: 'unread',
      userActionState: 'noInteraction',
      createdDateTime: new Date(t0).toISOString(),
      lastModifiedDateTime: new Date(t0).toISOString(),
      sequence: 1,
      groupName: 'TestGroup',
      priority: 'High',
    });
    expect(result.deliveries).toHaveLength(2);
    for (const delivery of result.deliveries) {
      expect(delivery).toMatchObject({ status: 'pending', attempts: 0, createdAt: t0, updatedAt: t0, userId: 'alice', notificationId: 'n-first' });
      expect('lease' in delivery).toBe(false);
      expect('lastError' in delivery).toBe(false);
    }
  });

  it('leaves optional fields absent rather than undefined', async () => {
    const store = createMemoryStore();
    const { notification } = await store.saveNotification(
      notificationWrite('alice', 'a1', {
        content: { groupName: undefined, priority: undefined, targetPolicy: undefined, displayTimeToLive: undefined },
      }),
    );
    for (const key of ['groupName', 'priority', 'targetPolicy', 'displayTimeToLive', 'fallbackPolicy']) {
      expect(Object.keys(notification)).not.toContain(key);
    }
  });

  it('updates a live notification with the same app and app id in place and moves it to the top', async () => {
    const store = createMemoryStore();
    const first = await store.saveNotification(notificationWrite('alice', 'a1', { id: 'n-a1' }));
    await store.saveNotification(notificationWrite('alice', 'a2', { now: t0 + 1 }));
    await store.updateNotificationState('alice', 'n-a1', { readState: 'read', userActionState: 'activated' }, t0 + 2);
    const second = await store.saveNotification(
      notificationWrite('alice', 'a1', { id: 'n-ignored', now: t0 + 3, content: { payload: { rawContent: 'new' } } }),
    );
    expect(second.created).toBe(false);
    expect(second.notification).toMatchObject({
      id: 'n-a1',
      createdDateTime: first.notification.createdDateTime,
      lastModifiedDateTime: new Date(t0 + 3).toISOString(),
      readState: 'unread',
      userActionState: 'noInteraction',
      payload: { rawContent: 'new' },
      sequence: 4,
    });
    const page = await store.listFeed('alice', { limit: 10 }, t0 + 3);
    expect(page.items.map((item) => item.appNotificationId)).toEqual(['a1', 'a2']);
  });

  it('cancels the open deliveries when updating, the leased one too, with one superseded error for every store', async () => {
    const store = createMemoryStore();
    const first = await store.saveNotification(notificationWrite('alice', 'a1', { id: 'n-a1', deliveries: 2 }));
    const [claim] = await store.claimDeliveries({ owner: 'worker', now: t0, leaseMs: 60_000, limit: 1 });
    const leasedId = claim?.delivery.id as string;
    const second = await store.saveNotification(notificationWrite('alice', 'a1', { now: t0 + 10, deliveries: 1 }));
    const deliveries = await store.listDeliveries('alice', 'n-a1');
    expect(deliveries).toHaveLength(3);
    const [a, b, c] = deliveries;
    for (const superseded of [a, b]) {
      expect(superseded).toMatchObject({ status: 'cancelled', nextAttemptAt: null, lastError: { ...supersededDeliveryError, at: t0 + 10 } });
      expect(superseded && 'lease' in superseded).toBe(false);
    }
    expect(c).toEqual(second.deliveries[0]);
    expect(first.deliveries.map((delivery) => delivery.id)).toContain(leasedId);
    const ref = { userId: 'alice', deliveryId: leasedId, token: claim?.delivery.lease.token as string };
    expect(await store.completeDelivery(ref, { status: 'failed', nextAttemptAt: t0 + 20, error: { code: 'X', message: 'busy' } }, t0 + 11)).toBe(false);
    expect((await store.claimDeliveries({ owner: 'worker', now: t0 + 1_000_000, leaseMs: 1, limit: 10 })).map((claimed) => claimed.delivery.id)).toEqual([c?.id]);
  });

  it('cancels a delivery whose lease ran out when updating', async () => {
    const store = createMemoryStore();
    await store.saveNotification(notificationWrite('alice', 'a1', { id: 'n-a1', deliveries: 1 }));
    await store.claimDeliveries({ owner: 'worker', now: t0, leaseMs: 1_000, limit: 1 });
    await store.saveNotification(notificationWrite('alice', 'a1', { now: t0 + 1_000 }));
    const [delivery] = await store.listDeliveries('alice', 'n-a1');
    expect(delivery).toMatchObject({ status: 'cancelled', lastError: { code: 'SUPERSEDED' } });
    expect(delivery && 'lease' in delivery).toBe(false);
  });

  it('replaces an expired notification with the same key by a new one, leaving a tombstone', async () => {
    const store = createMemoryStore();
    const expiry = t0 + day;
    await store.saveNotification(
      notificationWrite('alice', 'a1', { id: 'n-old', deliveries: 1, content: { expirationDateTime: new Date(expiry).toISOString() } }),
    );
    const result = await store.saveNotification(notificationWrite('alice', 'a1', { id: 'n-new', now: expiry }));
    expect(result.created).toBe(true);
    expect(result.notification).toMatchObject({ id: 'n-new', sequence: 3 });
    expect(await store.listDeliveries('alice', 'n-old')).toEqual([]);
    const changes = await store.listChanges('alice', 1, 10, expiry);
    expect(changes.changes.map((change) => [change.type, change.notificationId, change.sequence])).toEqual([
      ['deleted', 'n-old', 2],
      ['created', 'n-new', 3],
    ]);
  });

  it('replays a recorded idempotency key without writing anything', async () => {
    const store = createMemoryStore();
    const idempotency = { key: 'k1', fingerprint: 'f1', expiresAt: t0 + day };
    const first = await store.saveNotification(notificationWrite('alice', 'a1', { id: 'n-a1', deliveries: 1, idempotency }));
    const again = await store.saveNotification(
      notificationWrite('alice', 'a1', { now: t0 + 5, deliveries: 1, idempotency: { ...idempotency, fingerprint: 'f2' } }),
    );
    expect(again).toEqual({ notification: first.notification, created: true, deliveries: [], replay: { fingerprint: 'f1' } });
    expect((await store.listChanges('alice', 0, 10, t0 + 5)).cursor).toBe(1);
    expect(await store.listDeliveries('alice', 'n-a1')).toHaveLength(1);
  });

  it('keeps idempotency keys per user and forgets them when they expire', async () => {
    const store = createMemoryStore();
    const idempotency = { key: 'k1', fingerprint: 'f1', expiresAt: t0 + 100 };
    await store.saveNotification(notificationWrite('alice', 'a1', { idempotency }));
    const bob = await store.saveNotification(notificationWrite('bob', 'a1', { idempotency }));
    expect(bob.replay).toBeUndefined();
    const later = await store.saveNotification(notificationWrite('alice', 'a1', { now: t0 + 100, idempotency: { ...idempotency, expiresAt: t0 + 200 } }));
    expect(later.replay).toBeUndefined();
    expect(later.created).toBe(false);
  });

  it('writes nothing when the content cannot be copied', async () => {
    const store = createMemoryStore();
    await store.saveNotification(notificationWrite('alice', 'a1'));
    const hostile = {
      get visualContent(): never {
        throw new Error('unreadable payload');
      },
    };
    await expect(
      store.saveNotification(notificationWrite('alice', 'a2', { deliveries: [newDelivery()], content: { payload: hostile } })),
    ).rejects.toThrow('unreadable payload');
    expect((await store.listChanges('alice', 0, 10, t0)).cursor).toBe(1);
    expect(await store.nextDueAt()).toBeUndefined();
  });
});

describe('saveNotification with ids already taken', () => {
  it('refuses a delivery id another delivery of the user holds, and writes nothing', async () => {
    const store = createMemoryStore();
    const first = await store.saveNotification(notificationWrite('alice', 'a1', { id: 'n1', deliveries: 1 }));
    const taken = first.deliveries[0]?.id as string;
    await expect(
      store.saveNotification(notificationWrite('alice', 'a2', { id: 'n2', deliveries: [newDelivery(), newDelivery({ id: taken })] })),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(await store.getNotification('alice', 'n2', t0)).toBeUndefined();
    expect((await store.getDelivery('alice', taken))?.notificationId).toBe('n1');
    expect((await store.listChanges('alice', 0, 10, t0)).cursor).toBe(1);
  });

  it('refuses a write that repeats a delivery id within itself', async () => {
    const store = createMemoryStore();
    const delivery = newDelivery();
    await expect(store.saveNotification(notificationWrite('alice', 'a1', { deliveries: [delivery, delivery] }))).rejects.toThrow(
      /^\[herald\] \[store-memory\] the delivery id/,
    );
    expect((await store.listChanges('alice', 0, 10, t0)).cursor).toBe(0);
  });

  it('refuses a notification id another notification of the user holds', async () => {
    const store = createMemoryStore();
    await store.saveNotification(notificationWrite('alice', 'a1', { id: 'n1' }));
    await expect(store.saveNotification(notificationWrite('alice', 'a2', { id: 'n1' }))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    // Another user may use the same id: ids are scoped to their user.
    await expect(store.saveNotification(notificationWrite('bob', 'a2', { id: 'n1' }))).resolves.toMatchObject({ created: true });
  });

  it('lets a replacement reuse the ids of the expired notification it replaces', async () => {
    const store = createMemoryStore();
    const old = await store.saveNotification(
      notificationWrite('alice', 'a1', { id: 'n1', deliveries: 1, content: { expirationDateTime: new Date(t0 + 10).toISOString() } }),
    );
    const reused = newDelivery({ id: old.deliveries[0]?.id as string });
    const result = await store.saveNotification(notificationWrite('alice', 'a1', { id: 'n1', now: t0 + 10, deliveries: [reused] }));
    expect(result).toMatchObject({ created: true, notification: { id: 'n1', sequence: 3 } });
    expect(await store.getDelivery('alice', reused.id)).toMatchObject({ status: 'pending', createdAt: t0 + 10 });
  });
});
