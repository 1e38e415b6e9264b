/**
 * Group `changes`: the change feed, typed relative to the caller's cursor, with cursors,
 * limits and expired cursors (docs/stores.md, "The change feed").
 */
import { expect, it } from 'vitest';
import type { NotificationStore, StoredNotification } from '@herald/core';
import type { ChangePage } from '@herald/core/store';
import { expectHeraldError } from './expectations.js';
import type { StoreHarness } from './harness.js';
import { alice, send, t0 } from './steps.js';

/** The notifications and the moment after the story {@link changeStory} tells. */
interface Story {
  readonly n1: StoredNotification;
  readonly n2: StoredNotification;
  readonly n3: StoredNotification;
  readonly n4: StoredNotification;
  readonly n5: StoredNotification;
  readonly now: number;
}

/**
 * Four creations (sequences 1–4); then n1 updated (5) and read (6), n2 read (7), n3 deleted
 * (8), n5 created (9) and read (10). n4 stays untouched.
 */
async function changeStory(store: NotificationStore): Promise<Story> {
  const created: StoredNotification[] = [];
  for (let index = 1; index <= 4; index += 1) created.push((await send(store, { appNotificationId: `n${index}`, now: t0 + index })).notification);
  const [n1, n2, n3, n4] = created as [StoredNotification, StoredNotification, StoredNotification, StoredNotification];
  await send(store, { appNotificationId: 'n1', content: { payload: { rawContent: 'v2' } }, now: t0 + 5 });
  await store.updateNotificationState(alice, n1.id, { readState: 'read' }, t0 + 6);
  await store.updateNotificationState(alice, n2.id, { readState: 'read' }, t0 + 7);
  await store.deleteNotification(alice, n3.id, t0 + 8);
  const n5 = (await send(store, { appNotificationId: 'n5', now: t0 + 9 })).notification;
  await store.updateNotificationState(alice, n5.id, { userActionState: 'activated' }, t0 + 10);
  const now = t0 + 11;
  const get = async (n: StoredNotification): Promise<StoredNotification> => (await store.getNotification(alice, n.id, now)) as StoredNotification;
  return { n1: await get(n1), n2: await get(n2), n3, n4: await get(n4), n5: await get(n5), now };
}

const summary = (page: ChangePage): (string | number)[][] => page.changes.map((change) => [change.type, change.notificationId, change.sequence]);

