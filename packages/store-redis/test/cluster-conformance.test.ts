/**
 * The store conformance suite against a real 3-master Redis Cluster on loopback, with an
 * ioredis `Cluster` client passed in (the store leaves it open). With 8 shards the users
 * spread over all three masters, so every script must stay within its shard's slot.
 */
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runStoreConformance, sampleDeliveries, sampleNotification } from '@herald/testing';
import { createRedisStore } from '../src/index.js';
import { keyspaceStores, prefixOf } from './keyspace-stores.js';
import { clusterReady, startRedisCluster, type RedisClusterServers } from './redis-server.js';

let servers: RedisClusterServers;
let cluster: Cluster;

beforeAll(async () => {
  servers = await startRedisCluster(3);
  cluster = new Cluster([...servers.startupNodes], { enableOfflineQueue: false, redisOptions: { autoResendUnfulfilledCommands: false } });
  await clusterReady(cluster);
}, 60_000);

afterAll(async () => {
  await cluster?.quit();
  await servers?.destroy();
});

runStoreConformance({
  name: 'redis cluster',
  ...keyspaceStores('cluster-conformance', (prefix) => createRedisStore({ client: cluster, prefix, shards: 8 })),
  destroyStore: async () => {
    await Promise.all(cluster.nodes('master').map((node) => node.flushall()));
  },
  additionalTests: ({ createStore }) => {
    it('spreads the users of eight shards over all three masters', async () => {
      const store = await createStore();
      const now = Date.now();
      for (let user = 0; user < 40; user += 1) {
        await store.saveNotification({ notification: sampleNotification({ userId: `user-${user}` }, now), deliveries: [], now });
      }
      const keysPerMaster = await Promise.all(cluster.nodes('master').map((node) => node.dbsize()));
      expect(keysPerMaster.every((count) => count > 0), `every master holds keys (${keysPerMaster.join(', ')})`).toBe(true);
    });

    it('keeps users whose ids hold colons and braces apart, each within its shard’s slot', async () => {
      const store = await createStore();
      const now = Date.now();
      const users = ['a', 'a:b', 'a:b:c', '{a}', 'a}{b', '{', '}', 'ü:{x}'];
      for (const userId of users) {
        await store.saveNotification({ notification: sampleNotification({ userId, appNotificationId: userId }, now), deliveries: sampleDeliveries(1, { nextAttemptAt: now }), now });
      }
      for (const userId of users) {
        const { items } = await store.listFeed(userId, { limit: 10 }, now);
        expect(items.map((item) => [item.userId, item.appNotificationId]), `${userId} sees only their own notification`).toEqual([[userId, userId]]);
      }
      const claims = await store.claimDeliveries({ owner: 'me', now, leaseMs: 1000, limit: 100 });
      expect(claims.map((claim) => claim.notification?.userId).sort()).toEqual([...users].sort());
    });

    it('wakes another store instance of the same keyspace through pub/sub', async () => {
      const sender = await createStore();
      const receiver = await createRedisStore({ client: cluster, prefix: prefixOf(sender) });
      let woken = 0;
      receiver.onWake?.(() => {
        woken += 1;
      });
      // Bounded only to fail loudly: a loaded machine may take seconds to subscribe, a
      // missing wake-up never ends.
      const deadline = Date.now() + 30_000;
      // Publish until the receiver's subscription is up (it subscribes on its own connection).
      while (woken === 0 && Date.now() < deadline) {
        await sender.wake?.();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await receiver.close();
      expect(woken, 'the receiver heard the wake-up').toBeGreaterThan(0);
    }, 50_000);

    it('loads its scripts again on every node after SCRIPT FLUSH (NOSCRIPT)', async () => {
      const store = await createStore();
      const now = Date.now();
      const users = Array.from({ length: 12 }, (_, user) => `user-${user}`);
      for (const userId of users) await store.saveNotification({ notification: sampleNotification({ userId }, now), deliveries: sampleDeliveries(1, { nextAttemptAt: now }), now });
      await Promise.all(cluster.nodes('master').map((node) => node.script('FLUSH')));
      for (const userId of users) expect((await store.listFeed(userId, { limit: 10 }, now)).items).toHaveLength(1);
      expect(await store.claimDeliveries({ owner: 'me', now, leaseMs: 1000, limit: 100 })).toHaveLength(users.length);
    });
  },
});
