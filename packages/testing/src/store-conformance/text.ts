/**
 * Group `text`: a store returns exactly the strings it acknowledged, in every string
 * field, for any well-formed Unicode (astral characters, combining marks, noncharacters,
 * U+FFFD itself) — and, for a durable store, after compaction and a reopen too (group
 * `durability`; docs/stores.md, "Text"). Lone surrogates never reach a store: the service refuses
 * them at its boundary, because no UTF-8 store can keep them.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import type { NotificationStore } from '@herald/core';
import type { ClaimedDelivery, NewDelivery } from '@herald/core/store';
import { sampleDeliveries, sampleNotification, sampleSubscription } from '../fixtures.js';
import type { StoreHarness } from './harness.js';
import { claimExactly, complete, leaseMs, t0 } from './steps.js';

// Well-formed strings of any code point: `binary` draws from all of Unicode, astral planes
// included, as whole code points (so never a lone surrogate).
const anyText = fc.string({ unit: 'binary', minLength: 1, maxLength: 24 });
// Ids, names and reasons refuse control characters at the service; everything else is open.
const anyName = anyText.map((text) => `n${text.replace(/[\u0000-\u001f\u007f]/g, '')}`);

/** One record of strings for every field the scenario writes. */
export const texts = fc.record({
  userId: anyName,
  appNotificationId: anyName,
  title: anyText,
  body: anyText,
  rawContent: anyText,
  groupName: anyName,
  fallbackTitle: anyText,
  address: anyText,
  secret: anyName,
  statusReason: anyName,
  errorMessage: anyText,
});

export type Texts = typeof texts extends fc.Arbitrary<infer T> ? T : never;

/** Writes every string of `t` into a notification, a subscription and a delivery's error. */
export async function write(store: NotificationStore, t: Texts): Promise<{ notificationId: string; subscriptionId: string; deliveryId: string }> {
  const subscription = await store.createSubscription(sampleSubscription({ userId: t.userId, address: t.address, secret: t.secret }, t0), t0);
  await store.updateSubscription(subscription.id, { status: 'inactive', statusReason: t.statusReason }, t0);
  const notification = sampleNotification(
    {
      userId: t.userId,
      appNotificationId: t.appNotificationId,
      payload: { visualContent: { title: t.title, body: t.body }, rawContent: t.rawContent },
      groupName: t.groupName,
      targetPolicy: { platformTypes: ['windows'] },
      fallbackPolicy: { endpointFallback: { platformTypes: ['windows'], fallbackDelayInSeconds: 60, visualContent: { title: t.fallbackTitle } } },
    },
    t0,
  );
  const [delivery] = sampleDeliveries([{ id: subscription.id, transport: 'test', platformType: 'windows' }], { nextAttemptAt: t0 });
  await store.saveNotification({ notification, deliveries: delivery === undefined ? [] : [delivery], now: t0 });
  const deliveryId = (delivery as NewDelivery).id;
  const [claimed] = await claimExactly(store, [deliveryId], t0);
  await complete(store, claimed as ClaimedDelivery, { status: 'failed', nextAttemptAt: t0 + leaseMs, error: { code: 'TRANSPORT_RETRYABLE', message: t.errorMessage } }, t0);
  return { notificationId: notification.id, subscriptionId: subscription.id, deliveryId };
}

/** Reads every string back and expects each exactly as written. */
export async function expectExact(store: NotificationStore, t: Texts, ids: { notificationId: string; subscriptionId: string; deliveryId: string }, when: string): Promise<void> {
  const notification = await store.getNotification(t.userId, ids.notificationId, t0);
  expect(notification, `the notification must be found by its userId ${when}`).toBeDefined();
  expect(notification?.userId, `userId ${when}`).toBe(t.userId);
  expect(notification?.appNotificationId, `appNotificationId ${when}`).toBe(t.appNotificationId);
  expect(notification?.payload, `payload text ${when}`).toEqual({ visualContent: { title: t.title, body: t.body }, rawContent: t.rawContent });
  expect(notification?.groupName, `groupName ${when}`).toBe(t.groupName);
  expect(notification?.fallbackPolicy?.endpointFallback.visualContent, `fallback text ${when}`).toEqual({ title: t.fallbackTitle });
  const feed = await store.listFeed(t.userId, { limit: 10, groupName: t.groupName }, t0);
  expect(feed.items.map((item) => item.id), `the feed filtered by groupName ${when}`).toEqual([ids.notificationId]);
  const [subscription] = await store.listSubscriptions(t.userId);
  expect(subscription, `the subscription must be listed under its userId ${when}`).toMatchObject({ id: ids.subscriptionId, userId: t.userId, address: t.address, secret: t.secret, statusReason: t.statusReason });
  const delivery = await store.getDelivery(t.userId, ids.deliveryId);
  expect(delivery?.lastError?.message, `a delivery's error message ${when}`).toBe(t.errorMessage);
}

/** Registers the tests of the group (the same after a reopen: group `durability`). */
export function textTests(h: StoreHarness): void {
  it('returns every string exactly as acknowledged, for any well-formed Unicode', async () => {
    await fc.assert(
      fc.asyncProperty(texts, async (t) => {
        const store = await h.open();
        const ids = await write(store, t);
        await expectExact(store, t, ids, 'as written');
      }),
      { numRuns: 25 },
    );
  });

  it('keeps two users, or two app ids, that differ in one code point apart', async () => {
    const store = h.store;
    const pairs: ReadonlyArray<readonly [string, string]> = [
      ['user-\u{1F600}', 'user-\u{1F601}'],
      ['user-\uFFFD', 'user-\u{10FFFD}'],
      ['e\u0301', '\u00e9'],
      ['a{b}', 'a{c}'],
      ['a:b', 'a:c'],
    ];
    for (const [first, second] of pairs) {
      const one = sampleNotification({ userId: first, appNotificationId: first }, t0);
      const two = sampleNotification({ userId: first, appNotificationId: second }, t0);
      expect((await store.saveNotification({ notification: one, deliveries: [], now: t0 })).created).toBe(true);
      expect((await store.saveNotification({ notification: two, deliveries: [], now: t0 })).created, `appNotificationIds ${JSON.stringify(first)} and ${JSON.stringify(second)} are different`).toBe(true);
      await store.saveNotification({ notification: sampleNotification({ userId: second }, t0), deliveries: [], now: t0 });
      const firstFeed = await store.listFeed(first, { limit: 10 }, t0);
      const secondFeed = await store.listFeed(second, { limit: 10 }, t0);
      expect(firstFeed.items, `users ${JSON.stringify(first)} and ${JSON.stringify(second)} must not share a feed`).toHaveLength(2);
      expect(secondFeed.items).toHaveLength(1);
    }
  });
}
