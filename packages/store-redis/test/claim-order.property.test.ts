/**
 * A claim across shards takes the `limit` earliest due deliveries of all shards. On a
 * single server one script merges the shards' due sets, reading each a page at a time; on
 * a cluster (or with `crossShardScripts: false`) the store first asks each shard for a few of its earliest due times, not
 * `limit`, and asks again only where that few could have hidden an earlier one. This
 * checks both against every delivery's due time, with many ties and bursts on one shard,
 * for limits small and large. Among deliveries due at the same time any may go first, so
 * the claimed due times are compared, not ids.
 */
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { newId } from '@herald/core/store';
import { sampleNotification } from '@herald/testing';
import { createRedisStore } from '../src/index.js';
import { clusterReady, startRedisCluster, startRedisServer, type RedisClusterServers, type RedisServer } from './redis-server.js';

let server: RedisServer;
let servers: RedisClusterServers;
let cluster: Cluster;
let runs = 0;

beforeAll(async () => {
  server = await startRedisServer();
  servers = await startRedisCluster(3);
  cluster = new Cluster([...servers.startupNodes], { enableOfflineQueue: false, redisOptions: { autoResendUnfulfilledCommands: false } });
  await clusterReady(cluster);
}, 60_000);

afterAll(async () => {
  await cluster?.quit();
  await Promise.all([server?.destroy(), servers?.destroy()]);
});

/** A delivery to save: its user (one of a few, so several share a shard) and how long after the start it falls due. */
const delivery = fc.record({ user: fc.integer({ min: 0, max: 40 }), offset: fc.integer({ min: 0, max: 30 }) });
/** A burst: many deliveries of one user (one shard) due at once, as a busy user's sends are. */
const burst = fc.record({ user: fc.integer({ min: 0, max: 40 }), offset: fc.integer({ min: 0, max: 30 }), count: fc.integer({ min: 5, max: 40 }) });

describe.each([
  { on: 'a single server (one merge of all shards)', storeOf: (prefix: string, shards: number) => createRedisStore({ url: server.url, prefix, shards }) },
  { on: 'a cluster (a plan from each shard’s earliest, then a claim per shard)', storeOf: (prefix: string, shards: number) => createRedisStore({ client: cluster, prefix, shards }) },
  { on: 'a single server without cross-shard scripts (as on a cluster)', storeOf: (prefix: string, shards: number) => createRedisStore({ url: server.url, prefix, shards, crossShardScripts: false }) },
])('on $on', ({ storeOf }) => {
  it('claims the earliest due deliveries of all shards, whatever the limit', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(delivery, { maxLength: 80 }),
        fc.array(burst, { maxLength: 3 }),
        fc.array(fc.integer({ min: 1, max: 70 }), { minLength: 1, maxLength: 12 }),
        fc.constantFrom(16, 5),
        async (singles, bursts, limits, shards) => {
          const store = await storeOf(`claim-order-${(runs += 1)}`, shards);
          try {
            const start = Date.now() - 1_000;
            const due: number[] = [];
            const save = async (user: number, offsets: readonly number[]): Promise<void> => {
              const deliveries = offsets.map((offset) => ({ id: newId(), subscriptionId: 'gone', transport: 'noop', platformType: 'windows' as const, kind: 'notification' as const, nextAttemptAt: start + offset }));
              await store.saveNotification({ notification: sampleNotification({ userId: `user-${user}`, appNotificationId: newId() }, start), deliveries, now: start });
              due.push(...deliveries.map((d) => d.nextAttemptAt));
            };
            for (const { user, offset } of singles) await save(user, [offset]);
            for (const { user, offset, count } of bursts) await save(user, Array.from({ length: count }, () => offset));
            due.sort((a, b) => a - b);
            for (const limit of limits) {
              const claimed = await store.claimDeliveries({ owner: 'worker', now: start + 100, leaseMs: 60_000, limit });
              const times = claimed.map((claim) => claim.delivery.nextAttemptAt ?? Number.NaN).sort((a, b) => a - b);
              expect(times, `a claim of ${limit} takes the earliest due of all shards`).toEqual(due.splice(0, limit));
            }
          } finally {
            await store.close();
          }
        },
      ),
      { numRuns: 40 },
    );
  }, 120_000);
});
