/**
 * Group `notifications`: `saveNotification` creates and upserts, and writes a notification
 * with its deliveries atomically (docs/stores.md, "saveNotification").
 */
import { expect, it } from 'vitest';
import type { DeliveryRecord, NotificationStore, StoredNotification, StoredSubscription } from '@herald/core';
import type { ClaimedDelivery, DeliveryPlan, NewDelivery } from '@herald/core/store';
import { sampleDeliveries, sampleNotification, sampleSubscription } from '../fixtures.js';
import { expectNoUndefinedFields, timeOf } from './expectations.js';
import type { StoreHarness } from './harness.js';
import { alice, bob, claimExactly, complete, currentSequence, deliveryOf, feedIds, leaseMs, leaseOf, send, t0 } from './steps.js';

/** What a save must not have left behind when it was refused. */
async function expectNothingOf(store: NotificationStore, notificationId: string, deliveryIds: readonly string[], now: number): Promise<void> {
  expect(await store.getNotification(alice, notificationId, now), 'a refused save must store no notification ("either everything is written, or nothing is")').toBeUndefined();
  for (const id of deliveryIds) {
    const delivery = await store.getDelivery(alice, id);
    expect(delivery === undefined || delivery.notificationId !== notificationId, 'a refused save must store none of its deliveries').toBe(true);
  }
}

