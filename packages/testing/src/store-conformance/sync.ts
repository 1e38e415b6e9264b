/**
 * Group `sync`, for stores whose `capabilities.sync` is true (others skip it): a state
 * change with a {@link SyncPlan} writes its sync deliveries in the same step, plans them
 * from the subscriptions and the changed notification as they stand at the write,
 * coalesces them (no second waiting sync to one endpoint), and keeps them across a reopen;
 * a deletion's syncs outlive the notification (sync-deletion.ts).
 */
import { expect, it } from 'vitest';
import { type DeliveryRecord, type NotificationStore, type StoredNotification, type StoredSubscription } from '@herald/core';
import { newId, type NewDelivery, type SyncPlan } from '@herald/core/store';
import { sampleSubscription } from '../fixtures.js';
import type { StoreHarness } from './harness.js';
import { alice, claimExactly, complete, send, t0 } from './steps.js';
import { deletionSyncTests } from './sync-deletion.js';
import { wideFanoutSyncTests } from './wide-fanout.js';

/** A plan that syncs every subscription but `origin`, recording what it was called with. */
export function planAll(origin?: string): SyncPlan & { readonly calls: Array<{ subscriptions: readonly StoredSubscription[]; notification: StoredNotification }> } {
  const calls: Array<{ subscriptions: readonly StoredSubscription[]; notification: StoredNotification }> = [];
  const plan = (subscriptions: readonly StoredSubscription[], notification: StoredNotification): NewDelivery[] => {
    calls.push({ subscriptions, notification });
    return subscriptions
      .filter((subscription) => subscription.id !== origin)
      .map((subscription) => ({ id: newId(), subscriptionId: subscription.id, transport: subscription.transport, platformType: subscription.platformType, kind: 'sync', nextAttemptAt: t0 + 1 }));
  };
  return Object.assign(plan, { calls });
}

/** The sync deliveries of one of alice's notifications (a deleted one's: its deletion's). */
export async function syncsOf(store: NotificationStore, notificationId: string): Promise<DeliveryRecord[]> {
  return (await store.listDeliveries(alice, notificationId)).filter((delivery) => delivery.kind === 'sync');
}

/** A notification of alice's with two endpoints, phone and laptop. */
export async function setUp(store: NotificationStore): Promise<{ notification: StoredNotification; phone: StoredSubscription; laptop: StoredSubscription }> {
  const phone = await store.createSubscription(sampleSubscription({ userId: alice, platformType: 'android' }, t0), t0);
  const laptop = await store.createSubscription(sampleSubscription({ userId: alice, platformType: 'windows' }, t0), t0);
  const { notification } = await send(store);
  return { notification, phone, laptop };
}

