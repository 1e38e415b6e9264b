/**
 * The store conformance suite of @herald/testing against one real redis-server, unchanged,
 * with one shard (a claim needs no look across shards) and with four (it does).
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runStoreConformance, sampleDeliveries, sampleNotification } from '@herald/testing';
import { createRedisStore } from '../src/index.js';
import { scripts } from '../src/scripts/index.js';
import { keyspaceStores } from './keyspace-stores.js';
import { startRedisServer, type RedisServer } from './redis-server.js';

let server: RedisServer;
let admin: Redis;

beforeAll(async () => {
  server = await startRedisServer();
  admin = new Redis(server.url);
});

afterAll(async () => {
  await admin?.quit();
  await server?.destroy();
});

for (const shards of [1, 4]) {
  runStoreConformance({
    name: `redis (${shards} shard${shards === 1 ? '' : 's'})`,
    // A store that connects by URL, so it opens and closes its own client each test.
    ...keyspaceStores(`conformance-${shards}`, (prefix) => createRedisStore({ url: server.url, prefix, shards })),
    destroyStore: async () => {
      await admin.flushall();
    },
    additionalTests: ({ createStore }) => {
      it('loads its scripts again after SCRIPT FLUSH (NOSCRIPT)', async () => {
        const store = await createStore();
        const now = Date.now();
        await store.saveNotification({ notification: sampleNotification({ userId: 'alice' }, now), deliveries: sampleDeliveries(1, { nextAttemptAt: now }), now });
        await admin.script('FLUSH');
        expect(await admin.script('EXISTS', scripts.saveNotifications.sha), 'the flush dropped the script').toEqual([0]);
        const { notification } = await store.saveNotification({ notification: sampleNotification({ userId: 'alice', appNotificationId: 'after-flush' }, now), deliveries: [], now });
        expect((await store.listFeed('alice', { limit: 10 }, now)).items.map((item) => item.id)).toContain(notification.id);
        expect(await store.claimDeliveries({ owner: 'me', now, leaseMs: 1000, limit: 10 })).toHaveLength(1);
      });
    },
  });
}
