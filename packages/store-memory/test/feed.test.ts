import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '@herald/store-memory';
import type { NotificationStore } from '@herald/core';
import { day, notificationWrite, t0 } from './fixtures.js';

async function fill(store: NotificationStore, userId: string, count: number): Promise<void> {
  for (let index = 0; index < count; index++) {
    await store.saveNotification(
      notificationWrite(userId, `a${index}`, {
        id: `${userId}-${index}`,
        now: t0 + index,
        content: { groupName: index % 2 === 0 ? 'even' : 'odd', targetHostName: index % 3 === 0 ? 'three.example' : 'other.example' },
      }),
    );
  }
}

describe('listFeed', () => {
  it('pages newest first, with next present only while more items follow', async () => {
    const store = createMemoryStore();
    await fill(store, 'alice', 5);
    const first = await store.listFeed('alice', { limit: 2 }, t0 + 10);
    expect(first.items.map((item) => item.id)).toEqual(['alice-4', 'alice-3']);
    expect(first.next).toBe(4);
    const second = await store.listFeed('alice', { limit: 2, before: first.next }, t0 + 10);
    expect(second.items.map((item) => item.id)).toEqual(['alice-2', 'alice-1']);
    const third = await store.listFeed('alice', { limit: 2, before: second.next }, t0 + 10);
    expect(third.items.map((item) => item.id)).toEqual(['alice-0']);
    expect('next' in third).toBe(false);
    const exact = await store.listFeed('alice', { limit: 5 }, t0 + 10);
    expect(exact.items).toHaveLength(5);
    expect(exact.next).toBeUndefined();
  });

  it('filters by unread, group and app', async () => {
    const store = createMemoryStore();
    await fill(store, 'alice', 6);
    await store.updateNotificationState('alice', 'alice-4', { readState: 'read' }, t0 + 10);
    const ids = async (query: Parameters<NotificationStore['listFeed']>[1]): Promise<string[]> =>
      (await store.listFeed('alice', query, t0 + 10)).items.map((item) => item.id);
    expect(await ids({ limit: 10, unread: true })).toEqual(['alice-5', 'alice-3', 'alice-2', 'alice-1', 'alice-0']);
    expect(await ids({ limit: 10, groupName: 'even' })).toEqual(['alice-4', 'alice-2', 'alice-0']);
    expect(await ids({ limit: 10, targetHostName: 'three.example' })).toEqual(['alice-3', 'alice-0']);
    expect(await ids({ limit: 10, unread: true, groupName: 'even', targetHostName: 'three.example' })).toEqual(['alice-0']);
    const page = await store.listFeed('alice', { limit: 1, groupName: 'even' }, t0 + 10);
    expect(page.next).toBe(5);
  });

  it('keeps the following pages in place when notifications arrive while a client pages', async () => {
    const store = createMemoryStore();
    await fill(store, 'alice', 4);
    const first = await store.listFeed('alice', { limit: 2 }, t0 + 10);
    await store.saveNotification(notificationWrite('alice', 'late', { now: t0 + 11 }));
    const second = await store.listFeed('alice', { limit: 2, before: first.next }, t0 + 11);
    expect(second.items.map((item) => item.id)).toEqual(['alice-1', 'alice-0']);
  });

  it('does not move a notification whose state changes', async () => {
    const store = createMemoryStore();
    await fill(store, 'alice', 3);
    const changed = await store.updateNotificationState('alice', 'alice-0', { userActionState: 'dismissed' }, t0 + 10);
    expect(changed?.sequence).toBe(4);
    const page = await store.listFeed('alice', { limit: 10 }, t0 + 10);
    expect(page.items.map((item) => item.id)).toEqual(['alice-2', 'alice-1', 'alice-0']);
  });

  it('leaves out expired notifications before they are purged', async () => {
    const store = createMemoryStore();
    await store.saveNotification(notificationWrite('alice', 'short', { id: 'short', content: { expirationDateTime: new Date(t0 + 1_000).toISOString() } }));
    await store.saveNotification(notificationWrite('alice', 'long', { id: 'long' }));
    expect((await store.listFeed('alice', { limit: 10 }, t0 + 999)).items).toHaveLength(2);
    expect((await store.listFeed('alice', { limit: 10 }, t0 + 1_000)).items.map((item) => item.id)).toEqual(['long']);
    expect(await store.getNotification('alice', 'short', t0 + 1_000)).toBeUndefined();
    expect(await store.getNotification('alice', 'short', t0 + 999)).toMatchObject({ id: 'short' });
    expect(await store.updateNotificationState('alice', 'short', { readState: 'read' }, t0 + 1_000)).toBeUndefined();
  });

  it('returns an empty page for a user it has never seen', async () => {
    const store = createMemoryStore();
    expect(await store.listFeed('nobody', { limit: 10 }, t0)).toEqual({ items: [] });
    expect(await store.countUnread('nobody', {}, t0)).toBe(0);
  });

  it('keeps users apart', async () => {
    const store = createMemoryStore();
    await fill(store, 'alice', 2);
    await fill(store, 'bob', 1);
    expect(await store.getNotification('bob', 'alice-0', t0)).toBeUndefined();
    expect((await store.listFeed('bob', { limit: 10 }, t0)).items.map((item) => item.id)).toEqual(['bob-0']);
  });
});

