/**
 * Part of group `sync`: a deletion with a {@link SyncPlan} makes its sync deliveries in
 * the same step, planned from the notification as it was; they outlive the notification
 * (listed under its id, claimed without it, completed as any delivery), replace a waiting
 * sync of a state change, and go when the tombstone is purged — across a reopen too.
 */
import { expect, it } from 'vitest';
import type { DeliveryRecord, NotificationStore } from '@herald/core';
import { sampleSubscription } from '../fixtures.js';
import type { StoreHarness } from './harness.js';
import { alice, claim, claimExactly, complete, leaseMs, send, t0 } from './steps.js';
import { planAll, setUp, syncsOf } from './sync.js';

/** The sync deliveries' endpoints and statuses. */
function shape(syncs: readonly DeliveryRecord[]): Array<[string, string]> {
  return syncs.map((delivery) => [delivery.subscriptionId, delivery.status]);
}

/** The syncs without their leases: a reopen drops every lease (no instance holds a claim after a restart). */
async function unleasedSyncs(store: NotificationStore, ids: readonly string[]): Promise<DeliveryRecord[][]> {
  return Promise.all(ids.map(async (id) => (await syncsOf(store, id)).map(({ lease: _lease, ...delivery }) => delivery)));
}

/** Two notifications of alice's in group `g`, and a third in another group, with phone and laptop endpoints. */
async function setUpGroup(store: NotificationStore): Promise<{ ids: string[]; other: string; phone: string; laptop: string }> {
  const phone = await store.createSubscription(sampleSubscription({ userId: alice, platformType: 'android' }, t0), t0);
  const laptop = await store.createSubscription(sampleSubscription({ userId: alice, platformType: 'windows' }, t0), t0);
  const first = await send(store, { appNotificationId: 'g1', content: { groupName: 'g' }, deliveries: 1 });
  const second = await send(store, { appNotificationId: 'g2', content: { groupName: 'g' }, now: t0 + 1 });
  const other = await send(store, { appNotificationId: 'h1', content: { groupName: 'h' }, now: t0 + 2 });
  return { ids: [first.notification.id, second.notification.id], other: other.notification.id, phone: phone.id, laptop: laptop.id };
}