/** Registers the tests of the group. */
export function changeTests(h: StoreHarness): void {
  it('answers a full sync (since 0) with every live notification as created, by sequence, without tombstones', async () => {
    const { n1, n2, n4, n5, now } = await changeStory(h.store);
    const page = await h.store.listChanges(alice, 0, 100, now);
    expect(summary(page), 'since 0: every live notification as `created`, ascending sequence, no tombstones').toEqual([
      ['created', n4.id, 4],
      ['created', n1.id, 6],
      ['created', n2.id, 7],
      ['created', n5.id, 10],
    ]);
    for (const change of page.changes) {
      expect(change.notification, 'a change carries the notification as it is now').toEqual(await h.store.getNotification(alice, change.notificationId, now));
    }
    expect(page.cursor, 'the cursor of the last page is the user’s current sequence').toBe(10);
    expect(page.hasMore).toBe(false);
    await h.store.deleteNotification(alice, n5.id, now);
    const afterDelete = await h.store.listChanges(alice, 0, 100, now);
    expect(afterDelete.changes.map((change) => change.notificationId), 'a full sync has no tombstones').toEqual([n4.id, n1.id, n2.id]);
    expect(afterDelete.cursor, 'the cursor is the current sequence (11, the deletion), not the last change listed (7)').toBe(11);
  });

  it('types each change relative to the cursor', async () => {
    const { n1, n2, n3, n4, n5, now } = await changeStory(h.store);
    const since4 = await h.store.listChanges(alice, 4, 100, now);
    expect(summary(since4), 'created after the cursor → created; content changed after it → updated; only state → stateChanged; tombstones → deleted').toEqual([
      ['updated', n1.id, 6],
      ['stateChanged', n2.id, 7],
      ['deleted', n3.id, 8],
      ['created', n5.id, 10],
    ]);
    const deleted = since4.changes.find((change) => change.type === 'deleted');
    expect(deleted !== undefined && 'notification' in deleted, 'a `deleted` change has no notification (absent, not undefined)').toBe(false);
    expect(since4.cursor).toBe(10);
    expect(since4.hasMore).toBe(false);

    const since5 = await h.store.listChanges(alice, 5, 100, now);
    expect(summary(since5)[0], 'n1 was updated at 5, read at 6: since 5 only its state changed').toEqual(['stateChanged', n1.id, 6]);
    const since6 = await h.store.listChanges(alice, 6, 100, now);
    expect(summary(since6), 'a notification whose sequence is not above `since` is not listed').toEqual([
      ['stateChanged', n2.id, 7],
      ['deleted', n3.id, 8],
      ['created', n5.id, 10],
    ]);
    const since1 = await h.store.listChanges(alice, 1, 100, now);
    expect(summary(since1), 'created after the cursor and then changed is still `created`; created and deleted after it is `deleted`').toEqual([
      ['created', n4.id, 4],
      ['updated', n1.id, 6],
      ['created', n2.id, 7],
      ['deleted', n3.id, 8],
      ['created', n5.id, 10],
    ]);
  });

  it('pages with limit: hasMore and the cursor of the last change returned', async () => {
    const { n1, n2, n3, n5, now } = await changeStory(h.store);
    const first = await h.store.listChanges(alice, 4, 2, now);
    expect(summary(first), 'limit caps the page, oldest first').toEqual([
      ['updated', n1.id, 6],
      ['stateChanged', n2.id, 7],
    ]);
    expect(first.hasMore, 'hasMore is true when more changes follow').toBe(true);
    expect(first.cursor, 'with hasMore, the cursor is the sequence of the last change returned').toBe(7);
    const second = await h.store.listChanges(alice, first.cursor, 2, now);
    expect(summary(second)).toEqual([
      ['deleted', n3.id, 8],
      ['created', n5.id, 10],
    ]);
    expect(second.hasMore, 'hasMore is false on a page that ends exactly at the last change').toBe(false);
    expect(second.cursor, 'the last page’s cursor is the current sequence').toBe(10);
  });

  it('continues a full sync from its cursors as an incremental sync', async () => {
    const { n1, n2, n3, n4, n5, now } = await changeStory(h.store);
    const seen: (string | number)[][] = [];
    let page = await h.store.listChanges(alice, 0, 1, now);
    for (let pages = 1; ; pages += 1) {
      seen.push(...summary(page));
      if (!page.hasMore || pages > 10) break;
      page = await h.store.listChanges(alice, page.cursor, 1, now);
    }
    expect(seen, 'a full sync page by page: the first page from 0, then each page typed relative to the previous cursor').toEqual([
      ['created', n4.id, 4],
      ['updated', n1.id, 6],
      ['stateChanged', n2.id, 7],
      ['deleted', n3.id, 8],
      ['created', n5.id, 10],
    ]);
    expect(page.cursor).toBe(10);
  });

  it('answers an empty page at the current sequence, and for a user without a feed', async () => {
    const { now } = await changeStory(h.store);
    const page = await h.store.listChanges(alice, 10, 100, now);
    expect(page, 'nothing after the current sequence: no changes, cursor unchanged').toEqual({ changes: [], cursor: 10, hasMore: false });
    expect(await h.store.listChanges('nobody', 0, 100, now), 'a user without a feed: no changes, cursor 0').toEqual({ changes: [], cursor: 0, hasMore: false });
  });

  it('rejects a cursor above the current sequence with CURSOR_EXPIRED', async () => {
    const { now } = await changeStory(h.store);
    await expectHeraldError(() => h.store.listChanges(alice, 11, 100, now), 'CURSOR_EXPIRED', 'listChanges with `since` above the user’s current sequence');
    await expectHeraldError(() => h.store.listChanges('nobody', 1, 100, now), 'CURSOR_EXPIRED', 'listChanges with `since` 1 for a user whose sequence is 0');
  });

  it('rejects a cursor below a purged tombstone with CURSOR_EXPIRED', async () => {
    const { n3, n5, now } = await changeStory(h.store);
    // n3's tombstone (sequence 8) is older than `tombstonesBefore`: the purge removes it.
    await h.store.purgeExpired({ now, tombstonesBefore: now, limit: 100 });
    await expectHeraldError(() => h.store.listChanges(alice, 7, 100, now), 'CURSOR_EXPIRED', 'listChanges with `since` below a purged tombstone (8)');
    await expectHeraldError(() => h.store.listChanges(alice, 4, 100, now), 'CURSOR_EXPIRED', 'listChanges with `since` below a purged tombstone (8)');
    const at = await h.store.listChanges(alice, 8, 100, now);
    expect(summary(at), '`since` at the purged tombstone’s sequence is still valid').toEqual([['created', n5.id, 10]]);
    const full = await h.store.listChanges(alice, 0, 100, now);
    expect(full.changes.map((change) => change.notificationId), 'a full sync always works').not.toContain(n3.id);
  });
}