describe('countUnread', () => {
  it('counts unread notifications by app and group, following state changes and deletes', async () => {
    const store = createMemoryStore();
    await fill(store, 'alice', 6);
    expect(await store.countUnread('alice', {}, t0 + 10)).toBe(6);
    await store.updateNotificationState('alice', 'alice-0', { readState: 'read' }, t0 + 10);
    await store.deleteNotification('alice', 'alice-1', t0 + 10);
    expect(await store.countUnread('alice', {}, t0 + 10)).toBe(4);
    expect(await store.countUnread('alice', { groupName: 'even' }, t0 + 10)).toBe(2);
    expect(await store.countUnread('alice', { targetHostName: 'three.example' }, t0 + 10)).toBe(1);
    expect(await store.countUnread('alice', { targetHostName: 'three.example', groupName: 'odd' }, t0 + 10)).toBe(1);
    expect(await store.countUnread('alice', { groupName: 'missing' }, t0 + 10)).toBe(0);
    await store.updateNotificationState('alice', 'alice-0', { readState: 'unread' }, t0 + 11);
    expect(await store.countUnread('alice', {}, t0 + 11)).toBe(5);
  });

  it('stops counting notifications once they expire, before and after the purge', async () => {
    const store = createMemoryStore();
    for (let index = 0; index < 10; index++) {
      const expirationDateTime = new Date(t0 + (index + 1) * 1_000).toISOString();
      await store.saveNotification(notificationWrite('alice', `a${index}`, { content: { expirationDateTime, groupName: `g${index % 2}` } }));
    }
    expect(await store.countUnread('alice', {}, t0 + 3_000)).toBe(7);
    expect(await store.countUnread('alice', { groupName: 'g0' }, t0 + 3_000)).toBe(3);
    // Reads at an earlier time still see them: counting changes nothing.
    expect(await store.countUnread('alice', {}, t0)).toBe(10);
    await store.purgeExpired({ now: t0 + 3_000, tombstonesBefore: 0, limit: 100 });
    expect(await store.countUnread('alice', {}, t0 + 3_000)).toBe(7);
    expect(await store.countUnread('alice', {}, t0 + 20 * day)).toBe(0);
  });
});

describe('deleteNotification and deleteGroup', () => {
  it('deletes one notification with its deliveries, and reports a missing one', async () => {
    const store = createMemoryStore();
    const saved = await store.saveNotification(notificationWrite('alice', 'a1', { id: 'n1', deliveries: 2 }));
    expect(await store.deleteNotification('alice', 'n1', t0)).toBe(true);
    expect(await store.deleteNotification('alice', 'n1', t0)).toBe(false);
    expect(await store.deleteNotification('bob', 'n1', t0)).toBe(false);
    expect(await store.listDeliveries('alice', 'n1')).toEqual([]);
    for (const delivery of saved.deliveries) expect(await store.getDelivery('alice', delivery.id)).toBeUndefined();
    expect(await store.claimDeliveries({ owner: 'w', now: t0, leaseMs: 1_000, limit: 10 })).toEqual([]);
    expect(await store.nextDueAt()).toBeUndefined();
  });

  it('deletes a group, within one app when given, and returns how many', async () => {
    const store = createMemoryStore();
    await fill(store, 'alice', 6);
    expect(await store.deleteGroup('alice', 'even', 'three.example', t0 + 10)).toBe(1);
    expect(await store.deleteGroup('alice', 'even', undefined, t0 + 10)).toBe(2);
    expect(await store.deleteGroup('alice', 'even', undefined, t0 + 10)).toBe(0);
    const page = await store.listFeed('alice', { limit: 10 }, t0 + 10);
    expect(page.items.map((item) => item.id)).toEqual(['alice-5', 'alice-3', 'alice-1']);
    const changes = await store.listChanges('alice', 6, 10, t0 + 10);
    expect(changes.changes.map((change) => [change.type, change.notificationId, change.sequence])).toEqual([
      ['deleted', 'alice-0', 7],
      ['deleted', 'alice-2', 8],
      ['deleted', 'alice-4', 9],
    ]);
  });
});
