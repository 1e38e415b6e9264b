/**
 * What a claim costs and hands over on a single server: one script call claims across
 * every shard, one finds the next due time, and one completes the deliveries of every
 * shard that finished together; the deliveries of one notification share its record,
 * read once and frozen, and those of one endpoint its subscription, so no transport can
 * change what another is handed.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { sampleNotification, sampleSubscription } from '@herald/testing';
import { createRedisStore } from '../src/index.js';
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

const scriptCalls = async (): Promise<number> => Number(/cmdstat_evalsha:calls=(\d+)/.exec(await admin.info('commandstats'))?.[1] ?? 0);

it('claims, finds the next due time and completes across 16 shards in one script call each, sharing frozen records', async () => {
  await using store = await createRedisStore({ url: server.url, prefix: 'claim-calls', shards: 16 });
  const now = Date.now();
  const users = Array.from({ length: 12 }, (_, index) => `user-${index}`);
  for (const userId of users) {
    const subscriptions = await Promise.all(['windows', 'ios'].map((platformType) => store.createSubscription(sampleSubscription({ userId, platformType: platformType as 'windows' | 'ios' }, now), now)));
    for (const appNotificationId of ['first', 'second']) {
      const deliveries = subscriptions.map((subscription) => ({ id: `${userId}-${appNotificationId}-${subscription.platformType}`, subscriptionId: subscription.id, transport: subscription.transport, platformType: subscription.platformType, kind: 'notification' as const, nextAttemptAt: now }));
      await store.saveNotification({ notification: sampleNotification({ userId, appNotificationId }, now), deliveries, now });
    }
  }
  expect((await admin.keys('{claim-calls:s*}:due')).length, 'the users spread over several shards').toBeGreaterThan(4);

  let before = await scriptCalls();
  expect(await store.nextDueAt()).toBe(now);
  expect(await scriptCalls(), 'one call finds the next due time of all shards').toBe(before + 1);

  before = await scriptCalls();
  const claims = await store.claimDeliveries({ owner: 'test', now, leaseMs: 60_000, limit: 100 });
  expect(await scriptCalls(), 'one call claims across all shards').toBe(before + 1);
  expect(claims).toHaveLength(users.length * 4);

  for (const claim of claims) {
    const { delivery, notification, subscription } = claim;
    expect(notification?.id).toBe(delivery.notificationId);
    expect(subscription?.id).toBe(delivery.subscriptionId);
    expect(Object.isFrozen(notification) && Object.isFrozen(notification?.payload) && Object.isFrozen(notification?.payload.visualContent), 'the notification is frozen through').toBe(true);
    expect(Object.isFrozen(subscription), 'the subscription is frozen').toBe(true);
    for (const other of claims) {
      expect(other.notification === notification, 'one notification record per notification').toBe(other.delivery.notificationId === delivery.notificationId);
      expect(other.subscription === subscription, 'one subscription record per endpoint').toBe(other.delivery.subscriptionId === delivery.subscriptionId);
    }
    expect(delivery.lease.owner).toBe('test');
    expect(await store.getDelivery(delivery.userId, delivery.id), 'the claim hands over the delivery as stored').toEqual(delivery);
  }
  expect(new Set(claims.map((claim) => claim.delivery.lease.token)).size, 'a token per claim').toBe(claims.length);

  before = await scriptCalls();
  const completed = await Promise.all(claims.map(({ delivery }) => store.completeDelivery({ userId: delivery.userId, deliveryId: delivery.id, token: delivery.lease.token }, { status: 'delivered' }, now)));
  expect(await scriptCalls(), 'one call completes the deliveries of every shard').toBe(before + 1);
  expect(completed.every((held) => held)).toBe(true);
  for (const { delivery } of claims) expect((await store.getDelivery(delivery.userId, delivery.id))?.status).toBe('delivered');
  expect(await store.nextDueAt()).toBeUndefined();
});

it('calls per shard with crossShardScripts: false, as behind a proxy that splits one endpoint by key', async () => {
  await using store = await createRedisStore({ url: server.url, prefix: 'claim-calls-per-shard', shards: 4, crossShardScripts: false });
  const now = Date.now();
  const before = await scriptCalls();
  expect(await store.nextDueAt()).toBeUndefined();
  expect(await store.claimDeliveries({ owner: 'test', now, leaseMs: 60_000, limit: 10 })).toEqual([]);
  expect(await scriptCalls(), 'one call per shard for the next due time, one per shard to look before a claim').toBe(before + 8);
});