/** Registers the deletion tests of the group. */
export function deletionSyncTests(h: StoreHarness): void {
  it('a deletion writes its planned syncs, planned from the notification as it was; they outlive it and are claimed without it', async () => {
    const { notification, phone, laptop } = await setUp(h.store);
    const plan = planAll(phone.id);
    expect(await h.store.deleteNotification(alice, notification.id, t0 + 1, plan)).toBe(true);
    expect(plan.calls.map((call) => [call.subscriptions.map((subscription) => subscription.id), call.notification.id]), 'one call, with the subscriptions and the deleted notification').toEqual([
      [[phone.id, laptop.id], notification.id],
    ]);
    expect(await h.store.getNotification(alice, notification.id, t0 + 1), 'the notification is gone').toBeUndefined();
    const syncs = await syncsOf(h.store, notification.id);
    expect(shape(syncs), 'one pending sync, listed under the deleted id').toEqual([[laptop.id, 'pending']]);
    expect((await h.store.listDeliveries(alice, notification.id)).length, 'only the deletion’s syncs are left').toBe(1);
    const id = syncs[0]?.id as string;
    const [claimed] = await claimExactly(h.store, [id], t0 + 1);
    expect(claimed?.notification, 'claimed without the notification: the dispatcher sends it as removed').toBeUndefined();
    expect(claimed?.delivery).toMatchObject({ kind: 'sync', notificationId: notification.id, userId: alice });
    expect(claimed?.subscription?.id).toBe(laptop.id);
    await complete(h.store, claimed as NonNullable<typeof claimed>, { status: 'delivered' }, t0 + 2);
    expect((await h.store.getDelivery(alice, id))?.status).toBe('delivered');
    expect(shape(await syncsOf(h.store, notification.id))).toEqual([[laptop.id, 'delivered']]);
  });

  it('a deletion replaces a waiting sync of a state change: the endpoint gets one message, removed', async () => {
    const { notification, phone, laptop } = await setUp(h.store);
    await h.store.updateNotificationState(alice, notification.id, { readState: 'read' }, t0 + 1, planAll(phone.id));
    const [waiting] = await syncsOf(h.store, notification.id);
    await h.store.deleteNotification(alice, notification.id, t0 + 2, planAll(phone.id));
    const syncs = await syncsOf(h.store, notification.id);
    expect(shape(syncs)).toEqual([[laptop.id, 'pending']]);
    expect(syncs[0]?.id, 'a new sync, the deletion’s').not.toBe(waiting?.id);
    expect(await h.store.getDelivery(alice, waiting?.id as string), 'the state change’s sync went with the notification').toBeUndefined();
    const claims = await claim(h.store, t0 + 2);
    expect(claims.map((claimed) => [claimed.delivery.id, claimed.notification])).toEqual([[syncs[0]?.id, undefined]]);
  });

  it('a deletion of a missing notification writes nothing and returns false', async () => {
    await setUp(h.store);
    expect(await h.store.deleteNotification(alice, 'no-such-notification', t0 + 1, planAll())).toBe(false);
    expect(await syncsOf(h.store, 'no-such-notification')).toEqual([]);
  });

  it('a group deletion plans and writes each notification’s syncs, in the same step', async () => {
    const { ids, other, phone, laptop } = await setUpGroup(h.store);
    const plan = planAll(phone);
    expect(await h.store.deleteGroup(alice, 'g', undefined, t0 + 3, plan)).toBe(2);
    expect(plan.calls.map((call) => call.notification.id).sort(), 'one call per deleted notification').toEqual([...ids].sort());
    for (const id of ids) expect(shape(await syncsOf(h.store, id)), `the syncs of ${id}`).toEqual([[laptop, 'pending']]);
    expect(await syncsOf(h.store, other), 'another group is left alone').toEqual([]);
    const claims = await claim(h.store, t0 + 3);
    expect(claims.filter((claimed) => claimed.delivery.kind === 'sync').map((claimed) => [claimed.delivery.notificationId, claimed.notification]).sort()).toEqual(
      [...ids].sort().map((id) => [id, undefined]),
    );
  });

  it('a purge of the tombstone removes the deletion’s syncs, open or dead', async () => {
    const { ids, phone } = await setUpGroup(h.store);
    await h.store.deleteGroup(alice, 'g', undefined, t0 + 3, planAll(phone));
    const [dying] = await syncsOf(h.store, ids[0] as string);
    const [claimed] = (await claim(h.store, t0 + 3)).filter((claim) => claim.delivery.id === dying?.id);
    await complete(h.store, claimed as NonNullable<typeof claimed>, { status: 'dead', error: { code: 'TRANSPORT_PERMANENT', message: 'refused' } }, t0 + 4);
    expect((await h.store.listDeadDeliveries(10, undefined)).items.map((delivery) => delivery.id)).toContain(dying?.id);
    await h.store.purgeExpired({ now: t0 + 5, tombstonesBefore: t0 + 4, limit: 100 });
    for (const id of ids) expect(await syncsOf(h.store, id), `the syncs of ${id} went with its tombstone`).toEqual([]);
    expect(await h.store.getDelivery(alice, dying?.id as string)).toBeUndefined();
    expect((await h.store.listDeadDeliveries(10, undefined)).items.map((delivery) => delivery.id), 'and left the dead list').not.toContain(dying?.id);
    expect(await claim(h.store, t0 + 10_000), 'nothing is left to claim').toEqual([]);
    expect(await h.store.nextDueAt()).toBeUndefined();
  });

  it('keeps a deletion’s syncs across a reopen and a compaction, and purges them after', async (context) => {
    if (h.reopen === undefined) {
      context.skip('the suite was given no reopenStore');
      return;
    }
    const { ids, phone } = await setUpGroup(h.store);
    await h.store.deleteGroup(alice, 'g', undefined, t0 + 3, planAll(phone));
    const [first] = await syncsOf(h.store, ids[0] as string);
    const [claimed] = (await claim(h.store, t0 + 3)).filter((claim) => claim.delivery.id === first?.id);
    await complete(h.store, claimed as NonNullable<typeof claimed>, { status: 'delivered' }, t0 + 4);
    const before = await unleasedSyncs(h.store, ids);
    const reopened = await h.reopen(h.store);
    expect(await unleasedSyncs(reopened, ids), 'the syncs as they were, after a reopen').toEqual(before);
    await h.compact?.(reopened);
    const again = await h.reopen(reopened);
    expect(await unleasedSyncs(again, ids), 'the syncs as they were, after a compaction and a reopen').toEqual(before);
    // Past the first claim's lease: a shared store keeps leases across a reopen, a file store drops them.
    const later = t0 + 3 + leaseMs;
    const open = (await claim(again, later)).filter((claimed) => claimed.delivery.kind === 'sync');
    expect(open.map((claimed) => [claimed.delivery.notificationId, claimed.notification]), 'the open one is claimable without its notification').toEqual([[ids[1], undefined]]);
    await again.purgeExpired({ now: later + 1, tombstonesBefore: t0 + 4, limit: 100 });
    const last = await h.reopen(again);
    for (const id of ids) expect(await syncsOf(last, id), 'purged with the tombstone, for good').toEqual([]);
  });
}
