/**
 * Group `leases`: claims, lease tokens, renewals, completions and `nextDueAt`
 * (docs/stores.md, "Claims and leases").
 */
import { expect, it } from 'vitest';
import type { DeliveryRecord, NotificationStore } from '@herald/core';
import type { ClaimedDelivery } from '@herald/core/store';
import { sampleDeliveries, sampleSubscription } from '../fixtures.js';
import { expectNoUndefinedFields } from './expectations.js';
import type { StoreHarness } from './harness.js';
import { alice, bob, claim, claimExactly, complete, deliveryOf, leaseMs, leaseOf, otherOwner, owner, send, t0 } from './steps.js';

/** Saves one notification with one delivery due at `t0` and claims it. */
async function claimedDelivery(store: NotificationStore, options: { leaseMs?: number } = {}): Promise<ClaimedDelivery> {
  const delivery = (await send(store, { deliveries: 1 })).deliveries[0] as DeliveryRecord;
  const [claimed] = await claimExactly(store, [delivery.id], t0, options);
  return claimed as ClaimedDelivery;
}

/** Registers the tests of the group. */
export function leaseTests(h: StoreHarness): void {
  it('claims a due delivery with a lease, its notification and its subscription', async () => {
    const subscription = await h.store.createSubscription(sampleSubscription({ userId: alice }, t0), t0);
    const saved = await send(h.store, { deliveries: sampleDeliveries([subscription]) });
    const before = saved.deliveries[0] as DeliveryRecord;
    const claims = await h.store.claimDeliveries({ owner, now: t0, leaseMs, limit: 10 });
    expect(claims.length, 'a due, open delivery is claimable').toBe(1);
    const claimed = claims[0] as ClaimedDelivery;
    const { lease } = claimed.delivery;
    expect(lease.owner, 'the lease names the claiming owner').toBe(owner);
    expect(typeof lease.token === 'string' && lease.token.length > 0, 'the lease has a token').toBe(true);
    expect(lease.expiresAt, 'the lease expires at now + leaseMs').toBe(t0 + leaseMs);
    expect(claimed.delivery.status, 'a claim does not change the status').toBe('pending');
    expect(claimed.delivery.attempts, 'a claim does not count an attempt').toBe(0);
    expect(claimed.notification, 'a claim comes with the notification').toEqual(saved.notification);
    expect(claimed.subscription, 'a claim comes with the subscription').toEqual(subscription);
    expect((await deliveryOf(h.store, alice, before.id)).lease, 'getDelivery shows the lease').toEqual(lease);
    expectNoUndefinedFields(claimed.delivery, 'a claimed delivery');
  });

  it('gives every claim a fresh token', async () => {
    await send(h.store, { deliveries: 5 });
    const claims = await claim(h.store, t0);
    const tokens = new Set(claims.map((claimed) => claimed.delivery.lease.token));
    expect(tokens.size, 'each claim gets its own random token').toBe(5);
  });

  it('never gives two concurrent claimers the same delivery', async () => {
    await send(h.store, { userId: alice, deliveries: 10 });
    await send(h.store, { userId: bob, deliveries: 10 });
    const [first, second] = await Promise.all([
      h.store.claimDeliveries({ owner, now: t0, leaseMs, limit: 15 }),
      h.store.claimDeliveries({ owner: otherOwner, now: t0, leaseMs, limit: 15 }),
    ]);
    const firstIds = first.map((claimed) => claimed.delivery.id);
    const secondIds = second.map((claimed) => claimed.delivery.id);
    expect(firstIds.filter((id) => secondIds.includes(id)), 'two concurrent claims never return the same delivery').toEqual([]);
    expect(first.length, 'a claim takes at most `limit`').toBeLessThanOrEqual(15);
    expect(second.length).toBeLessThanOrEqual(15);
    expect(new Set([...firstIds, ...secondIds]).size, 'together the two claims take all 20 claimable deliveries').toBe(20);
  });

  it('does not claim a delivery under a live lease, and reclaims it once the lease expired', async () => {
    const claimed = await claimedDelivery(h.store, { leaseMs: 1_000 });
    expect(await claim(h.store, t0 + 999, 10, { owner: otherOwner }), 'a delivery under a live lease is not claimable').toEqual([]);
    const [reclaimed] = await claimExactly(h.store, [claimed.delivery.id], t0 + 1_000, { owner: otherOwner });
    expect(reclaimed?.delivery.lease.owner, 'an expired lease (expiresAt <= now) is reclaimable by another owner').toBe(otherOwner);
    expect(reclaimed?.delivery.lease.token, 'a reclaim gets a new token').not.toBe(claimed.delivery.lease.token);
    expect(reclaimed?.delivery.lease.expiresAt).toBe(t0 + 1_000 + leaseMs);
  });

  it('claims earliest nextAttemptAt first, up to the limit', async () => {
    const [late, earliest, middle] = (await send(h.store, { deliveries: sampleDeliveries(3, { nextAttemptAt: [t0 - 1, t0 - 3, t0 - 2] }) })).deliveries as [DeliveryRecord, DeliveryRecord, DeliveryRecord];
    const [other] = (await send(h.store, { userId: bob, deliveries: sampleDeliveries(1, { nextAttemptAt: t0 - 4 }) })).deliveries as [DeliveryRecord];
    const first = await claim(h.store, t0, 2);
    expect(first.map((claimed) => claimed.delivery.id).sort(), 'claimDeliveries takes the earliest nextAttemptAt first, across users').toEqual([other.id, earliest.id].sort());
    const second = await claim(h.store, t0, 1);
    expect(second.map((claimed) => claimed.delivery.id), 'then the next earliest').toEqual([middle.id]);
    const third = await claim(h.store, t0, 5);
    expect(third.map((claimed) => claimed.delivery.id)).toEqual([late.id]);
  });

  it('renews a lease only for the current token', async () => {
    const claimed = await claimedDelivery(h.store);
    const ref = leaseOf(claimed);
    expect(await h.store.renewLease(ref, t0 + 10_000, leaseMs), 'renewLease succeeds for the current token').toBe(true);
    expect((await deliveryOf(h.store, alice, ref.deliveryId)).lease?.expiresAt, 'renewLease sets expiresAt to now + leaseMs').toBe(t0 + 10_000 + leaseMs);
    const before = await deliveryOf(h.store, alice, ref.deliveryId);
    expect(await h.store.renewLease({ ...ref, token: 'not-the-token' }, t0 + 20_000, leaseMs), 'renewLease refuses another token').toBe(false);
    expect(await h.store.renewLease({ ...ref, userId: bob }, t0 + 20_000, leaseMs), 'renewLease refuses a ref of another user').toBe(false);
    expect(await deliveryOf(h.store, alice, ref.deliveryId), 'a refused renewal changes nothing').toEqual(before);
    expect(await h.store.renewLease({ ...ref, deliveryId: 'no-such-id' }, t0, leaseMs), 'renewLease of a missing delivery is false').toBe(false);
  });

  it('renews and completes after the lease expired, as long as nobody reclaimed it', async () => {
    const claimed = await claimedDelivery(h.store, { leaseMs: 1_000 });
    expect(await h.store.renewLease(leaseOf(claimed), t0 + 5_000, 1_000), 'an expired lease nobody reclaimed can be renewed').toBe(true);
    await complete(h.store, claimed, { status: 'delivered' }, t0 + 10_000);
  });

  it('refuses a stale token after a reclaim: nothing changes, the new holder finishes', async () => {
    const stale = await claimedDelivery(h.store, { leaseMs: 1_000 });
    const [fresh] = await claimExactly(h.store, [stale.delivery.id], t0 + 2_000, { owner: otherOwner });
    const before = await deliveryOf(h.store, alice, stale.delivery.id);
    expect(await h.store.renewLease(leaseOf(stale), t0 + 2_001, leaseMs), 'the old holder cannot renew after a reclaim').toBe(false);
    expect(await h.store.completeDelivery(leaseOf(stale), { status: 'delivered' }, t0 + 2_001), 'the old holder cannot complete after a reclaim').toBe(false);
    expect(
      await h.store.completeDelivery(leaseOf(stale), { status: 'dead', error: { code: 'X', message: 'stale' } }, t0 + 2_001),
      'the old holder cannot complete after a reclaim',
    ).toBe(false);
    expect(await deliveryOf(h.store, alice, stale.delivery.id), 'a refused renewal or completion changes nothing').toEqual(before);
    await complete(h.store, fresh as ClaimedDelivery, { status: 'delivered' }, t0 + 2_002);
    expect(await h.store.completeDelivery(leaseOf(fresh as ClaimedDelivery), { status: 'delivered' }, t0 + 2_003), 'a completed lease is released: its token no longer completes').toBe(false);
    expect(await h.store.renewLease(leaseOf(fresh as ClaimedDelivery), t0 + 2_003, leaseMs), 'a completed lease is released: its token no longer renews').toBe(false);
    expect(await h.store.completeDelivery({ ...leaseOf(fresh as ClaimedDelivery), userId: bob }, { status: 'delivered' }, t0 + 2_003), 'a ref of another user is refused').toBe(false);
  });

  it('records a delivered outcome: attempts + 1, deliveredAt, no next attempt, no lease', async () => {
    const claimed = await claimedDelivery(h.store);
    await complete(h.store, claimed, { status: 'delivered' }, t0 + 500);
    const delivery = await deliveryOf(h.store, alice, claimed.delivery.id);
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 1, deliveredAt: t0 + 500, nextAttemptAt: null, updatedAt: t0 + 500 });
    expect('lease' in delivery, 'completeDelivery clears the lease').toBe(false);
    expectNoUndefinedFields(delivery, 'a delivered delivery');
    expect(await claim(h.store, t0 + 10 * leaseMs), 'a delivered delivery is never claimed again').toEqual([]);
  });

  it('records a failed outcome: attempts + 1, the given nextAttemptAt, lastError; due again then', async () => {
    const claimed = await claimedDelivery(h.store);
    const error = { code: 'TRANSPORT_RETRYABLE', message: 'busy' };
    await complete(h.store, claimed, { status: 'failed', nextAttemptAt: t0 + 30_000, error }, t0 + 500);
    const delivery = await deliveryOf(h.store, alice, claimed.delivery.id);
    expect(delivery).toMatchObject({ status: 'failed', attempts: 1, nextAttemptAt: t0 + 30_000, updatedAt: t0 + 500 });
    expect(delivery.lastError, 'lastError is the given error, at now').toEqual({ ...error, at: t0 + 500 });
    expect('lease' in delivery, 'completeDelivery clears the lease').toBe(false);
    expect('deliveredAt' in delivery, 'a failed delivery has no deliveredAt').toBe(false);
    expect(await claim(h.store, t0 + 29_999), 'a failed delivery is not due before its nextAttemptAt').toEqual([]);
    const [again] = await claimExactly(h.store, [delivery.id], t0 + 30_000);
    expect(again?.delivery.attempts, 'a claim keeps the attempts').toBe(1);
    await complete(h.store, again as ClaimedDelivery, { status: 'failed', nextAttemptAt: t0 + 90_000, error }, t0 + 30_001);
    expect((await deliveryOf(h.store, alice, delivery.id)).attempts, 'each failure counts an attempt').toBe(2);
  });

  it('records a dead outcome: attempts + 1, no next attempt, lastError', async () => {
    const claimed = await claimedDelivery(h.store);
    const error = { code: 'TRANSPORT_PERMANENT', message: 'refused' };
    await complete(h.store, claimed, { status: 'dead', error }, t0 + 500);
    const delivery = await deliveryOf(h.store, alice, claimed.delivery.id);
    expect(delivery).toMatchObject({ status: 'dead', attempts: 1, nextAttemptAt: null, updatedAt: t0 + 500 });
    expect(delivery.lastError).toEqual({ ...error, at: t0 + 500 });
    expect('lease' in delivery, 'completeDelivery clears the lease').toBe(false);
    expect(await claim(h.store, t0 + 10 * leaseMs), 'a dead delivery is never claimed').toEqual([]);
  });

  it('records expired and cancelled outcomes without counting an attempt', async () => {
    const [expiring, cancelling] = (await send(h.store, { deliveries: 2 })).deliveries as [DeliveryRecord, DeliveryRecord];
    const [forExpiry, forCancel] = await claimExactly(h.store, [expiring.id, cancelling.id], t0);
    await complete(h.store, forExpiry as ClaimedDelivery, { status: 'expired' }, t0 + 1);
    await complete(h.store, forCancel as ClaimedDelivery, { status: 'cancelled', reason: 'the endpoint was removed' }, t0 + 1);
    const expired = await deliveryOf(h.store, alice, expiring.id);
    expect(expired).toMatchObject({ status: 'expired', attempts: 0, nextAttemptAt: null, updatedAt: t0 + 1 });
    expect('lease' in expired, 'completeDelivery clears the lease').toBe(false);
    const cancelled = await deliveryOf(h.store, alice, cancelling.id);
    expect(cancelled).toMatchObject({ status: 'cancelled', attempts: 0, nextAttemptAt: null, updatedAt: t0 + 1 });
    expect(cancelled.lastError, "a cancellation's lastError is { code: 'CANCELLED', message: reason }").toMatchObject({ code: 'CANCELLED', message: 'the endpoint was removed' });
    expect('lease' in cancelled, 'completeDelivery clears the lease').toBe(false);
    expect(await claim(h.store, t0 + 10 * leaseMs), 'expired and cancelled deliveries are never claimed').toEqual([]);
  });

  it('reports nextDueAt: the earliest due open delivery or live lease expiry', async () => {
    expect(await h.store.nextDueAt(), 'nextDueAt is undefined when nothing is open').toBeUndefined();
    const [now, later] = (await send(h.store, { deliveries: sampleDeliveries(2, { nextAttemptAt: [t0, t0 + 10_000] }) })).deliveries as [DeliveryRecord, DeliveryRecord];
    expect(await h.store.nextDueAt(), 'nextDueAt is the earliest nextAttemptAt of an open, unleased delivery').toBe(t0);
    const [claimed] = await claimExactly(h.store, [now.id], t0, { leaseMs: 60_000 });
    expect(await h.store.nextDueAt(), 'a leased delivery counts by its lease expiry (t0 + 60 s), the other by nextAttemptAt (t0 + 10 s)').toBe(t0 + 10_000);
    await complete(h.store, claimed as ClaimedDelivery, { status: 'delivered' }, t0 + 1);
    const [second] = await claimExactly(h.store, [later.id], t0 + 10_000, { leaseMs: 5_000 });
    expect(await h.store.nextDueAt(), 'a live lease counts by its expiry').toBe(t0 + 15_000);
    await complete(h.store, second as ClaimedDelivery, { status: 'failed', nextAttemptAt: t0 + 40_000, error: { code: 'X', message: 'busy' } }, t0 + 10_001);
    expect(await h.store.nextDueAt(), 'a failed delivery counts by its nextAttemptAt').toBe(t0 + 40_000);
    const [third] = await claimExactly(h.store, [later.id], t0 + 40_000);
    await complete(h.store, third as ClaimedDelivery, { status: 'delivered' }, t0 + 40_001);
    expect(await h.store.nextDueAt(), 'nextDueAt is undefined once every delivery is final').toBeUndefined();
  });
}
