/**
 * Group `subscriptions`: create, get, list, update and delete endpoints
 * (docs/stores.md, "Subscriptions").
 */
import { expect, it } from 'vitest';
import { cancelReasons } from '@herald/core/store';
import type { StoredSubscription } from '@herald/core';
import { sampleSubscription } from '../fixtures.js';
import { expectNoUndefinedFields, timeOf } from './expectations.js';
import type { StoreHarness } from './harness.js';
import { alice, bob, claimExactly, deliveryOf, send, t0 } from './steps.js';

/** Registers the tests of the group. */
export function subscriptionTests(h: StoreHarness): void {
  it('creates an active subscription with the given fields, at now', async () => {
    const input = sampleSubscription({ userId: alice, secret: 'whsec_c2VjcmV0', platformType: 'ios' }, t0);
    const created = await h.store.createSubscription(input, t0);
    expect(created, 'createSubscription stores the given fields').toMatchObject({
      userId: alice,
      targetHostName: input.targetHostName,
      platformType: 'ios',
      transport: input.transport,
      address: input.address,
      secret: 'whsec_c2VjcmV0',
      status: 'active',
    });
    expect(timeOf(created.expirationDateTime, 'expirationDateTime'), 'expirationDateTime is expiresAt').toBe(input.expiresAt);
    expect(timeOf(created.createdDateTime, 'createdDateTime'), 'createdDateTime is now').toBe(t0);
    expect(timeOf(created.lastModifiedDateTime, 'lastModifiedDateTime'), 'lastModifiedDateTime is now').toBe(t0);
    expect('statusReason' in created, 'an active subscription has no statusReason (absent, not undefined)').toBe(false);
    expectNoUndefinedFields(created, 'a created subscription');
    expect(await h.store.getSubscription(created.id), 'getSubscription returns what createSubscription returned').toEqual(created);
    const plain = await h.store.createSubscription(sampleSubscription({ userId: alice }, t0), t0);
    expect('secret' in plain, 'a subscription created without a secret has none (absent, not undefined)').toBe(false);
  });

  it('mints unguessable, unique ids', async () => {
    const ids = new Set<string>();
    for (let index = 0; index < 200; index += 1) {
      const { id } = await h.store.createSubscription(sampleSubscription({ userId: `user-${index % 7}` }, t0), t0);
      // 122 random bits need at least 21 base64 characters; a GUID has 36.
      expect(id.length, `subscription id ${JSON.stringify(id)} is too short to carry 122 random bits`).toBeGreaterThanOrEqual(22);
      ids.add(id);
    }
    expect(ids.size, 'every subscription id is unique').toBe(200);
  });

  it('gets a subscription whatever its status, or undefined when missing', async () => {
    const created = await h.store.createSubscription(sampleSubscription({ userId: alice }, t0), t0);
    const inactive = await h.store.updateSubscription(created.id, { status: 'inactive', statusReason: 'endpoint gone: 410' }, t0 + 1);
    expect(await h.store.getSubscription(created.id), 'an inactive subscription is still returned').toEqual(inactive);
    expect(await h.store.getSubscription('no-such-id'), 'a missing subscription is undefined').toBeUndefined();
  });

  it("lists a user's subscriptions oldest first, whatever their status, and only theirs", async () => {
    const first = await h.store.createSubscription(sampleSubscription({ userId: alice, platformType: 'windows' }, t0), t0);
    const second = await h.store.createSubscription(sampleSubscription({ userId: alice, platformType: 'android' }, t0 + 1), t0 + 1);
    await h.store.createSubscription(sampleSubscription({ userId: bob }, t0 + 2), t0 + 2);
    const third = await h.store.createSubscription(sampleSubscription({ userId: alice, platformType: 'ios' }, t0 + 3), t0 + 3);
    await h.store.updateSubscription(first.id, { status: 'inactive', statusReason: 'expired' }, t0 + 4);
    const listed = await h.store.listSubscriptions(alice);
    expect(listed.map((s) => s.id), 'listSubscriptions is oldest first, includes inactive ones, and only the user’s').toEqual([first.id, second.id, third.id]);
    expect(await h.store.listSubscriptions('nobody'), 'a user without subscriptions has an empty list').toEqual([]);
  });

  it('updates expiry, status and reason; a null reason removes it', async () => {
    const created = await h.store.createSubscription(sampleSubscription({ userId: alice }, t0), t0);
    const inactive = (await h.store.updateSubscription(created.id, { status: 'inactive', statusReason: 'endpoint gone: 410' }, t0 + 10)) as StoredSubscription;
    expect(inactive.status).toBe('inactive');
    expect(inactive.statusReason).toBe('endpoint gone: 410');
    expect(timeOf(inactive.lastModifiedDateTime, 'lastModifiedDateTime'), 'an update sets lastModifiedDateTime to now').toBe(t0 + 10);
    expect(timeOf(inactive.createdDateTime, 'createdDateTime'), 'an update keeps createdDateTime').toBe(t0);
    expect(inactive.expirationDateTime, 'a patch without expiresAt keeps the expiry').toBe(created.expirationDateTime);

    const renewedAt = t0 + 86_400_000;
    const renewed = (await h.store.updateSubscription(created.id, { expiresAt: renewedAt }, t0 + 20)) as StoredSubscription;
    expect(timeOf(renewed.expirationDateTime, 'expirationDateTime'), 'expiresAt sets expirationDateTime').toBe(renewedAt);
    expect(renewed.status, 'a patch without status keeps the status').toBe('inactive');
    expect(renewed.statusReason, 'a patch without statusReason keeps the reason').toBe('endpoint gone: 410');

    const active = (await h.store.updateSubscription(created.id, { status: 'active', statusReason: null }, t0 + 30)) as StoredSubscription;
    expect(active.status).toBe('active');
    expect('statusReason' in active, 'statusReason: null removes the reason (absent, not undefined)').toBe(false);
    expect(await h.store.getSubscription(created.id), 'getSubscription shows the update').toEqual(active);
    expect(await h.store.updateSubscription('no-such-id', { status: 'inactive' }, t0), 'updating a missing subscription answers undefined').toBeUndefined();
  });

  it('deletes a subscription, ends its open deliveries, and claims a delivery written for it afterwards without it', async () => {
    const subscription = await h.store.createSubscription(sampleSubscription({ userId: alice }, t0), t0);
    const toDeleted = (id: string) => [{ id, subscriptionId: subscription.id, transport: subscription.transport, platformType: subscription.platformType, kind: 'notification' as const, nextAttemptAt: t0 }];
    await send(h.store, { deliveries: toDeleted('delivery-of-deleted-endpoint') });
    expect(await h.store.deleteSubscription(subscription.id, t0 + 1), 'deleteSubscription returns true when it deleted').toBe(true);
    expect(await h.store.getSubscription(subscription.id), 'a deleted subscription is gone').toBeUndefined();
    expect(await h.store.listSubscriptions(alice), 'a deleted subscription is not listed').toEqual([]);
    expect(await h.store.deleteSubscription(subscription.id, t0 + 2), 'deleting it again returns false').toBe(false);
    const delivery = await deliveryOf(h.store, alice, 'delivery-of-deleted-endpoint');
    expect(delivery, 'deleting a subscription ends its open deliveries at once').toMatchObject({
      status: 'cancelled',
      nextAttemptAt: null,
      lastError: { code: 'CANCELLED', message: cancelReasons.subscriptionDeleted, at: t0 + 1 },
    });
    // A listed write may still name the endpoint (a replay): the claim then comes without it, for the dispatcher to end.
    const saved = await send(h.store, { appNotificationId: 'after-delete', deliveries: toDeleted('delivery-after-delete') });
    const [claimed] = await claimExactly(h.store, ['delivery-after-delete'], t0);
    expect(claimed?.subscription, 'a claim of a delivery whose subscription was deleted has no subscription').toBeUndefined();
    expect(claimed?.notification?.id, 'it still has its notification').toBe(saved.notification.id);
  });
}
