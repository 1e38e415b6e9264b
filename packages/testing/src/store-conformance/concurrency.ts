/**
 * Group `concurrency`: each method is one atomic step even when calls overlap, and the
 * records a store hands out or takes in are never shared with its state
 * (docs/stores.md, "Records", "saveNotification").
 */
import { expect, it } from 'vitest';
import type { DeliveryRecord, StoredNotification } from '@herald/core';
import type { NewDelivery } from '@herald/core/store';
import { sampleDeliveries, sampleNotification, sampleSubscription } from '../fixtures.js';
import { snapshot, tamper } from './expectations.js';
import type { StoreHarness } from './harness.js';
import { alice, claim, currentSequence, feedIds, send, t0 } from './steps.js';

/** Registers the tests of the group. */
export function concurrencyTests(h: StoreHarness): void {
  it('stores exactly one notification for concurrent saves of one appNotificationId', async () => {
    const count = 20;
    const results = await Promise.all(
      Array.from({ length: count }, (_, index) => send(h.store, { appNotificationId: 'same', deliveries: 1, now: t0 + index })),
    );
    const now = t0 + count;
    expect(await feedIds(h.store, alice, now), 'concurrent saves with the same upsert key leave exactly one notification').toHaveLength(1);
    expect(results.filter((result) => result.created), 'exactly one of them created it').toHaveLength(1);
    expect(new Set(results.map((result) => result.notification.id)).size, 'all of them answer with the same notification').toBe(1);
    expect(await currentSequence(h.store, alice, now), 'each save is one change').toBe(count);
    const listed = await h.store.listDeliveries(alice, (results[0] as { notification: StoredNotification }).notification.id);
    expect(listed, 'every save added its delivery').toHaveLength(count);
    expect(listed.filter((delivery) => delivery.status === 'pending').length, 'each update superseded the open deliveries before it: one stays pending').toBe(1);
  });

  it('lands concurrent sends to distinct users', async () => {
    const users = Array.from({ length: 20 }, (_, index) => `user-${index}`);
    const results = await Promise.all(users.map((userId) => send(h.store, { userId, deliveries: 1 })));
    for (const [index, userId] of users.entries()) {
      expect(await feedIds(h.store, userId, t0), `${userId}'s send landed in their feed`).toEqual([results[index]?.notification.id]);
      expect(results[index]?.notification.sequence, 'each user has their own sequence').toBe(1);
    }
    expect(await claim(h.store, t0, 100), 'every delivery landed').toHaveLength(users.length);
  });

  it('gives concurrent sends of one user distinct sequences', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, index) => send(h.store, { appNotificationId: `n${index}` })));
    const sequences = results.map((result) => result.notification.sequence).sort((a, b) => a - b);
    expect(sequences, 'concurrent changes get the sequences 1…20, each once').toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
    expect(await feedIds(h.store, alice, t0)).toHaveLength(20);
  });

  it('hands out records that cannot change stored state', async () => {
    const subscription = await h.store.createSubscription(sampleSubscription({ userId: alice }), t0);
    const subscriptionId = subscription.id;
    const saved = await send(h.store, { deliveries: sampleDeliveries([subscription]) });
    const id = saved.notification.id;
    const deliveryId = (saved.deliveries[0] as DeliveryRecord).id;
    const notificationBefore = snapshot(await h.store.getNotification(alice, id, t0));
    const subscriptionBefore = snapshot(await h.store.getSubscription(subscriptionId));

    tamper(saved);
    tamper(subscription);
    tamper(await h.store.getNotification(alice, id, t0));
    tamper(await h.store.listFeed(alice, { limit: 10 }, t0));
    tamper(await h.store.listChanges(alice, 0, 10, t0));
    tamper(await h.store.getSubscription(subscriptionId));
    tamper(await h.store.listSubscriptions(alice));
    tamper(await h.store.listDeliveries(alice, id));
    expect(await h.store.getNotification(alice, id, t0), 'mutating a returned notification never changes the stored one (return frozen records or copies)').toEqual(notificationBefore);
    expect(await h.store.getSubscription(subscriptionId), 'mutating a returned subscription never changes the stored one').toEqual(subscriptionBefore);

    const deliveryBefore = snapshot(await h.store.getDelivery(alice, deliveryId));
    tamper(await h.store.getDelivery(alice, deliveryId));
    expect(await h.store.getDelivery(alice, deliveryId), 'mutating a returned delivery never changes the stored one').toEqual(deliveryBefore);

    const claims = await claim(h.store, t0);
    const claimedBefore = snapshot(await h.store.getDelivery(alice, deliveryId));
    tamper(claims);
    expect(await h.store.getDelivery(alice, deliveryId), 'mutating a claim (its lease) never changes the stored delivery').toEqual(claimedBefore);
    expect(await h.store.getNotification(alice, id, t0), 'mutating a claim (its notification) never changes the stored notification').toEqual(notificationBefore);
    expect(await h.store.getSubscription(subscriptionId), 'mutating a claim (its subscription) never changes the stored subscription').toEqual(subscriptionBefore);

    const deactivated = await h.store.updateSubscription(subscriptionId, { status: 'inactive', statusReason: 'paused' }, t0 + 1);
    const deactivatedBefore = snapshot(deactivated);
    tamper(deactivated);
    expect(await h.store.getSubscription(subscriptionId), 'mutating the result of updateSubscription never changes the stored one').toEqual(deactivatedBefore);

    const updated = await h.store.updateNotificationState(alice, id, { readState: 'read' }, t0 + 1);
    const updatedBefore = snapshot(updated);
    tamper(updated);
    expect(await h.store.getNotification(alice, id, t0 + 1), 'mutating the result of updateNotificationState never changes the stored one').toEqual(updatedBefore);
  });

  it('keeps no reference to the objects it was given', async () => {
    const notification = sampleNotification({ userId: alice, payload: { visualContent: { title: 'original', body: 'body' } } });
    const deliveries = sampleDeliveries(1) as [NewDelivery];
    const notificationId = notification.id;
    const deliveryId = deliveries[0].id;
    const input = sampleSubscription({ userId: alice });
    await h.store.saveNotification({ notification, deliveries, now: t0 });
    const subscription = await h.store.createSubscription(input, t0);
    const notificationBefore = snapshot(await h.store.getNotification(alice, notificationId, t0));
    const deliveryBefore = snapshot(await h.store.getDelivery(alice, deliveryId));
    const subscriptionBefore = snapshot(subscription);
    const subscriptionId = subscription.id;
    tamper(notification);
    tamper(deliveries);
    tamper(input);
    expect(await h.store.getNotification(alice, notificationId, t0), 'mutating the written notification afterwards never changes the stored one').toEqual(notificationBefore);
    expect(await h.store.getDelivery(alice, deliveryId), 'mutating the written deliveries afterwards never changes the stored ones').toEqual(deliveryBefore);
    expect(await h.store.getSubscription(subscriptionId), 'mutating the subscription input afterwards never changes the stored one').toEqual(subscriptionBefore);
  });
}
