/**
 * Group `expiry`: expired notifications are invisible at once and removed by
 * `purgeExpired`, with tombstones, old tombstones, idempotency keys and subscriptions
 * (docs/stores.md, "Expiry", "Purging").
 */
import { expect, it } from 'vitest';
import type { DeliveryRecord, NotificationStore, StoredNotification } from '@herald/core';
import { sampleSubscription } from '../fixtures.js';
import { expectHeraldError, timeOf } from './expectations.js';
import type { StoreHarness } from './harness.js';
import { alice, claim, currentSequence, feedIds, send, t0 } from './steps.js';

const expiresAt = t0 + 1_000;
const expiration = new Date(expiresAt).toISOString();

/** Saves a notification that expires at {@link expiresAt}, with deliveries. */
async function expiring(store: NotificationStore, appNotificationId: string, now: number, deliveries = 0): Promise<{ notification: StoredNotification; deliveries: readonly DeliveryRecord[] }> {
  return send(store, { appNotificationId, content: { expirationDateTime: expiration, groupName: 'g' }, deliveries, now });
}

/** Registers the tests of the group. */
export function expiryTests(h: StoreHarness): void {
  it('never returns an expired notification, even before it is purged', async () => {
    const old = (await expiring(h.store, 'old', t0)).notification;
    const live1 = (await send(h.store, { appNotificationId: 'live1', content: { groupName: 'g' }, now: t0 + 1 })).notification;
    const live2 = (await send(h.store, { appNotificationId: 'live2', content: { groupName: 'g' }, now: t0 + 2 })).notification;
    const before = expiresAt - 1;
    expect(await h.store.getNotification(alice, old.id, before), 'a notification is live while expirationDateTime > now').toBeDefined();
    expect(await h.store.countUnread(alice, {}, before)).toBe(3);

    const now = expiresAt;
    expect(await h.store.getNotification(alice, old.id, now), 'getNotification never returns an expired notification (expired when expirationDateTime <= now)').toBeUndefined();
    expect(await feedIds(h.store, alice, now), 'listFeed never returns an expired notification').toEqual([live2.id, live1.id]);
    const page = await h.store.listFeed(alice, { limit: 2 }, now);
    expect(page.next, 'an expired notification is not a matching item that follows: no `next`').toBeUndefined();
    expect(await h.store.countUnread(alice, {}, now), 'countUnread never counts an expired notification').toBe(2);
    expect(await h.store.countUnread(alice, { groupName: 'g' }, now), 'nor with a filter').toBe(2);
    const full = await h.store.listChanges(alice, 0, 100, now);
    expect(full.changes.map((change) => change.notificationId), 'listChanges (full sync) never returns an expired notification').toEqual([live1.id, live2.id]);
    expect(full.cursor, 'the cursor is still the current sequence').toBe(3);
    expect(await h.store.updateNotificationState(alice, old.id, { readState: 'read' }, now), 'updateNotificationState answers undefined for an expired notification').toBeUndefined();
    expect(await currentSequence(h.store, alice, now), 'and writes nothing').toBe(3);
  });

  it('does not list an expired notification among incremental changes', async () => {
    await send(h.store, { appNotificationId: 'first', now: t0 });
    const old = (await expiring(h.store, 'old', t0 + 1)).notification;
    await h.store.updateNotificationState(alice, old.id, { readState: 'read' }, t0 + 2);
    const page = await h.store.listChanges(alice, 1, 100, expiresAt);
    expect(page.changes.map((change) => change.notificationId), 'listChanges never returns an expired notification').not.toContain(old.id);
  });

  it('purges expired notifications with their deliveries, leaving tombstones', async () => {
    const a = await expiring(h.store, 'a', t0, 2);
    const b = await expiring(h.store, 'b', t0 + 1, 1);
    const live = await send(h.store, { appNotificationId: 'live', deliveries: 1, now: t0 + 2 });
    // One expired delivery is under a lease when the purge comes: it goes too.
    await claim(h.store, t0 + 3, 1, { leaseMs: 10_000 });
    const result = await h.store.purgeExpired({ now: expiresAt, tombstonesBefore: t0, limit: 100 });
    expect(result, 'purgeExpired counts the expired notifications it removed').toEqual({ notifications: 2, subscriptions: [], more: false });
    for (const delivery of [...a.deliveries, ...b.deliveries]) {
      expect(await h.store.getDelivery(alice, delivery.id), 'a purged notification takes its deliveries with it').toBeUndefined();
    }
    expect(await h.store.listDeliveries(alice, a.notification.id)).toEqual([]);
    expect(await h.store.getNotification(alice, live.notification.id, expiresAt), 'a live notification stays').toEqual(live.notification);
    expect(await h.store.getDelivery(alice, (live.deliveries[0] as DeliveryRecord).id), 'and its deliveries').toBeDefined();
    const changes = await h.store.listChanges(alice, 3, 100, expiresAt);
    expect(
      changes.changes.map((change) => [change.type, change.notificationId]).sort(),
      'each purged notification leaves a tombstone for the change feed',
    ).toEqual([['deleted', a.notification.id], ['deleted', b.notification.id]].sort());
    expect(changes.cursor, 'one sequence per purged notification').toBe(5);
    expect(await h.store.purgeExpired({ now: expiresAt, tombstonesBefore: t0, limit: 100 }), 'a second purge finds nothing').toEqual({ notifications: 0, subscriptions: [], more: false });
  });

  it('purges at most `limit` notifications and says when more remain', async () => {
    for (const [index, id] of ['a', 'b', 'c'].entries()) await expiring(h.store, id, t0 + index);
    expect(await h.store.purgeExpired({ now: expiresAt, tombstonesBefore: t0, limit: 2 }), 'the limit stops the purge: more is true').toEqual({ notifications: 2, subscriptions: [], more: true });
    expect(await h.store.purgeExpired({ now: expiresAt, tombstonesBefore: t0, limit: 2 }), 'the rest, and more is false').toEqual({ notifications: 1, subscriptions: [], more: false });
    expect(await h.store.purgeExpired({ now: expiresAt, tombstonesBefore: t0, limit: 2 })).toEqual({ notifications: 0, subscriptions: [], more: false });
    expect(await currentSequence(h.store, alice, expiresAt), 'three creations, three removals').toBe(6);
  });

  it('prunes tombstones deleted before tombstonesBefore; older cursors then expire', async () => {
    const first = (await send(h.store, { appNotificationId: 'a', now: t0 })).notification;
    await send(h.store, { appNotificationId: 'b', now: t0 + 1 });
    await h.store.deleteNotification(alice, first.id, t0 + 10);
    await h.store.purgeExpired({ now: t0 + 20, tombstonesBefore: t0 + 9, limit: 100 });
    const kept = await h.store.listChanges(alice, 2, 100, t0 + 20);
    expect(kept.changes.map((change) => change.type), 'a tombstone deleted after tombstonesBefore is kept').toEqual(['deleted']);
    await h.store.purgeExpired({ now: t0 + 20, tombstonesBefore: t0 + 11, limit: 100 });
    await expectHeraldError(() => h.store.listChanges(alice, 2, 100, t0 + 20), 'CURSOR_EXPIRED', 'listChanges below a tombstone pruned by purgeExpired');
    expect(await h.store.listChanges(alice, 3, 100, t0 + 20), 'a cursor at the pruned tombstone still works').toEqual({ changes: [], cursor: 3, hasMore: false });
  });

  it('marks active subscriptions whose expiry passed inactive, with reason expired, and returns them', async () => {
    const expired = await h.store.createSubscription(sampleSubscription({ userId: alice, expiresAt }, t0), t0);
    const live = await h.store.createSubscription(sampleSubscription({ userId: alice, expiresAt: t0 + 60_000, platformType: 'ios' }, t0), t0);
    const gone = await h.store.createSubscription(sampleSubscription({ userId: alice, expiresAt, platformType: 'android' }, t0), t0);
    const goneInactive = await h.store.updateSubscription(gone.id, { status: 'inactive', statusReason: 'endpoint gone: 410' }, t0 + 1);
    const result = await h.store.purgeExpired({ now: t0 + 2_000, tombstonesBefore: t0, limit: 100 });
    expect(result.subscriptions.map((s) => s.id), 'purgeExpired returns the active subscriptions it expired, only those').toEqual([expired.id]);
    const marked = result.subscriptions[0];
    expect(marked?.status, 'an expired subscription becomes inactive').toBe('inactive');
    expect(marked?.statusReason, "with reason 'expired'").toBe('expired');
    expect(timeOf(marked?.lastModifiedDateTime, 'lastModifiedDateTime'), 'deactivating it sets lastModifiedDateTime to now').toBe(t0 + 2_000);
    expect(await h.store.getSubscription(expired.id), 'the returned subscription is the stored one').toEqual(marked);
    expect(await h.store.getSubscription(live.id), 'a live subscription stays active').toEqual(live);
    expect(await h.store.getSubscription(gone.id), 'an inactive subscription keeps its own reason').toEqual(goneInactive);
    expect((await h.store.purgeExpired({ now: t0 + 3_000, tombstonesBefore: t0, limit: 100 })).subscriptions, 'a subscription is expired once').toEqual([]);
  });

  it('forgets expired idempotency keys, and records the key again with the next result', async () => {
    const first = await send(h.store, { appNotificationId: 'a', idempotency: { key: 'k', fingerprint: 'f1', expiresAt }, now: t0 });
    await h.store.purgeExpired({ now: expiresAt + 1, tombstonesBefore: t0, limit: 100 });
    const second = await send(h.store, { appNotificationId: 'b', idempotency: { key: 'k', fingerprint: 'f2', expiresAt: expiresAt + 10_000 }, deliveries: 1, now: expiresAt + 1 });
    expect(second.replay, 'an expired idempotency key is forgotten: the send is new').toBeUndefined();
    expect(second.notification.id).not.toBe(first.notification.id);
    expect(second.deliveries.length).toBe(1);
    const third = await send(h.store, { appNotificationId: 'c', idempotency: { key: 'k', fingerprint: 'f3', expiresAt: expiresAt + 20_000 }, now: expiresAt + 2 });
    expect(third.replay?.fingerprint, 'the key is recorded again, with the new result').toBe('f2');
    expect(third.notification.id).toBe(second.notification.id);
  });
}
