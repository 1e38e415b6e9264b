/**
 * Group `isolation`: one user's feed, deliveries and leases are invisible to and
 * untouchable by another user, through every user-scoped method.
 */
import { expect, it } from 'vitest';
import type { DeliveryRecord } from '@herald/core';
import type { ClaimedDelivery } from '@herald/core/store';
import { sampleDeliveries, sampleSubscription } from '../fixtures.js';
import type { StoreHarness } from './harness.js';
import { alice, bob, claimExactly, complete, currentSequence, deliveryOf, leaseMs, leaseOf, send, t0 } from './steps.js';

/** Registers the tests of the group. */
export function isolationTests(h: StoreHarness): void {
  it("hides a user's notifications from another user", async () => {
    const { notification } = await send(h.store, { userId: alice, content: { groupName: 'g' } });
    const now = t0 + 1;
    expect(await h.store.getNotification(bob, notification.id, now), "getNotification never returns another user's notification").toBeUndefined();
    expect((await h.store.listFeed(bob, { limit: 10 }, now)).items, "listFeed never lists another user's notification").toEqual([]);
    expect(await h.store.countUnread(bob, {}, now), "countUnread never counts another user's notification").toBe(0);
    expect(await h.store.listChanges(bob, 0, 10, now), "listChanges never reports another user's changes").toEqual({ changes: [], cursor: 0, hasMore: false });
    expect(await h.store.listDeliveries(bob, notification.id), "listDeliveries never lists another user's deliveries").toEqual([]);
  });

  it("keeps each user's sequence separate", async () => {
    await send(h.store, { userId: alice, appNotificationId: 'a', now: t0 });
    await send(h.store, { userId: alice, appNotificationId: 'b', now: t0 + 1 });
    const first = await send(h.store, { userId: bob, now: t0 + 2 });
    expect(first.notification.sequence, "each user has their own sequence, starting at 0: bob's first change is 1").toBe(1);
    expect(await currentSequence(h.store, alice, t0 + 3)).toBe(2);
  });

  it("does not let another user change or delete a user's notification", async () => {
    const { notification } = await send(h.store, { userId: alice, content: { groupName: 'g' }, deliveries: 1 });
    const now = t0 + 1;
    expect(await h.store.updateNotificationState(bob, notification.id, { readState: 'read' }, now), "updateNotificationState of another user's notification answers undefined").toBeUndefined();
    expect(await h.store.deleteNotification(bob, notification.id, now), "deleteNotification of another user's notification answers false").toBe(false);
    expect(await h.store.deleteGroup(bob, 'g', undefined, now), "deleteGroup never deletes another user's notifications").toBe(0);
    expect(await h.store.cancelDeliveries(bob, notification.id, 'no', now), "cancelDeliveries never cancels another user's deliveries").toBe(0);
    expect(await h.store.getNotification(alice, notification.id, now), 'the notification is untouched').toEqual(notification);
    expect(await currentSequence(h.store, bob, now), 'nothing was written for the other user').toBe(0);
    expect((await h.store.listDeliveries(alice, notification.id))[0]?.status, 'its delivery is untouched').toBe('pending');
  });

  it("hides a user's deliveries and leases from another user", async () => {
    const [toKill, toHold] = (await send(h.store, { userId: alice, deliveries: sampleDeliveries(2, { nextAttemptAt: [t0 - 1, t0] }) })).deliveries as [DeliveryRecord, DeliveryRecord];
    const [killing, holding] = await claimExactly(h.store, [toKill.id, toHold.id], t0);
    await complete(h.store, killing as ClaimedDelivery, { status: 'dead', error: { code: 'TRANSPORT_PERMANENT', message: 'refused' } }, t0);
    const dead = await deliveryOf(h.store, alice, toKill.id);
    const held = await deliveryOf(h.store, alice, toHold.id);
    expect(await h.store.getDelivery(bob, toKill.id), "getDelivery never returns another user's delivery").toBeUndefined();
    expect(await h.store.retryDelivery(bob, toKill.id, t0 + 1), "retryDelivery of another user's delivery answers undefined").toBeUndefined();
    expect(await deliveryOf(h.store, alice, toKill.id), 'and retries nothing').toEqual(dead);
    const foreign = { ...leaseOf(holding as ClaimedDelivery), userId: bob };
    expect(await h.store.renewLease(foreign, t0 + 1, leaseMs), 'renewLease with another user in the ref is refused').toBe(false);
    expect(await h.store.completeDelivery(foreign, { status: 'delivered' }, t0 + 1), 'completeDelivery with another user in the ref is refused').toBe(false);
    expect(await deliveryOf(h.store, alice, toHold.id), 'the lease is untouched').toEqual(held);
  });

  it("lists only a user's own subscriptions", async () => {
    const mine = await h.store.createSubscription(sampleSubscription({ userId: alice }, t0), t0);
    const theirs = await h.store.createSubscription(sampleSubscription({ userId: bob }, t0), t0);
    expect((await h.store.listSubscriptions(alice)).map((s) => s.id)).toEqual([mine.id]);
    expect((await h.store.listSubscriptions(bob)).map((s) => s.id)).toEqual([theirs.id]);
  });
}
