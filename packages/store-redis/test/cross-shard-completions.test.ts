/**
 * On a single server the completions of every shard made in one turn are one script call.
 * A table of cases, each in a shard of its own, completed together with refused ones in
 * the middle: a lease that lapsed and another instance took, a notification deleted, a
 * subscription deleted, the deliveries cancelled, the notification updated (superseded),
 * an outcome that is no valid one. Each refused completion is answered on its own and
 * leaves its delivery exactly as the change left it (no key made again, the new holder's
 * lease kept); every accepted one, before or after them in the call, is recorded.
 */
import { Buffer } from 'node:buffer';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { ClaimedDelivery, DeliveryOutcome, DeliveryRecord, NotificationStore } from '@herald/core/store';
import { newId } from '@herald/core/store';
import { sampleNotification, sampleSubscription } from '@herald/testing';
import { createRedisStore } from '../src/index.js';
import { shardOfUser } from '../src/shards.js';
import { startRedisServer, type RedisServer } from './redis-server.js';

let server: RedisServer;
let admin: Redis;

beforeAll(async () => {
  server = await startRedisServer();
  admin = new Redis(server.url);
});

afterAll(async () => {
  admin?.disconnect();
  await server?.destroy();
});

const error = { code: 'E', message: 'refused' };
const shards = 16;
const prefix = 'cross-completions';

interface Case {
  readonly kind: string;
  readonly outcome: (now: number) => DeliveryOutcome;
  /** What happens between the claim and the completion. */
  readonly meanwhile?: (context: { store: NotificationStore; other: NotificationStore; userId: string; notificationId: string; subscriptionId: string; now: number }) => Promise<void>;
  readonly answer: 'true' | 'false' | 'INVALID_ARGUMENT';
  /** The status after the call; `undefined`: the delivery is gone. */
  readonly status: string | undefined;
  /** Whether the claim's lease was taken by another instance first (its delivery falls due earliest). */
  readonly reclaimed?: boolean;
}

const cases: readonly Case[] = [
  { kind: 'delivered (first in the call)', outcome: () => ({ status: 'delivered' }), answer: 'true', status: 'delivered' },
  { kind: 'failed, due again later', outcome: (now) => ({ status: 'failed', nextAttemptAt: now + 5_000, error }), answer: 'true', status: 'failed' },
  { kind: 'a lease that lapsed and another instance took', outcome: () => ({ status: 'delivered' }), answer: 'false', status: 'pending', reclaimed: true },
  { kind: 'its notification deleted', outcome: () => ({ status: 'delivered' }), meanwhile: ({ store, userId, notificationId, now }) => store.deleteNotification(userId, notificationId, now).then(() => undefined), answer: 'false', status: undefined },
  { kind: 'its subscription deleted', outcome: () => ({ status: 'dead', error }), meanwhile: ({ other, subscriptionId, now }) => other.deleteSubscription(subscriptionId, now).then(() => undefined), answer: 'false', status: 'cancelled' },
  { kind: 'its deliveries cancelled', outcome: (now) => ({ status: 'failed', nextAttemptAt: now + 1, error }), meanwhile: ({ other, userId, notificationId, now }) => other.cancelDeliveries(userId, notificationId, 'stop', now).then(() => undefined), answer: 'false', status: 'cancelled' },
  {
    kind: 'its notification updated (superseded)',
    outcome: () => ({ status: 'delivered' }),
    meanwhile: async ({ other, userId, now }) => {
      await other.saveNotification({ notification: sampleNotification({ userId, appNotificationId: `note-${userId}` }, now), deliveries: [], now });
    },
    answer: 'false',
    status: 'cancelled',
  },
  { kind: 'a retry time that is no number', outcome: () => ({ status: 'failed', nextAttemptAt: Number.NaN, error }), answer: 'INVALID_ARGUMENT', status: 'pending' },
  { kind: 'dead', outcome: () => ({ status: 'dead', error }), answer: 'true', status: 'dead' },
  { kind: 'expired', outcome: () => ({ status: 'expired' }), answer: 'true', status: 'expired' },
  { kind: 'cancelled (last in the call)', outcome: () => ({ status: 'cancelled', reason: 'unsubscribed' }), answer: 'true', status: 'cancelled' },
];

/** One user per case, each in a shard of its own. */
function usersInDistinctShards(count: number): string[] {
  const users: string[] = [];
  const taken = new Set<number>();
  for (let index = 0; users.length < count; index += 1) {
    const shard = shardOfUser(`user-${index}`, shards);
    if (taken.has(shard)) continue;
    taken.add(shard);
    users.push(`user-${index}`);
  }
  return users;
}

