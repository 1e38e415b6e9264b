/**
 * Sends on the store's own pool go in batches (group commit), planned from the recipient
 * (subscriptions and preferences) the instance read before, checked by the user's
 * recipient version under the lock. What that must never change: a send plans from the
 * recipient as it stands at the write, whichever instance changed it and however
 * (every kind of change is a row of the table below); and one send's fault fails that
 * send alone, never another of its batch.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isHeraldError, type NotificationStore } from '@herald/core';
import type { DeliveryPlan, Recipient } from '@herald/core/store';
import { sampleDeliveries, sampleNotification, sampleSubscription, sampleTime } from '@herald/testing';
import { createPostgresStore, type PostgresStore } from '../src/index.js';
import { startPostgresServer, type PostgresServer } from './postgres-server.js';
import { dropSchema } from './schema-stores.js';

let server: PostgresServer;
let schemas = 0;
let opened: PostgresStore[] = [];

beforeAll(async () => {
  server = await startPostgresServer();
});

afterAll(async () => {
  await server?.stop();
});

afterEach(async () => {
  await Promise.all(opened.map((store) => store.close()));
  opened = [];
});

/** Two instances on one fresh schema. */
async function twoInstances(): Promise<[PostgresStore, PostgresStore]> {
  const schema = `batched_${(schemas += 1)}`;
  await dropSchema(server.connectionString, schema);
  const one = await createPostgresStore({ connectionString: server.connectionString, schema, migrate: true });
  const other = await createPostgresStore({ connectionString: server.connectionString, schema, migrate: true });
  opened.push(one, other);
  return [one, other];
}

const t0 = sampleTime;
const alice = 'alice';

/** A plan that records the recipient it was given and delivers to every active endpoint that preferences do not opt out of by platform. */
function recordingPlan(seen: Recipient[]): DeliveryPlan {
  return (recipient) => {
    seen.push(recipient);
    const optedOut = recipient.preferences?.platforms ?? {};
    const targets = recipient.subscriptions.filter((subscription) => subscription.status === 'active' && optedOut[subscription.platformType] !== 'optOut');
    return { deliveries: sampleDeliveries(targets, { nextAttemptAt: t0 }) };
  };
}

/** Every way another instance changes a user's recipient after this instance planned a send from it. */
const changes: ReadonlyArray<readonly [string, (other: NotificationStore, subscriptionIds: readonly string[]) => Promise<unknown>]> = [
  ['a subscription created', (other) => other.createSubscription(sampleSubscription({ userId: alice, platformType: 'android' }, t0), t0)],
  ['a subscription deactivated', (other, [, ios]) => other.updateSubscription(ios as string, { status: 'inactive', statusReason: 'gone' }, t0)],
  ['a subscription deleted', (other, [windows]) => other.deleteSubscription(windows as string, t0)],
  ['the preferences set', (other) => other.setPreferences(alice, { platforms: { windows: 'optOut' } }, t0)],
  ['a subscription expired by the purge', (other) => other.purgeExpired({ now: t0 + 2 * 86_400_000, tombstonesBefore: 0, limit: 100 })],
];

describe('a batched send plans from the recipient as it stands at the write', () => {
  it.each(changes)('after %s by another instance', async (_, change) => {
    const [one, other] = await twoInstances();
    const windows = await one.createSubscription(sampleSubscription({ userId: alice, platformType: 'windows' }, t0), t0);
    // Expires a day after t0: the purge row's clock is past it.
    const ios = await one.createSubscription({ ...sampleSubscription({ userId: alice, platformType: 'ios' }, t0), expiresAt: t0 + 86_400_000 }, t0);
    const seen: Recipient[] = [];
    const first = await one.saveNotification({ notification: sampleNotification({ userId: alice, appNotificationId: 'first' }, t0), deliveries: recordingPlan(seen), now: t0 });
    expect(first.deliveries.map((delivery) => delivery.subscriptionId)).toEqual([windows.id, ios.id]);

    await change(other, [windows.id, ios.id]);
    const current = { subscriptions: await other.listSubscriptions(alice), preferences: await other.getPreferences(alice) };
    const second = await one.saveNotification({ notification: sampleNotification({ userId: alice, appNotificationId: 'second' }, t0), deliveries: recordingPlan(seen), now: t0 + 1 });
    expect(seen, 'the plan from the copy read before the change was refused, and made again').toHaveLength(3);
    const last = seen.at(-1);
    expect({ subscriptions: last?.subscriptions, preferences: last?.preferences }, 'the plan that was written had the recipient as it stands now').toEqual(current);
    const expected = recordingPlan([])(current).deliveries.map((delivery) => delivery.subscriptionId);
    expect(second.deliveries.map((delivery) => delivery.subscriptionId)).toEqual(expected);
    expect((await other.listDeliveries(alice, second.notification.id)).map((delivery) => delivery.subscriptionId), 'and it stored those deliveries').toEqual(expected);
    expect(second.notification.sequence, 'its sequence is the user\'s latest').toBe((await other.listChanges(alice, 0, 100, t0 + 1)).cursor);
  });
});

describe('a batch of sends', () => {
  it('fails only the send at fault: the others of its batch are saved, and the faulty one leaves nothing', async () => {
    const [one] = await twoInstances();
    const users = Array.from({ length: 12 }, (_, n) => `user-${n}`);
    for (const userId of users) await one.createSubscription(sampleSubscription({ userId }, t0), t0);
    // Warm: each user's recipient is known, so the sends below are batched together.
    const warm = [];
    for (const userId of users) warm.push(await one.saveNotification({ notification: sampleNotification({ userId, appNotificationId: 'warm' }, t0), deliveries: recordingPlan([]), now: t0 }));
    // User 3's send reuses the id of its warm delivery: the batch's write is refused, and only that send fails.
    const taken = warm[3]?.deliveries[0]?.id as string;
    const withTakenId: DeliveryPlan = (recipient) => ({ deliveries: sampleDeliveries(recipient.subscriptions, { nextAttemptAt: t0 }).map((delivery) => ({ ...delivery, id: taken })) });
    // Sent in one turn: one batch.
    const sends = users.map((userId, n) =>
      one.saveNotification({ notification: sampleNotification({ userId, appNotificationId: 'batched' }, t0), deliveries: n === 3 ? withTakenId : recordingPlan([]), now: t0 + 1 }),
    );
    const outcomes = await Promise.allSettled(sends);
    const refused = outcomes.flatMap((outcome, n) => (outcome.status === 'rejected' ? [{ n, reason: outcome.reason as unknown }] : []));
    expect(refused, 'exactly one send is refused').toHaveLength(1);
    const [{ n, reason }] = refused as [{ n: number; reason: unknown }];
    expect(n, 'the refused send is the one at fault').toBe(3);
    expect(isHeraldError(reason, 'INVALID_ARGUMENT'), String(reason)).toBe(true);
    for (const [index, userId] of users.entries()) {
      const feed = await one.listFeed(userId, { limit: 10 }, t0 + 2);
      const batched = feed.items.filter((item) => item.appNotificationId === 'batched');
      expect(batched, `${userId}'s batched send ${index === n ? 'left nothing' : 'was saved'}`).toHaveLength(index === n ? 0 : 1);
      expect(await one.countUnread(userId, {}, t0 + 2), `${userId}'s unread count`).toBe(index === n ? 1 : 2);
      expect((await one.listChanges(userId, 0, 10, t0 + 2)).cursor, `${userId}'s sequence moved once per saved send`).toBe(index === n ? 1 : 2);
    }
  });
});