/** Registers the tests of the group. */
export function notificationTests(h: StoreHarness): void {
  it('creates a notification with the write id, unread, without interaction, at now, with sequence 1', async () => {
    const write = sampleNotification({ userId: alice }, t0);
    const result = await h.store.saveNotification({ notification: write, deliveries: [], now: t0 });
    const { notification } = result;
    expect(result.created, 'a new appNotificationId must be created (created: true)').toBe(true);
    expect(result.replay, 'a save without idempotency is never a replay').toBeUndefined();
    expect(notification.id, 'a created notification gets write.notification.id').toBe(write.id);
    expect(notification.userId).toBe(alice);
    expect(notification.readState, 'a created notification is unread').toBe('unread');
    expect(notification.userActionState, 'a created notification has userActionState noInteraction').toBe('noInteraction');
    expect(timeOf(notification.createdDateTime, 'createdDateTime'), 'createdDateTime is now').toBe(t0);
    expect(timeOf(notification.lastModifiedDateTime, 'lastModifiedDateTime'), 'lastModifiedDateTime is now').toBe(t0);
    expect(notification.sequence, "a user's sequence starts at 0 and goes up by one with each change: the first creation is 1").toBe(1);
    const { id: _id, userId: _user, ...content } = write;
    expect(notification, 'the stored content is the written content').toMatchObject(content);
    expectNoUndefinedFields(notification, 'the saved notification');
    expect(await h.store.getNotification(alice, write.id, t0), 'getNotification returns what saveNotification returned').toEqual(notification);
  });

  it('keeps optional fields absent when the write has none', async () => {
    const write = sampleNotification({ userId: alice, groupName: undefined, priority: undefined, targetPolicy: undefined, displayTimeToLive: undefined }, t0);
    const { notification } = await h.store.saveNotification({ notification: write, deliveries: [], now: t0 });
    const stored = (await h.store.getNotification(alice, write.id, t0)) as StoredNotification;
    for (const record of [notification, stored]) {
      for (const field of ['groupName', 'priority', 'targetPolicy', 'displayTimeToLive', 'fallbackPolicy']) {
        expect(field in record, `optional field ${field} must be absent, not undefined (docs/stores.md, Records)`).toBe(false);
      }
    }
  });

  it('stores the deliveries with the notification, pending, with no attempts, at now', async () => {
    const deliveries = sampleDeliveries(2, { nextAttemptAt: [t0, t0 + 5_000] });
    const write = sampleNotification({ userId: alice }, t0);
    const result = await h.store.saveNotification({ notification: write, deliveries, now: t0 });
    expect(result.deliveries.map((d) => d.id).sort(), 'the result lists the deliveries this call created').toEqual(deliveries.map((d) => d.id).sort());
    const listed = await h.store.listDeliveries(alice, write.id);
    expect(listed.map((d) => d.id).sort(), 'listDeliveries right after the save shows its deliveries (notification and deliveries are one atomic write)').toEqual(
      deliveries.map((d) => d.id).sort(),
    );
    for (const input of deliveries) {
      const stored = listed.find((d) => d.id === input.id) as DeliveryRecord;
      const expected = {
        id: input.id,
        userId: alice,
        notificationId: write.id,
        subscriptionId: input.subscriptionId,
        transport: input.transport,
        platformType: input.platformType,
        kind: input.kind,
        status: 'pending',
        attempts: 0,
        nextAttemptAt: input.nextAttemptAt,
        createdAt: t0,
        updatedAt: t0,
      };
      expect(stored, 'a new delivery is pending, attempts 0, createdAt/updatedAt at now, nextAttemptAt as written').toEqual(expected);
      expect(result.deliveries.find((d) => d.id === input.id), 'the returned delivery equals the stored one').toEqual(expected);
      expectNoUndefinedFields(stored, 'a new delivery');
    }
  });

  it('refuses a write whose delivery reuses an existing delivery id, or stores it whole without harming the other', async () => {
    const first = await send(h.store, { appNotificationId: 'first', deliveries: 1 });
    const taken = first.deliveries[0] as DeliveryRecord;
    const [fresh] = sampleDeliveries(1) as [NewDelivery];
    const write = sampleNotification({ userId: alice, appNotificationId: 'second' }, t0 + 1);
    const duplicate = { ...fresh, id: taken.id };
    let refused = false;
    try {
      await h.store.saveNotification({ notification: write, deliveries: [fresh, duplicate], now: t0 + 1 });
    } catch {
      refused = true;
    }
    if (refused) {
      await expectNothingOf(h.store, write.id, [fresh.id], t0 + 1);
    } else {
      const listed = await h.store.listDeliveries(alice, write.id);
      expect(listed.length, 'an accepted save stores the notification with its deliveries').toBeGreaterThan(0);
    }
    expect((await deliveryOf(h.store, alice, taken.id)).notificationId, "a save must never move another notification's delivery").toBe(first.notification.id);
    expect(await h.store.listDeliveries(alice, first.notification.id), "another notification's deliveries stay as they were").toEqual(first.deliveries);
  });

  it('refuses a write that repeats a delivery id within itself, or stores it whole', async () => {
    const [delivery] = sampleDeliveries(1) as [NewDelivery];
    const write = sampleNotification({ userId: alice }, t0);
    let refused = false;
    try {
      await h.store.saveNotification({ notification: write, deliveries: [delivery, delivery], now: t0 });
    } catch {
      refused = true;
    }
    if (refused) {
      await expectNothingOf(h.store, write.id, [delivery.id], t0);
      expect(await currentSequence(h.store, alice, t0), 'a refused save must not advance the sequence').toBe(0);
    } else {
      expect(await h.store.getNotification(alice, write.id, t0), 'an accepted save stores the notification').toBeDefined();
      expect((await h.store.listDeliveries(alice, write.id)).length, 'an accepted save stores the notification with its deliveries').toBeGreaterThan(0);
    }
  });

  it('updates the live notification with the same targetHostName and appNotificationId', async () => {
    const original = await send(h.store, { appNotificationId: 'a', now: t0 });
    await send(h.store, { appNotificationId: 'b', now: t0 + 1 });
    await h.store.updateNotificationState(alice, original.notification.id, { readState: 'read', userActionState: 'activated' }, t0 + 2);
    const replacement = sampleNotification(
      {
        userId: alice,
        appNotificationId: 'a',
        payload: { rawContent: 'replaced' },
        groupName: undefined,
        priority: 'Low',
        expirationDateTime: new Date(t0 + 86_400_000).toISOString(),
      },
      t0 + 3,
    );
    const result = await h.store.saveNotification({ notification: replacement, deliveries: [], now: t0 + 3 });
    const updated = result.notification;
    expect(result.created, 'an existing appNotificationId is updated (created: false)').toBe(false);
    expect(updated.id, 'an update keeps the id (the write id is used only for a creation)').toBe(original.notification.id);
    expect(timeOf(updated.createdDateTime, 'createdDateTime'), 'an update keeps createdDateTime').toBe(t0);
    expect(timeOf(updated.lastModifiedDateTime, 'lastModifiedDateTime'), 'an update sets lastModifiedDateTime to now').toBe(t0 + 3);
    expect(updated.readState, 'an update makes the notification unread again').toBe('unread');
    expect(updated.userActionState, 'an update resets userActionState to noInteraction').toBe('noInteraction');
    expect(updated.payload, 'an update replaces the content').toEqual({ rawContent: 'replaced' });
    expect(updated.priority).toBe('Low');
    expect(updated.expirationDateTime).toBe(replacement.expirationDateTime);
    expect('groupName' in updated, 'an update replaces the content whole: a field the new content lacks is gone').toBe(false);
    expect(updated.sequence, 'create a (1), create b (2), state change (3), update (4): the update gets a new sequence').toBe(4);
    const feed = await feedIds(h.store, alice, t0 + 3);
    expect(feed[0], 'an update moves the notification to the top of the feed').toBe(original.notification.id);
    expect(feed.length, 'an update creates no second notification').toBe(2);
    expect(await h.store.getNotification(alice, replacement.id, t0 + 3), 'the write id of an update is not used').toBeUndefined();
    expect(await h.store.getNotification(alice, updated.id, t0 + 3), 'getNotification shows the update').toEqual(updated);
    expectNoUndefinedFields(updated, 'the updated notification');
  });

  it('cancels the open deliveries of an updated notification as SUPERSEDED, leased or not, and leaves final ones alone', async () => {
    // Claim order is by nextAttemptAt, so the three claimed ones are due before the scheduled one.
    const deliveries = sampleDeliveries(4, { nextAttemptAt: [t0 - 3, t0 - 2, t0 - 1, t0 + 60_000] });
    const [toDeliver, toFail, toHold, scheduled] = deliveries.map((d) => d.id) as [string, string, string, string];
    const first = await send(h.store, { appNotificationId: 'a', deliveries });
    const [delivering, failing, holding] = await claimExactly(h.store, [toDeliver, toFail, toHold], t0);
    await complete(h.store, delivering as ClaimedDelivery, { status: 'delivered' }, t0);
    await complete(h.store, failing as ClaimedDelivery, { status: 'failed', nextAttemptAt: t0 + 30_000, error: { code: 'TRANSPORT_RETRYABLE', message: 'busy' } }, t0);
    const delivered = await deliveryOf(h.store, alice, toDeliver);

    const added = sampleDeliveries(1, { nextAttemptAt: t0 + 1 }) as [NewDelivery];
    const result = await send(h.store, { appNotificationId: 'a', deliveries: added, now: t0 + 1 });
    expect(result.notification.id).toBe(first.notification.id);
    expect(result.deliveries.map((d) => d.id), 'an update returns only the deliveries it created').toEqual(added.map((d) => d.id));

    for (const id of [toFail, scheduled, toHold]) {
      const superseded = await deliveryOf(h.store, alice, id);
      expect(superseded.status, 'an open (pending or failed) delivery of an updated notification becomes cancelled, even under a live lease').toBe('cancelled');
      expect(superseded.lastError?.code, "a superseded delivery's lastError has code SUPERSEDED").toBe('SUPERSEDED');
      expect(superseded.nextAttemptAt, 'a superseded delivery has nextAttemptAt: null').toBeNull();
    }
    expect(await deliveryOf(h.store, alice, toDeliver), 'a delivered delivery is final and stays as it was').toEqual(delivered);
    const fresh = await deliveryOf(h.store, alice, added[0].id);
    expect(fresh.status).toBe('pending');
    expect((await h.store.listDeliveries(alice, first.notification.id)).length, 'the old deliveries stay listed beside the new one').toBe(5);
    expect(
      await h.store.completeDelivery(leaseOf(holding as ClaimedDelivery), { status: 'delivered' }, t0 + 2),
      'the holder of a superseded delivery finds its lease gone',
    ).toBe(false);
  });

  it('treats a delivery whose lease expired as unleased when superseding', async () => {
    const deliveries = sampleDeliveries(1) as [NewDelivery];
    const id = deliveries[0].id;
    await send(h.store, { appNotificationId: 'a', deliveries });
    await claimExactly(h.store, [id], t0, { leaseMs: 1_000 });
    await send(h.store, { appNotificationId: 'a', now: t0 + leaseMs });
    const superseded = await deliveryOf(h.store, alice, id);
    expect(superseded.status, 'a delivery whose lease expired is not under a live lease: an update cancels it').toBe('cancelled');
    expect(superseded.lastError?.code).toBe('SUPERSEDED');
  });

  it('creates a separate notification for another targetHostName or another user', async () => {
    const first = await send(h.store, { appNotificationId: 'same' });
    const otherApp = await send(h.store, { appNotificationId: 'same', content: { targetHostName: 'other.example.com' }, now: t0 + 1 });
    const otherUser = await send(h.store, { appNotificationId: 'same', userId: bob, now: t0 + 2 });
    expect(otherApp.created, 'the upsert key includes targetHostName: another app gets its own notification').toBe(true);
    expect(otherApp.notification.id).not.toBe(first.notification.id);
    expect(otherUser.created, "the upsert key includes the user: another user's notification is separate").toBe(true);
    expect(otherUser.notification.id).not.toBe(first.notification.id);
    expect((await feedIds(h.store, alice, t0 + 2)).length).toBe(2);
    expect(await h.store.getNotification(alice, first.notification.id, t0 + 2), 'the first notification is untouched').toEqual(first.notification);
  });

  it('replaces an expired notification with the same key by a new one with the new id, leaving a tombstone', async () => {
    const expiresAt = t0 + 1_000;
    const expired = await send(h.store, { appNotificationId: 'a', deliveries: 1, content: { expirationDateTime: new Date(expiresAt).toISOString() } });
    const oldDelivery = (expired.deliveries[0] as DeliveryRecord).id;
    const write = sampleNotification({ userId: alice, appNotificationId: 'a' }, expiresAt);
    const result = await h.store.saveNotification({ notification: write, deliveries: [], now: expiresAt });
    expect(result.created, 'an expired notification with the same key counts as absent: the save creates').toBe(true);
    expect(result.notification.id, 'the replacement gets the new write id').toBe(write.id);
    expect(timeOf(result.notification.createdDateTime, 'createdDateTime')).toBe(expiresAt);
    expect(result.notification.sequence, 'the expired one is removed (sequence 2, its tombstone), then the new one is created (3)').toBe(3);
    const changes = await h.store.listChanges(alice, 1, 100, expiresAt);
    expect(
      changes.changes.map((c) => [c.type, c.notificationId, c.sequence]),
      'the removed expired notification leaves a tombstone in the change feed',
    ).toEqual([
      ['deleted', expired.notification.id, 2],
      ['created', write.id, 3],
    ]);
    expect(await h.store.getDelivery(alice, oldDelivery), 'the removed notification takes its deliveries with it').toBeUndefined();
  });

  it('plans the deliveries of a planned write from the user’s subscriptions as they stand at the write, oldest first', async () => {
    const windows = await h.store.createSubscription(sampleSubscription({ userId: alice, platformType: 'windows' }, t0), t0);
    const ios = await h.store.createSubscription(sampleSubscription({ userId: alice, platformType: 'ios' }, t0), t0);
    await h.store.createSubscription(sampleSubscription({ userId: bob }, t0), t0);
    const seen: string[][] = [];
    const plan: DeliveryPlan = ({ subscriptions }: { readonly subscriptions: readonly StoredSubscription[] }) => {
      seen.push(subscriptions.map((subscription) => subscription.id));
      return { deliveries: sampleDeliveries(subscriptions, { nextAttemptAt: t0 }) };
    };
    const first = await h.store.saveNotification({ notification: sampleNotification({ userId: alice, appNotificationId: 'first' }, t0), deliveries: plan, now: t0 });
    expect(seen.at(-1), 'the plan gets the user’s subscriptions, in listSubscriptions order, and no other user’s').toEqual([windows.id, ios.id]);
    expect(first.deliveries.map((d) => d.subscriptionId), 'the store creates the deliveries the plan returned').toEqual([windows.id, ios.id]);
    const listed = await h.store.listDeliveries(alice, first.notification.id);
    expect(listed.map((d) => d.subscriptionId).sort(), 'the planned deliveries are stored with the notification').toEqual([windows.id, ios.id].sort());

    // Changes made after one planned write are seen by the next, whatever the store keeps.
    await h.store.deleteSubscription(windows.id, t0);
    const android = await h.store.createSubscription(sampleSubscription({ userId: alice, platformType: 'android' }, t0), t0);
    await h.store.updateSubscription(ios.id, { status: 'inactive', statusReason: 'gone' }, t0);
    const second = await h.store.saveNotification({ notification: sampleNotification({ userId: alice, appNotificationId: 'second' }, t0), deliveries: plan, now: t0 });
    expect(
      (seen.at(-1) ?? []).slice().sort(),
      'after a delete, a create and an update, the next planned write sees the subscriptions as they are now',
    ).toEqual([ios.id, android.id].sort());
    const inactive = (await h.store.listSubscriptions(alice)).find((s) => s.id === ios.id);
    expect(inactive?.status, 'the plan is handed the subscriptions as stored, inactive ones included (matching is the plan’s job)').toBe('inactive');
    expect(second.deliveries.map((d) => d.subscriptionId).sort()).toEqual([ios.id, android.id].sort());
  });
}
