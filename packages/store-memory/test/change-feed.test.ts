import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '@herald/store-memory';
import { isHeraldError } from '@herald/core';
import type { ChangePage } from '@herald/core/store';
import { notificationWrite, t0 } from './fixtures.js';

const summary = (page: ChangePage): [string, string, number][] =>
  page.changes.map((change) => [change.type, change.notificationId, change.sequence]);

describe('listChanges', () => {
  it('returns every live notification as created on a full sync, by sequence, without tombstones', async () => {
    const store = createMemoryStore();
    await store.saveNotification(notificationWrite('alice', 'a1', { id: 'n1' }));
    await store.saveNotification(notificationWrite('alice', 'a2', { id: 'n2' }));
    await store.saveNotification(notificationWrite('alice', 'a3', { id: 'n3' }));
    await store.updateNotificationState('alice', 'n1', { readState: 'read' }, t0);
    await store.deleteNotification('alice', 'n2', t0);
    const page = await store.listChanges('alice', 0, 10, t0);
    expect(summary(page)).toEqual([
      ['created', 'n3', 3],
      ['created', 'n1', 4],
    ]);
    expect(page).toMatchObject({ cursor: 5, hasMore: false });
    expect(page.changes[1]?.notification).toMatchObject({ id: 'n1', readState: 'read' });
  });

  it('types each change relative to the cursor and reports each notification once', async () => {
    const store = createMemoryStore();
    await store.saveNotification(notificationWrite('alice', 'a1', { id: 'n1' })); // 1
    await store.saveNotification(notificationWrite('alice', 'a2', { id: 'n2' })); // 2
    await store.saveNotification(notificationWrite('alice', 'a3', { id: 'n3' })); // 3
    const cursor = (await store.listChanges('alice', 0, 10, t0)).cursor;
    expect(cursor).toBe(3);
    await store.updateNotificationState('alice', 'n1', { readState: 'read' }, t0); // 4
    await store.saveNotification(notificationWrite('alice', 'a2', { now: t0 + 1 })); // 5: n2 updated
    await store.updateNotificationState('alice', 'n2', { readState: 'read' }, t0 + 1); // 6
    await store.deleteNotification('alice', 'n3', t0 + 1); // 7
    await store.saveNotification(notificationWrite('alice', 'a4', { id: 'n4', now: t0 + 1 })); // 8
    await store.updateNotificationState('alice', 'n4', { userActionState: 'activated' }, t0 + 1); // 9
    const page = await store.listChanges('alice', cursor, 10, t0 + 1);
    expect(summary(page)).toEqual([
      ['stateChanged', 'n1', 4],
      ['updated', 'n2', 6],
      ['deleted', 'n3', 7],
      ['created', 'n4', 9],
    ]);
    expect(page.changes[2]).not.toHaveProperty('notification');
    expect(page).toMatchObject({ cursor: 9, hasMore: false });
  });

  it('pages with the sequence of the last change as the cursor while more follow', async () => {
    const store = createMemoryStore();
    for (let index = 1; index <= 5; index++) await store.saveNotification(notificationWrite('alice', `a${index}`, { id: `n${index}` }));
    const first = await store.listChanges('alice', 0, 2, t0);
    expect(summary(first)).toEqual([
      ['created', 'n1', 1],
      ['created', 'n2', 2],
    ]);
    expect(first).toMatchObject({ cursor: 2, hasMore: true });
    const second = await store.listChanges('alice', first.cursor, 3, t0);
    expect(summary(second).map(([, id]) => id)).toEqual(['n3', 'n4', 'n5']);
    expect(second).toMatchObject({ cursor: 5, hasMore: false });
    expect(await store.listChanges('alice', 5, 3, t0)).toEqual({ changes: [], cursor: 5, hasMore: false });
  });

  it('leaves out notifications that expired and reports them deleted once purged', async () => {
    const store = createMemoryStore();
    await store.saveNotification(notificationWrite('alice', 'a1', { id: 'n1', content: { expirationDateTime: new Date(t0 + 10).toISOString() } }));
    expect(summary(await store.listChanges('alice', 0, 10, t0 + 10))).toEqual([]);
    await store.purgeExpired({ now: t0 + 10, tombstonesBefore: 0, limit: 10 });
    expect(summary(await store.listChanges('alice', 1, 10, t0 + 10))).toEqual([['deleted', 'n1', 2]]);
  });

  it('rejects a cursor ahead of the feed, or behind purged tombstones, with CURSOR_EXPIRED', async () => {
    const store = createMemoryStore();
    await expect(store.listChanges('nobody', 1, 10, t0)).rejects.toSatisfy((error: unknown) => isHeraldError(error, 'CURSOR_EXPIRED'));
    expect(await store.listChanges('nobody', 0, 10, t0)).toEqual({ changes: [], cursor: 0, hasMore: false });
    await store.saveNotification(notificationWrite('alice', 'a1', { id: 'n1' })); // 1
    await store.saveNotification(notificationWrite('alice', 'a2', { id: 'n2' })); // 2
    await store.deleteNotification('alice', 'n1', t0); // 3
    await store.saveNotification(notificationWrite('alice', 'a3', { id: 'n3', now: t0 + 100 })); // 4
    await expect(store.listChanges('alice', 5, 10, t0)).rejects.toSatisfy((error: unknown) => isHeraldError(error, 'CURSOR_EXPIRED'));
    await store.purgeExpired({ now: t0 + 100, tombstonesBefore: t0 + 1, limit: 10 });
    await expect(store.listChanges('alice', 2, 10, t0)).rejects.toThrow(/\[herald\] \[store-memory\]/);
    await expect(store.listChanges('alice', 2, 10, t0)).rejects.toSatisfy((error: unknown) => isHeraldError(error, 'CURSOR_EXPIRED'));
    expect(summary(await store.listChanges('alice', 3, 10, t0 + 100))).toEqual([['created', 'n3', 4]]);
    expect(summary(await store.listChanges('alice', 0, 10, t0 + 100)).map(([, id]) => id)).toEqual(['n2', 'n3']);
  });
});
