/**
 * What a claim hands with each delivery does not depend on what else the same call
 * claims. On a single server one call claims across all shards, and a subscription is
 * read once per call: a delivery is handed its subscription exactly when that
 * subscription is stored and in the delivery's own shard (a subscription id names its
 * shard; the store never reads another shard's for a delivery), whichever deliveries of
 * other shards that name the same id (through the store interface, which takes any id)
 * are claimed with it, before or after it in the call. Random users over the shards,
 * subscriptions some deleted, deliveries naming their user's own or another user's
 * subscriptions, all claimed together.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import fc from 'fast-check';
import { newId } from '@herald/core/store';
import { sampleNotification, sampleSubscription } from '@herald/testing';
import { createRedisStore } from '../src/index.js';
import { shardOfUser } from '../src/shards.js';
import { startRedisServer, type RedisServer } from './redis-server.js';

let server: RedisServer;
let runs = 0;
const shards = 16;

beforeAll(async () => {
  server = await startRedisServer();
});

afterAll(async () => {
  await server?.destroy();
});

/** A subscription: its user, and whether it is deleted before the claim. */
const subscription = fc.record({ user: fc.integer({ min: 0, max: 20 }), deleted: fc.boolean() });
/** A delivery: its user, and which subscription (of all, any user's) it names. */
const delivery = fc.record({ user: fc.integer({ min: 0, max: 20 }), subscription: fc.nat(), offset: fc.integer({ min: 0, max: 20 }) });

it('hands a delivery its subscription exactly when it is stored in the delivery’s shard, whatever else the call claims', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(subscription, { minLength: 1, maxLength: 8 }), fc.array(delivery, { minLength: 1, maxLength: 30 }), async (subscriptions, deliveries) => {
      await using store = await createRedisStore({ url: server.url, prefix: `claim-subscriptions-${(runs += 1)}`, shards });
      const now = Date.now();
      const stored = await Promise.all(subscriptions.map(({ user }) => store.createSubscription(sampleSubscription({ userId: `user-${user}` }, now), now)));
      for (const [index, { deleted }] of subscriptions.entries()) if (deleted) await store.deleteSubscription((stored[index] as (typeof stored)[number]).id, now);
      const expected = new Map<string, string | undefined>();
      for (const { user, subscription: pick, offset } of deliveries) {
        const userId = `user-${user}`;
        const named = stored[pick % stored.length] as (typeof stored)[number];
        const id = newId();
        const kept = !(subscriptions[pick % stored.length]?.deleted ?? true) && shardOfUser(named.userId, shards) === shardOfUser(userId, shards);
        expected.set(id, kept ? named.id : undefined);
        await store.saveNotification({
          notification: sampleNotification({ userId, appNotificationId: newId() }, now),
          deliveries: [{ id, subscriptionId: named.id, transport: named.transport, platformType: named.platformType, kind: 'notification', nextAttemptAt: now - 100 + offset }],
          now,
        });
      }
      const claims = await store.claimDeliveries({ owner: 'test', now, leaseMs: 60_000, limit: deliveries.length });
      expect(claims).toHaveLength(deliveries.length);
      for (const { delivery: claimed, subscription: handed } of claims) {
        expect(handed?.id, `the subscription handed with ${claimed.userId}'s delivery naming ${claimed.subscriptionId}`).toBe(expected.get(claimed.id));
      }
    }),
    { numRuns: 60 },
  );
}, 120_000);
