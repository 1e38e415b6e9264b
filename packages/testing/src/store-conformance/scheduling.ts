/**
 * Group `scheduling`: a delivery whose first attempt is in the future (`sendAt`) waits
 * for its time, is reported by `nextDueAt`, and can be cancelled before it is due.
 */
import { expect, it } from 'vitest';
import type { DeliveryRecord } from '@herald/core';
import type { ClaimedDelivery } from '@herald/core/store';
import { sampleDeliveries } from '../fixtures.js';
import type { StoreHarness } from './harness.js';
import { alice, claim, claimExactly, complete, deliveryOf, send, t0 } from './steps.js';

const dueAt = t0 + 60 * 60_000;

/** Registers the tests of the group. */
export function schedulingTests(h: StoreHarness): void {
  it('does not claim a scheduled delivery before its time, and claims it at and after it', async () => {
    const [scheduled] = (await send(h.store, { deliveries: sampleDeliveries(1, { nextAttemptAt: dueAt }) })).deliveries as [DeliveryRecord];
    expect(scheduled.status, 'a scheduled delivery is pending').toBe('pending');
    expect(scheduled.nextAttemptAt).toBe(dueAt);
    expect(await claim(h.store, t0), 'a delivery is not claimable before its nextAttemptAt').toEqual([]);
    expect(await claim(h.store, dueAt - 1), 'not even a millisecond before').toEqual([]);
    await claimExactly(h.store, [scheduled.id], dueAt);
  });

  it('claims a scheduled delivery late, when the claim comes after its time', async () => {
    const [scheduled] = (await send(h.store, { deliveries: sampleDeliveries(1, { nextAttemptAt: dueAt }) })).deliveries as [DeliveryRecord];
    await claimExactly(h.store, [scheduled.id], dueAt + 5 * 60_000);
  });

  it('claims only the due deliveries of a write that mixes due and scheduled ones', async () => {
    const [due, scheduled] = (await send(h.store, { deliveries: sampleDeliveries(2, { nextAttemptAt: [t0, dueAt] }) })).deliveries as [DeliveryRecord, DeliveryRecord];
    const [claimed] = await claimExactly(h.store, [due.id], t0);
    expect(await h.store.nextDueAt(), 'nextDueAt: the lease on the due one (t0 + 60 s) lapses before the scheduled one is due (t0 + 1 h)').toBe(t0 + 60_000);
    await complete(h.store, claimed as ClaimedDelivery, { status: 'delivered' }, t0 + 1);
    expect(await h.store.nextDueAt(), 'nextDueAt: then the scheduled one').toBe(dueAt);
    await claimExactly(h.store, [scheduled.id], dueAt);
  });

  it('reports a scheduled delivery in nextDueAt', async () => {
    await send(h.store, { deliveries: sampleDeliveries(1, { nextAttemptAt: dueAt }) });
    expect(await h.store.nextDueAt(), 'nextDueAt is the scheduled time').toBe(dueAt);
    await send(h.store, { appNotificationId: 'sooner', deliveries: sampleDeliveries(1, { nextAttemptAt: dueAt - 1_000 }) });
    expect(await h.store.nextDueAt(), 'nextDueAt is the earliest scheduled time').toBe(dueAt - 1_000);
  });

  it('cancels a scheduled delivery before it is due', async () => {
    const saved = await send(h.store, { deliveries: sampleDeliveries(1, { nextAttemptAt: dueAt }) });
    const scheduled = saved.deliveries[0] as DeliveryRecord;
    expect(await h.store.cancelDeliveries(alice, saved.notification.id, 'the schedule was cancelled', t0 + 1), 'cancelDeliveries cancels a scheduled delivery').toBe(1);
    const cancelled = await deliveryOf(h.store, alice, scheduled.id);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.nextAttemptAt, 'a cancelled delivery has nextAttemptAt: null').toBeNull();
    expect(await claim(h.store, dueAt), 'a cancelled schedule is never claimed').toEqual([]);
    expect(await h.store.nextDueAt(), 'a cancelled schedule is not reported by nextDueAt').toBeUndefined();
  });
}
