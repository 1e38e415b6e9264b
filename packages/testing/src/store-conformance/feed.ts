/**
 * Group `feed`: feed pages, look-ups, unread counts, state changes and deletes
 * (docs/stores.md, "Feed pages", "State changes", "Deletes").
 */
import { expect, it } from 'vitest';
import type { StoredNotification } from '@herald/core';
import type { ClaimedDelivery } from '@herald/core/store';
import { timeOf } from './expectations.js';
import type { StoreHarness } from './harness.js';
import { alice, claim, claimExactly, complete, currentSequence, feedIds, leaseMs, send, sendMany, t0 } from './steps.js';

const ids = (items: readonly StoredNotification[]): string[] => items.map((item) => item.id);

/** Registers the tests of the group. */
export function feedTests(h: StoreHarness): void {
  it('lists the feed newest first', async () => {
    const [n1, n2, n3] = await sendMany(h.store, 3);
    const page = await h.store.listFeed(alice, { limit: 10 }, t0 + 10);
    expect(ids(page.items), 'listFeed is newest first by position').toEqual(ids([n3, n2, n1] as StoredNotification[]));
    expect(page.next, '`next` is absent when no more items follow').toBeUndefined();
  });

  it('lists an updated notification by its update, and a state change does not move it', async () => {
    const [n1, n2, n3] = (await sendMany(h.store, 3)) as [StoredNotification, StoredNotification, StoredNotification];
    await h.store.updateNotificationState(alice, n1.id, { readState: 'read' }, t0 + 10);
    expect(await feedIds(h.store, alice, t0 + 10), 'a state change does not change the feed position').toEqual(ids([n3, n2, n1]));
    await send(h.store, { appNotificationId: 'n2', now: t0 + 11 });
    expect(await feedIds(h.store, alice, t0 + 11), 'an update moves the notification to the top (its position is its last update)').toEqual(ids([n2, n3, n1]));
  });

  it('filters by unread, groupName and targetHostName', async () => {
    const a = (await send(h.store, { appNotificationId: 'a', content: { groupName: 'g1' }, now: t0 })).notification;
    const b = (await send(h.store, { appNotificationId: 'b', content: { groupName: 'g2' }, now: t0 + 1 })).notification;
    const c = (await send(h.store, { appNotificationId: 'c', content: { groupName: 'g1', targetHostName: 'other.example.com' }, now: t0 + 2 })).notification;
    const d = (await send(h.store, { appNotificationId: 'd', content: { groupName: undefined }, now: t0 + 3 })).notification;
    await h.store.updateNotificationState(alice, a.id, { readState: 'read' }, t0 + 4);
    const now = t0 + 5;
    expect(await feedIds(h.store, alice, now, { unread: true }), 'unread: only unread notifications').toEqual(ids([d, c, b]));
    expect(await feedIds(h.store, alice, now, { unread: false }), 'unread: false is no filter').toEqual(ids([d, c, b, a]));
    expect(await feedIds(h.store, alice, now, { groupName: 'g1' }), 'groupName: only that group').toEqual(ids([c, a]));
    expect(await feedIds(h.store, alice, now, { targetHostName: 'other.example.com' }), 'targetHostName: only that app').toEqual(ids([c]));
    expect(await feedIds(h.store, alice, now, { groupName: 'g1', unread: true }), 'filters combine').toEqual(ids([c]));
    expect(await feedIds(h.store, alice, now, { groupName: 'g1', targetHostName: b.targetHostName }), 'filters combine').toEqual(ids([a]));
    expect(await feedIds(h.store, alice, now, { groupName: 'none' }), 'a filter nothing matches gives an empty page').toEqual([]);
  });

  it('pages with limit and next; next is present only when more matching items follow', async () => {
    const saved = await sendMany(h.store, 4);
    const newestFirst = ids([...saved].reverse());
    const now = t0 + 10;
    const first = await h.store.listFeed(alice, { limit: 2 }, now);
    expect(ids(first.items), 'limit caps the page').toEqual(newestFirst.slice(0, 2));
    expect(first.next, '`next` is the position of the last item returned (an untouched notification: its sequence)').toBe(first.items[1]?.sequence);
    const second = await h.store.listFeed(alice, { limit: 2, before: first.next as number }, now);
    expect(ids(second.items), '`before` continues after the previous page').toEqual(newestFirst.slice(2, 4));
    expect(second.next, '`next` is absent on a page that ends exactly at the last item').toBeUndefined();
    const all = await h.store.listFeed(alice, { limit: 4 }, now);
    expect(all.next, '`next` is absent when the limit equals the number of items').toBeUndefined();
    const more = await h.store.listFeed(alice, { limit: 3 }, now);
    expect(more.next, '`next` is present when more items follow').toBeDefined();
  });

  it('does not count items that do not match the filter as following', async () => {
    await send(h.store, { appNotificationId: 'a', content: { groupName: 'g2' }, now: t0 });
    await send(h.store, { appNotificationId: 'b', content: { groupName: 'g1' }, now: t0 + 1 });
    const c = (await send(h.store, { appNotificationId: 'c', content: { groupName: 'g2' }, now: t0 + 2 })).notification;
    await send(h.store, { appNotificationId: 'd', content: { groupName: 'g1' }, now: t0 + 3 });
    const page = await h.store.listFeed(alice, { limit: 2, groupName: 'g1' }, t0 + 4);
    expect(page.items.length).toBe(2);
    expect(page.next, '`next` is present only when more *matching* items follow').toBeUndefined();
    const one = await h.store.listFeed(alice, { limit: 1, groupName: 'g2' }, t0 + 4);
    expect(ids(one.items)).toEqual([c.id]);
    expect(one.next, 'a matching item follows: `next` is present').toBeDefined();
  });

  it('excludes positions at or above `before`', async () => {
    const [n1, n2, n3] = (await sendMany(h.store, 3)) as [StoredNotification, StoredNotification, StoredNotification];
    expect(await feedIds(h.store, alice, t0 + 10, { before: n2.sequence }), '`before` excludes positions at or above it').toEqual([n1.id]);
    expect(await feedIds(h.store, alice, t0 + 10, { before: n3.sequence + 1 }), '`before` above every position lists them all').toEqual(ids([n3, n2, n1]));
    expect(await feedIds(h.store, alice, t0 + 10, { before: 1 }), '`before: 1` lists nothing').toEqual([]);
  });

  it('never repeats or skips an item when notifications arrive and change between pages', async () => {
    const saved = await sendMany(h.store, 7);
    const expected = ids([...saved].reverse());
    const seen: string[] = [];
    let now = t0 + 100;
    let page = await h.store.listFeed(alice, { limit: 2 }, now);
    let pages = 0;
    for (;;) {
      seen.push(...ids(page.items));
      pages += 1;
      if (page.next === undefined || pages > 10) break;
      now += 1;
      // A new notification, and a state change of an item further down, between two pages.
      await send(h.store, { appNotificationId: `new-${pages}`, now });
      const later = expected.find((id) => !seen.includes(id));
      if (later !== undefined) await h.store.updateNotificationState(alice, later, { readState: 'read' }, now);
      page = await h.store.listFeed(alice, { limit: 2, before: page.next }, now);
    }
    expect(seen, 'paging with `before` lists each notification present at the start exactly once, in order, and none inserted while paging').toEqual(expected);
  });

  it('gets one notification, or undefined when it is missing', async () => {
    const { notification } = await send(h.store);
    expect(await h.store.getNotification(alice, notification.id, t0), 'getNotification finds a live notification').toEqual(notification);
    expect(await h.store.getNotification(alice, 'no-such-id', t0), 'getNotification of a missing id is undefined').toBeUndefined();
  });

  it('counts unread notifications, with filters', async () => {
    expect(await h.store.countUnread(alice, {}, t0), 'an empty feed has no unread').toBe(0);
    const a = (await send(h.store, { appNotificationId: 'a', content: { groupName: 'g1' }, now: t0 })).notification;
    await send(h.store, { appNotificationId: 'b', content: { groupName: 'g2' }, now: t0 + 1 });
    await send(h.store, { appNotificationId: 'c', content: { groupName: 'g1', targetHostName: 'other.example.com' }, now: t0 + 2 });
    const now = t0 + 5;
    expect(await h.store.countUnread(alice, {}, now), 'countUnread counts every unread notification').toBe(3);
    expect(await h.store.countUnread(alice, { groupName: 'g1' }, now), 'countUnread with groupName').toBe(2);
    expect(await h.store.countUnread(alice, { targetHostName: 'other.example.com' }, now), 'countUnread with targetHostName').toBe(1);
    expect(await h.store.countUnread(alice, { groupName: 'g1', targetHostName: a.targetHostName }, now), 'countUnread filters combine').toBe(1);
    await h.store.updateNotificationState(alice, a.id, { readState: 'read' }, now);
    expect(await h.store.countUnread(alice, {}, now), 'a read notification is not counted').toBe(2);
    await h.store.updateNotificationState(alice, a.id, { readState: 'unread' }, now + 1);
    expect(await h.store.countUnread(alice, {}, now + 1), 'marking it unread counts it again').toBe(3);
    await send(h.store, { appNotificationId: 'a', content: { groupName: 'g1' }, now: now + 2 });
    expect(await h.store.countUnread(alice, {}, now + 2), 'an update counts once').toBe(3);
  });

  it('changes the read and action state, bumping the sequence but not the position', async () => {
    const [n1, n2] = (await sendMany(h.store, 2)) as [StoredNotification, StoredNotification];
    const updated = await h.store.updateNotificationState(alice, n1.id, { readState: 'read', userActionState: 'dismissed' }, t0 + 10);
    expect(updated, 'updateNotificationState returns the notification').toBeDefined();
    expect(updated?.readState).toBe('read');
    expect(updated?.userActionState).toBe('dismissed');
    expect(updated?.sequence, 'a state change bumps the sequence by one (two creations, then this)').toBe(3);
    expect(timeOf(updated?.lastModifiedDateTime, 'lastModifiedDateTime'), 'a state change sets lastModifiedDateTime to now').toBe(t0 + 10);
    expect(timeOf(updated?.createdDateTime, 'createdDateTime')).toBe(t0);
    expect(updated?.payload).toEqual(n1.payload);
    expect(await h.store.getNotification(alice, n1.id, t0 + 10), 'getNotification shows the change').toEqual(updated);
    expect(await feedIds(h.store, alice, t0 + 10), 'a state change does not move the notification in the feed').toEqual([n2.id, n1.id]);
    const only = await h.store.updateNotificationState(alice, n1.id, { userActionState: 'snoozed' }, t0 + 11);
    expect(only?.readState, 'a patch changes only the fields it has').toBe('read');
    expect(only?.userActionState).toBe('snoozed');
  });

  it('writes nothing for a state change that changes nothing', async () => {
    const { notification } = await send(h.store);
    const read = (await h.store.updateNotificationState(alice, notification.id, { readState: 'read' }, t0 + 1)) as StoredNotification;
    const sequence = await currentSequence(h.store, alice, t0 + 2);
    const same = await h.store.updateNotificationState(alice, notification.id, { readState: 'read' }, t0 + 2);
    expect(same, 'a state change that changes nothing returns the notification as it is').toEqual(read);
    const empty = await h.store.updateNotificationState(alice, notification.id, {}, t0 + 3);
    expect(empty, 'an empty patch returns the notification as it is').toEqual(read);
    expect(await currentSequence(h.store, alice, t0 + 3), 'a state change that changes nothing writes nothing: the sequence stays').toBe(sequence);
    expect(await h.store.getNotification(alice, notification.id, t0 + 3), 'nor lastModifiedDateTime').toEqual(read);
  });

  it('answers undefined for a state change of a missing notification', async () => {
    expect(await h.store.updateNotificationState(alice, 'no-such-id', { readState: 'read' }, t0)).toBeUndefined();
    expect(await currentSequence(h.store, alice, t0), 'nothing is written').toBe(0);
  });

  it('deletes a notification with all its deliveries, whatever their status', async () => {
    const saved = await send(h.store, { deliveries: 4 });
    const [delivered, dead, held, pending] = saved.deliveries.map((d) => d.id) as [string, string, string, string];
    const claims = await claimExactly(h.store, [delivered, dead, held, pending], t0);
    await complete(h.store, claims[0] as ClaimedDelivery, { status: 'delivered' }, t0);
    await complete(h.store, claims[1] as ClaimedDelivery, { status: 'dead', error: { code: 'TRANSPORT_PERMANENT', message: 'refused' } }, t0);
    await complete(h.store, claims[3] as ClaimedDelivery, { status: 'failed', nextAttemptAt: t0 + 1_000, error: { code: 'TRANSPORT_RETRYABLE', message: 'busy' } }, t0);
    expect((await h.store.listDeadDeliveries(100, undefined)).items.map((d) => d.id)).toContain(dead);

    expect(await h.store.deleteNotification(alice, saved.notification.id, t0 + 1), 'deleteNotification returns true when it deleted').toBe(true);
    expect(await h.store.getNotification(alice, saved.notification.id, t0 + 1), 'a deleted notification is gone').toBeUndefined();
    expect(await h.store.listDeliveries(alice, saved.notification.id), 'its deliveries are gone').toEqual([]);
    for (const id of [delivered, dead, held, pending]) {
      expect(await h.store.getDelivery(alice, id), 'a delete removes every delivery: delivered, dead, leased and failed ones too').toBeUndefined();
    }
    expect((await h.store.listDeadDeliveries(100, undefined)).items.map((d) => d.id), 'a deleted dead delivery leaves the dead list').not.toContain(dead);
    expect(await claim(h.store, t0 + 2 * leaseMs), 'a deleted delivery is never claimed').toEqual([]);
    expect(await h.store.deleteNotification(alice, saved.notification.id, t0 + 2), 'deleting it again returns false').toBe(false);
    expect(await h.store.deleteNotification(alice, 'no-such-id', t0 + 2), 'deleting a missing id returns false').toBe(false);
    expect(await feedIds(h.store, alice, t0 + 2)).toEqual([]);
    expect(await h.store.countUnread(alice, {}, t0 + 2)).toBe(0);
    expect(await currentSequence(h.store, alice, t0 + 2), 'one creation, one deletion: a failed delete writes nothing').toBe(2);
  });

  it('deletes a group, within one app when given, one change per notification', async () => {
    const a = (await send(h.store, { appNotificationId: 'a', content: { groupName: 'g1' }, deliveries: 1, now: t0 })).notification;
    const b = (await send(h.store, { appNotificationId: 'b', content: { groupName: 'g1', targetHostName: 'other.example.com' }, now: t0 + 1 })).notification;
    const c = (await send(h.store, { appNotificationId: 'c', content: { groupName: 'g2' }, now: t0 + 2 })).notification;
    const d = (await send(h.store, { appNotificationId: 'd', content: { groupName: 'g1' }, now: t0 + 3 })).notification;
    expect(await h.store.deleteGroup(alice, 'g1', a.targetHostName, t0 + 4), 'deleteGroup within one app returns how many it deleted').toBe(2);
    expect(await feedIds(h.store, alice, t0 + 4), 'only that app’s notifications of the group are gone').toEqual([c.id, b.id]);
    expect(await h.store.listDeliveries(alice, a.id), 'their deliveries go too').toEqual([]);
    expect(await h.store.deleteGroup(alice, 'g1', undefined, t0 + 5), 'deleteGroup without targetHostName deletes the group in every app').toBe(1);
    expect(await feedIds(h.store, alice, t0 + 5)).toEqual([c.id]);
    expect(await h.store.deleteGroup(alice, 'g1', undefined, t0 + 6), 'an empty group deletes nothing').toBe(0);
    const changes = await h.store.listChanges(alice, 4, 100, t0 + 6);
    expect(
      changes.changes.map((change) => [change.type, change.notificationId]).sort(),
      'deleteGroup leaves one tombstone per notification deleted',
    ).toEqual([['deleted', a.id], ['deleted', b.id], ['deleted', d.id]].sort());
    expect(changes.cursor, 'one sequence per notification deleted').toBe(7);
  });
}