/** Registers the tests of the group. */
export function syncTests(h: StoreHarness): void {
  it('writes the planned sync deliveries with the state change, planned from the subscriptions and the changed notification', async () => {
    const { notification, phone, laptop } = await setUp(h.store);
    const plan = planAll(phone.id);
    const changed = await h.store.updateNotificationState(alice, notification.id, { readState: 'read' }, t0 + 1, plan);
    expect(changed?.readState).toBe('read');
    expect(plan.calls.map((call) => call.subscriptions.map((subscription) => subscription.id)), 'the plan gets the user’s subscriptions, oldest first').toEqual([[phone.id, laptop.id]]);
    expect(plan.calls[0]?.notification, 'the plan gets the notification as changed').toMatchObject({ id: notification.id, readState: 'read' });
    const syncs = await syncsOf(h.store, notification.id);
    expect(syncs.map((delivery) => [delivery.subscriptionId, delivery.status, delivery.kind, delivery.nextAttemptAt]), 'one pending sync, to the endpoint the plan chose').toEqual([[laptop.id, 'pending', 'sync', t0 + 1]]);
    const [claimed] = await claimExactly(h.store, [syncs[0]?.id as string], t0 + 1);
    expect(claimed?.notification, 'a claimed sync comes with the notification as it is now').toMatchObject({ id: notification.id, readState: 'read' });
    expect(claimed?.subscription?.id).toBe(laptop.id);
  });

  it('a change that changes nothing neither calls the plan nor writes a sync', async () => {
    const { notification } = await setUp(h.store);
    const plan = planAll();
    await h.store.updateNotificationState(alice, notification.id, { readState: 'unread', userActionState: 'noInteraction' }, t0 + 1, plan);
    expect(await syncsOf(h.store, notification.id)).toEqual([]);
    expect(await h.store.updateNotificationState(alice, 'no-such-notification', { readState: 'read' }, t0 + 1, plan), 'a missing notification is undefined').toBeUndefined();
  });

  it('coalesces: no second sync to an endpoint whose sync still waits (pending, or failed until its retry), but a new one once it is leased or done', async () => {
    const { notification, phone } = await setUp(h.store);
    const plan = planAll(phone.id);
    const statuses = async (): Promise<string[]> => (await syncsOf(h.store, notification.id)).map((delivery) => delivery.status);
    await h.store.updateNotificationState(alice, notification.id, { readState: 'read' }, t0 + 1, plan);
    await h.store.updateNotificationState(alice, notification.id, { userActionState: 'dismissed' }, t0 + 2, plan);
    expect(await statuses(), 'a pending sync takes the second change: one sync').toEqual(['pending']);

    const [first] = await claimExactly(h.store, (await syncsOf(h.store, notification.id)).map((delivery) => delivery.id), t0 + 3);
    await h.store.updateNotificationState(alice, notification.id, { readState: 'unread' }, t0 + 4, plan);
    expect(await statuses(), 'a leased sync may have read the older state: a change makes a second').toEqual(['pending', 'pending']);

    const second = (await syncsOf(h.store, notification.id)).find((delivery) => delivery.id !== first?.delivery.id) as DeliveryRecord;
    await complete(h.store, first as NonNullable<typeof first>, { status: 'delivered' }, t0 + 5);
    const [retried] = await claimExactly(h.store, [second.id], t0 + 5);
    await complete(h.store, retried as NonNullable<typeof retried>, { status: 'failed', nextAttemptAt: t0 + 60_000, error: { code: 'TRANSPORT_RETRYABLE', message: 'offline' } }, t0 + 6);
    await h.store.updateNotificationState(alice, notification.id, { readState: 'read' }, t0 + 7, plan);
    expect(await statuses(), 'a failed sync waiting for its retry takes the change').toEqual(['delivered', 'failed']);

    const [again] = await claimExactly(h.store, [second.id], t0 + 60_000);
    await complete(h.store, again as NonNullable<typeof again>, { status: 'delivered' }, t0 + 60_001);
    await h.store.updateNotificationState(alice, notification.id, { readState: 'unread' }, t0 + 60_002, plan);
    expect(await statuses(), 'once every sync is done, a change makes a new one').toEqual(['delivered', 'delivered', 'pending']);
  });

  it('a superseding send cancels the open syncs with its other open deliveries', async () => {
    const { notification } = await setUp(h.store);
    await h.store.updateNotificationState(alice, notification.id, { readState: 'read' }, t0 + 1, planAll());
    await send(h.store, { now: t0 + 2 });
    expect((await syncsOf(h.store, notification.id)).map((delivery) => delivery.status)).toEqual(['cancelled', 'cancelled']);
  });

  it('keeps sync deliveries (their kind too) across a reopen', async (context) => {
    if (h.reopen === undefined) {
      context.skip('the suite was given no reopenStore');
      return;
    }
    const { notification } = await setUp(h.store);
    await h.store.updateNotificationState(alice, notification.id, { readState: 'read' }, t0 + 1, planAll());
    const before = await syncsOf(h.store, notification.id);
    const reopened = await h.reopen(h.store);
    expect(await syncsOf(reopened, notification.id), 'the syncs as they were, after a reopen').toEqual(before);
    await reopened.updateNotificationState(alice, notification.id, { userActionState: 'activated' }, t0 + 2, planAll());
    expect((await syncsOf(reopened, notification.id)).length, 'coalescing still sees the waiting syncs after a reopen').toBe(2);
    await h.compact?.(reopened);
    const again = await h.reopen(reopened);
    expect(await syncsOf(again, notification.id), 'the syncs as they were, after a compaction and a reopen').toEqual(before);
  });

  deletionSyncTests(h);
  wideFanoutSyncTests(h);
}
