/**
 * Group `deliveries`: reading the outbox, the dead list, retrying and cancelling
 * (docs/stores.md, "Claims and leases").
 */
import { expect, it } from 'vitest';
import type { DeliveryRecord } from '@herald/core';
import type { ClaimedDelivery, NewDelivery } from '@herald/core/store';
import { sampleDeliveries } from '../fixtures.js';
import type { StoreHarness } from './harness.js';
import { wideFanoutSaveTests } from './wide-fanout.js';
import { alice, bob, claim, claimExactly, complete, deliveryOf, killDelivery, leaseOf, send, t0 } from './steps.js';

/** Registers the tests of the group. */
export function deliveryTests(h: StoreHarness): void {
  it("lists a notification's deliveries oldest first, and only its own", async () => {
    const first = await send(h.store, { appNotificationId: 'a', deliveries: 1, now: t0 });
    await send(h.store, { appNotificationId: 'b', deliveries: 2, now: t0 + 1 });
    const update = await send(h.store, { appNotificationId: 'a', deliveries: 1, now: t0 + 2 });
    const listed = await h.store.listDeliveries(alice, first.notification.id);
    expect(listed.map((d) => d.id), 'listDeliveries lists the notification’s deliveries, oldest first').toEqual([
      ...first.deliveries.map((d) => d.id),
      ...update.deliveries.map((d) => d.id),
    ]);
    expect(await h.store.listDeliveries(alice, 'no-such-id'), 'a missing notification has no deliveries').toEqual([]);
  });

  it('gets one delivery of the user, or undefined', async () => {
    const saved = await send(h.store, { deliveries: 1 });
    const delivery = saved.deliveries[0] as DeliveryRecord;
    expect(await h.store.getDelivery(alice, delivery.id), 'getDelivery finds the delivery').toEqual(delivery);
    expect(await h.store.getDelivery(alice, 'no-such-id'), 'a missing delivery is undefined').toBeUndefined();
  });

  it('lists dead deliveries of all users by the time they died, a page at a time', async () => {
    const a = (await send(h.store, { userId: alice, deliveries: 1, now: t0 })).deliveries[0] as DeliveryRecord;
    const b = (await send(h.store, { userId: bob, deliveries: 1, now: t0 })).deliveries[0] as DeliveryRecord;
    const c = (await send(h.store, { userId: alice, appNotificationId: 'other', deliveries: 1, now: t0 })).deliveries[0] as DeliveryRecord;
    // They die in another order than they were created: c, then a, then b.
    const [claimedA, claimedB, claimedC] = await claimExactly(h.store, [a.id, b.id, c.id], t0);
    const dead = { status: 'dead', error: { code: 'TRANSPORT_PERMANENT', message: 'refused' } } as const;
    await complete(h.store, claimedC as ClaimedDelivery, dead, t0 + 1);
    await complete(h.store, claimedA as ClaimedDelivery, dead, t0 + 2);
    await complete(h.store, claimedB as ClaimedDelivery, dead, t0 + 3);

    const first = await h.store.listDeadDeliveries(2, undefined);
    expect(first.items.map((d) => d.id), 'listDeadDeliveries is oldest death first, across users').toEqual([c.id, a.id]);
    expect(first.next, '`next` is present when more dead deliveries follow').toBeDefined();
    const second = await h.store.listDeadDeliveries(2, first.next);
    expect(second.items.map((d) => d.id), '`after` continues after the previous page').toEqual([b.id]);
    expect(second.next, '`next` is absent on the last page').toBeUndefined();
    const exact = await h.store.listDeadDeliveries(3, undefined);
    expect(exact.items.length).toBe(3);
    expect(exact.next, '`next` is absent on a page that ends exactly at the last dead delivery').toBeUndefined();
    expect(exact.items.every((d) => d.status === 'dead')).toBe(true);
  });

  it('makes a dead delivery pending again, due now, with no attempts', async () => {
    const delivery = (await send(h.store, { deliveries: 1 })).deliveries[0] as DeliveryRecord;
    await killDelivery(h.store, delivery.id, t0);
    const retried = await h.store.retryDelivery(alice, delivery.id, t0 + 100);
    expect(retried?.status, 'retryDelivery makes a dead delivery pending').toBe('pending');
    expect(retried?.attempts, 'retryDelivery resets attempts to 0').toBe(0);
    expect(retried?.nextAttemptAt, 'retryDelivery makes it due at now').toBe(t0 + 100);
    expect(retried?.lease, 'a retried delivery has no lease').toBeUndefined();
    expect(await h.store.getDelivery(alice, delivery.id), 'getDelivery shows the retry').toEqual(retried);
    expect((await h.store.listDeadDeliveries(100, undefined)).items.map((d) => d.id), 'a retried delivery leaves the dead list').not.toContain(delivery.id);
    expect(await claim(h.store, t0 + 99), 'it is not due before now').toEqual([]);
    await claimExactly(h.store, [delivery.id], t0 + 100);
  });

  it('returns other deliveries unchanged from retryDelivery, and undefined when missing', async () => {
    const [pending, delivered] = (await send(h.store, { deliveries: sampleDeliveries(2, { nextAttemptAt: [t0 + 1_000, t0] }) })).deliveries as [DeliveryRecord, DeliveryRecord];
    const [claimed] = await claimExactly(h.store, [delivered.id], t0);
    await complete(h.store, claimed as ClaimedDelivery, { status: 'delivered' }, t0);
    for (const id of [pending.id, delivered.id]) {
      const before = await deliveryOf(h.store, alice, id);
      expect(await h.store.retryDelivery(alice, id, t0 + 10), `retryDelivery returns a ${before.status} delivery unchanged`).toEqual(before);
      expect(await h.store.getDelivery(alice, id), `retryDelivery changes nothing of a ${before.status} delivery`).toEqual(before);
    }
    expect(await h.store.retryDelivery(alice, 'no-such-id', t0), 'retryDelivery of a missing delivery answers undefined').toBeUndefined();
  });

  it("cancels a notification's open deliveries, leased or not, and counts them", async () => {
    const deliveries: NewDelivery[] = sampleDeliveries(4, { nextAttemptAt: [t0 - 2, t0 - 1, t0 - 3, t0 + 60_000] });
    const [toDeliver, toHold, toFail, scheduled] = deliveries.map((d) => d.id) as [string, string, string, string];
    const saved = await send(h.store, { deliveries });
    const [delivering, holding, failing] = await claimExactly(h.store, [toDeliver, toHold, toFail], t0);
    await complete(h.store, delivering as ClaimedDelivery, { status: 'delivered' }, t0);
    await complete(h.store, failing as ClaimedDelivery, { status: 'failed', nextAttemptAt: t0 + 5_000, error: { code: 'TRANSPORT_RETRYABLE', message: 'busy' } }, t0);
    const delivered = await deliveryOf(h.store, alice, toDeliver);

    expect(await h.store.cancelDeliveries(alice, saved.notification.id, 'no longer wanted', t0 + 1), 'cancelDeliveries counts the open deliveries it cancelled, leased ones too').toBe(3);
    for (const id of [toFail, scheduled, toHold]) {
      const cancelled = await deliveryOf(h.store, alice, id);
      expect(cancelled.status, 'an open delivery becomes cancelled, even under a live lease').toBe('cancelled');
      expect(cancelled.nextAttemptAt, 'a cancelled delivery has nextAttemptAt: null').toBeNull();
    }
    expect(await h.store.completeDelivery(leaseOf(holding as ClaimedDelivery), { status: 'delivered' }, t0 + 2), 'the holder of a cancelled delivery finds its lease gone').toBe(false);
    expect(await deliveryOf(h.store, alice, toDeliver), 'a delivered delivery stays delivered').toEqual(delivered);
    expect(await claim(h.store, t0 + 120_000, 100, { leaseMs: 1 }), 'cancelled deliveries are never claimed').toEqual([]);
    expect(await h.store.cancelDeliveries(alice, saved.notification.id, 'again', t0 + 2), 'nothing left to cancel').toBe(0);
    expect(await h.store.cancelDeliveries(alice, 'no-such-id', 'why', t0 + 2), 'a missing notification has nothing to cancel').toBe(0);
  });

  wideFanoutSaveTests(h);
}