const scriptCalls = async (): Promise<number> => Number(/cmdstat_evalsha:calls=(\d+)/.exec(await admin.info('commandstats'))?.[1] ?? 0);

it('answers each completion of many shards in one call on its own; a refused one changes nothing, the others are recorded', async () => {
  await using store = await createRedisStore({ url: server.url, prefix, shards });
  await using other = await createRedisStore({ url: server.url, prefix, shards });
  const now = Date.now();
  const users = usersInDistinctShards(cases.length);
  const setup = await Promise.all(
    cases.map(async (testCase, index) => {
      const userId = users[index] as string;
      const subscription = await store.createSubscription(sampleSubscription({ userId }, now), now);
      const delivery = { id: newId(), subscriptionId: subscription.id, transport: subscription.transport, platformType: subscription.platformType, kind: 'notification' as const, nextAttemptAt: testCase.reclaimed === true ? now - 10 : now - 5 };
      const saved = await store.saveNotification({ notification: sampleNotification({ userId, appNotificationId: `note-${userId}` }, now), deliveries: [delivery], now });
      return { userId, deliveryId: delivery.id, notificationId: saved.notification.id, subscriptionId: subscription.id };
    }),
  );

  // The reclaimed case: claimed with a lease that lapses, then taken by the other instance.
  const lapsed = await store.claimDeliveries({ owner: 'first', now: now - 10, leaseMs: 1, limit: 1 });
  const taken = await other.claimDeliveries({ owner: 'second', now, leaseMs: 60_000, limit: 1 });
  expect(taken.map((claim) => claim.delivery.id)).toEqual(lapsed.map((claim) => claim.delivery.id));
  const rest = await store.claimDeliveries({ owner: 'first', now, leaseMs: 60_000, limit: 100 });
  const claims = new Map<string, ClaimedDelivery>([...lapsed, ...rest].map((claim) => [claim.delivery.id, claim]));
  expect(claims.size, 'every case claimed once').toBe(cases.length);

  const before = new Map<string, DeliveryRecord | undefined>();
  for (const [index, testCase] of cases.entries()) {
    const { userId, deliveryId, notificationId, subscriptionId } = setup[index] as (typeof setup)[number];
    await testCase.meanwhile?.({ store, other, userId, notificationId, subscriptionId, now: now + 1 });
    before.set(deliveryId, await store.getDelivery(userId, deliveryId));
  }
  /** A delivery's place in its shard's due index (a score, or null when not there). */
  const dueAt = (userId: string, deliveryId: string): Promise<string | null> => admin.zscore(`{${prefix}:s${shardOfUser(userId, shards)}}:due`, `${Buffer.byteLength(userId)}:${userId}:${deliveryId}`);
  const dueBefore = await Promise.all(setup.map(({ userId, deliveryId }) => dueAt(userId, deliveryId)));

  const calls = await scriptCalls();
  const answers = await Promise.allSettled(
    cases.map((testCase, index) => {
      const { userId, deliveryId } = setup[index] as (typeof setup)[number];
      const { delivery } = claims.get(deliveryId) as ClaimedDelivery;
      return store.completeDelivery({ userId, deliveryId, token: delivery.lease.token }, testCase.outcome(now + 2), now + 2);
    }),
  );
  expect(await scriptCalls(), 'the completions of every shard in one script call').toBe(calls + 1);

  for (const [index, testCase] of cases.entries()) {
    const { userId, deliveryId } = setup[index] as (typeof setup)[number];
    const settled = answers[index] as PromiseSettledResult<boolean>;
    expect(settled.status === 'fulfilled' ? String(settled.value) : (settled.reason as { code?: string }).code, testCase.kind).toBe(testCase.answer);
    const after = await store.getDelivery(userId, deliveryId);
    expect(after?.status, testCase.kind).toBe(testCase.status);
    if (testCase.answer !== 'true') {
      expect(after, `${testCase.kind}: unchanged by the refused completion`).toEqual(before.get(deliveryId));
      expect(await dueAt(userId, deliveryId), `${testCase.kind}: its place in the due index kept`).toBe(dueBefore[index]);
      if (after === undefined) expect(await admin.keys(`{${prefix}:s*}:dlv:*${deliveryId}`), `${testCase.kind}: no key made again`).toEqual([]);
    }
    if (testCase.reclaimed === true) expect(after?.lease?.owner, 'the new holder keeps its lease').toBe('second');
  }
  const dead = await store.listDeadDeliveries(10, undefined);
  expect(dead.items.map((delivery) => delivery.id)).toEqual([setup[cases.findIndex((testCase) => testCase.kind === 'dead')]?.deliveryId]);
});
