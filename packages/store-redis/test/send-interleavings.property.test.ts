/**
 * Sends made concurrently through one Redis store instance, in random interleavings
 * (some in the same turn, some a few promise jobs or a turn later, some re-planned after
 * another instance changed the user's subscriptions), are grouped into batches; whatever
 * the grouping, the outcome is the memory store's for the same sends made one at a time
 * in the order the Redis store applied them (the order of the change sequences it
 * answered): the same results (created, updated, replay and its fingerprint, the
 * notification's id, the deliveries made), the same feeds and the same deliveries.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { newId, type DeliveryPlan, type NotificationStore, type NotificationWrite, type SaveResult } from '@herald/core/store';
import { createMemoryStore } from '@herald/store-memory';
import { sampleNotification, sampleSubscription, sampleTime } from '@herald/testing';
import { createRedisStore } from '../src/index.js';
import { startRedisServer, type RedisServer } from './redis-server.js';

let server: RedisServer;
let admin: Redis;
let runs = 0;
/** What the runs reached, so the property cannot pass by exercising nothing. */
const reached = new Set<string>();

beforeAll(async () => {
  server = await startRedisServer();
  admin = new Redis(server.url);
});

afterAll(async () => {
  admin?.disconnect();
  await server?.destroy();
});

const users = ['alice', 'bob', 'carol'] as const;

const send = fc.record({
  user: fc.constantFrom(...users),
  app: fc.integer({ min: 0, max: 2 }),
  key: fc.constantFrom(undefined, undefined, 'k0', 'k1'),
  fingerprint: fc.constantFrom('f0', 'f1'),
  group: fc.constantFrom(undefined, 'g'),
  // When the send is made: in the round's first turn, after a few promise jobs, or a turn later.
  hop: fc.constantFrom(0, 0, 1, 3, 'turn' as const),
});
const round = fc.record({ subscribe: fc.option(fc.constantFrom(...users), { nil: undefined }), sends: fc.array(send, { minLength: 1, maxLength: 12 }) });
type Send = typeof send extends fc.Arbitrary<infer T> ? T : never;

/** One delivery per subscription of the user, due at `now`. */
const everyEndpoint = (now: number): DeliveryPlan => ({ subscriptions }) => ({
  deliveries: subscriptions.map((subscription) => ({ id: newId(), subscriptionId: subscription.id, transport: 'test', platformType: subscription.platformType, kind: 'notification', nextAttemptAt: now })),
});

function writeOf(s: Send, title: string, now: number): NotificationWrite {
  const notification = sampleNotification({ userId: s.user, appNotificationId: `app-${s.app}`, groupName: s.group, payload: { visualContent: { title, body: 'b' } } }, now);
  const idempotency = s.key === undefined ? undefined : { key: s.key, fingerprint: s.fingerprint, expiresAt: now + 3_600_000 };
  return { notification, deliveries: everyEndpoint(now), now, ...(idempotency === undefined ? {} : { idempotency }) };
}

async function after(hop: Send['hop']): Promise<void> {
  if (hop === 'turn') return new Promise((resolve) => setImmediate(resolve));
  for (let i = 0; i < hop; i += 1) await Promise.resolve();
}

/** A result as both stores must give it. */
const resultOf = (result: SaveResult) => ({
  created: result.created,
  replay: result.replay?.fingerprint,
  id: result.notification.id,
  title: result.notification.payload.visualContent?.title,
  deliveries: result.deliveries.length,
});

/** A user's feed and deliveries, with what differs by construction (delivery ids, times) left out. */
async function stateOf(store: NotificationStore, userId: string, now: number): Promise<unknown> {
  const feed = (await store.listFeed(userId, { limit: 100 }, now)).items;
  return Promise.all(
    feed.map(async (item) => ({
      id: item.id,
      app: item.appNotificationId,
      group: item.groupName,
      title: item.payload.visualContent?.title,
      deliveries: (await store.listDeliveries(userId, item.id)).map((delivery) => delivery.status),
      unread: await store.countUnread(userId, {}, now),
    })),
  );
}

it('applies concurrent sends as the memory store applies them one at a time, in the order of their sequences', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(round, { minLength: 1, maxLength: 4 }), fc.constantFrom(1, 2), async (rounds, shards) => {
      runs += 1;
      const prefix = `interleave-${runs}`;
      const memory = createMemoryStore();
      const redis = await createRedisStore({ url: server.url, prefix, shards });
      const other = await createRedisStore({ url: server.url, prefix });
      try {
        let now = sampleTime;
        for (const userId of users) {
          await memory.createSubscription(sampleSubscription({ userId }, now), now);
          await redis.createSubscription(sampleSubscription({ userId }, now), now);
        }
        for (const [index, r] of rounds.entries()) {
          now += 1_000;
          if (r.subscribe !== undefined) {
            // Through the other instance: this one's cached list of the user goes stale.
            await memory.createSubscription(sampleSubscription({ userId: r.subscribe, platformType: 'ios' }, now), now);
            await other.createSubscription(sampleSubscription({ userId: r.subscribe, platformType: 'ios' }, now), now);
          }
          const writes = r.sends.map((s, i) => writeOf(s, `r${index}-s${i}`, now));
          const calls = Number(/cmdstat_evalsha:calls=(\d+)/.exec(await admin.info('commandstats'))?.[1] ?? 0);
          const results = await Promise.all(r.sends.map(async (s, i) => {
            await after(s.hop);
            return redis.saveNotification(writes[i] as NotificationWrite);
          }));
          const spent = Number(/cmdstat_evalsha:calls=(\d+)/.exec(await admin.info('commandstats'))?.[1] ?? 0) - calls;
          if (spent < r.sends.length) reached.add('batch');
          // The order Redis applied them: by sequence, a replay after the send it replays.
          const order = r.sends.map((_, i) => i).sort((a, b) => {
            const [x, y] = [results[a] as SaveResult, results[b] as SaveResult];
            return x.notification.sequence - y.notification.sequence || Number(x.replay !== undefined) - Number(y.replay !== undefined) || a - b;
          });
          for (const i of order) {
            const result = results[i] as SaveResult;
            reached.add(result.replay !== undefined ? 'replay' : result.created ? 'created' : 'updated');
            const expected = await memory.saveNotification(writes[i] as NotificationWrite);
            expect(resultOf(result), `round ${index} send ${i}`).toEqual(resultOf(expected));
          }
          for (const userId of users) expect(await stateOf(redis, userId, now), `${userId} after round ${index}`).toEqual(await stateOf(memory, userId, now));
        }
      } finally {
        await Promise.all([redis.close(), other.close(), memory.close()]);
      }
    }),
    { numRuns: 40 },
  );
  expect(runs).toBeGreaterThanOrEqual(40);
  expect([...reached].sort()).toEqual(['batch', 'created', 'replay', 'updated']);
});
