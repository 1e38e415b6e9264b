/**
 * The store on ioredis 6 (the workspace's lockfile gives this package ioredis 5, which
 * the other tests use): the whole store conformance suite, unchanged, against a real
 * redis-server with an ioredis 6 `Redis` passed in, against a real 3-master cluster with
 * an ioredis 6 `Cluster`, and with the store's own client (option `url`) made by ioredis
 * 6, as it is where npm installs 6 for this package's `^5.9.3 || ^6.0.0`. ioredis 6
 * speaks RESP3 by default and changed its `duplicate()`, which the wake-up subscription
 * uses; the wake-up tests below cover it.
 */
import { createRequire } from 'node:module';
import { Cluster, Redis } from 'ioredis6';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { NotificationStore } from '@herald/core';
import { runStoreConformance } from '@herald/testing';
import { createRedisStore } from '../src/index.js';
import { keyspaceStores } from './keyspace-stores.js';
import { clusterReady, startRedisCluster, startRedisServer, type RedisClusterServers, type RedisServer } from './redis-server.js';

// Not a mock: the store's `import 'ioredis'` gets the real ioredis 6, as an app's install
// with only ioredis 6 would give it.
vi.mock('ioredis', async () => await import('ioredis6'));

const ioredis6Version = (createRequire(import.meta.url)('ioredis6/package.json') as { version: string }).version;
let stores = 0;

/** How long a wake-up may take to be heard before the test fails. */
const wakeBoundMs = 30_000;

/**
 * Wakes `receiver` from `sender` (two instances of one keyspace) through pub/sub, which
 * runs on a connection the store makes with the client's `duplicate()`.
 */
async function expectWakeAcross(sender: NotificationStore, receiver: NotificationStore): Promise<void> {
  let woken = 0;
  receiver.onWake?.(() => {
    woken += 1;
  });
  // Bounded only to fail loudly: a loaded machine may take seconds to subscribe, a
  // missing wake-up never ends.
  const deadline = Date.now() + wakeBoundMs;
  // Publish until the receiver's subscription is up (it subscribes on its own connection).
  while (woken === 0 && Date.now() < deadline) {
    await sender.wake?.();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await Promise.all([sender.close(), receiver.close()]);
  expect(woken, 'the receiver heard the wake-up').toBeGreaterThan(0);
}

it('runs against ioredis 6, not another version under its alias, also for the store’s own import', async () => {
  expect(ioredis6Version.split('.')[0]).toBe('6');
  expect((await import('ioredis')).Redis).toBe(Redis);
});

describe('one server, an ioredis 6 Redis client', () => {
  let server: RedisServer;
  let client: Redis;

  beforeAll(async () => {
    server = await startRedisServer();
    // The settings the README asks of a client passed in: fail fast, never resend.
    client = new Redis(server.url, { enableOfflineQueue: false, autoResendUnfulfilledCommands: false, lazyConnect: true });
    await client.connect();
  });

  afterAll(async () => {
    await client?.quit();
    await server?.destroy();
  });

  it('speaks RESP3, ioredis 6’s default', async () => {
    const info = (await client.call('CLIENT', 'INFO')) as string;
    expect(info).toMatch(/\bresp=3\b/);
  });

  it('wakes another store instance of the same keyspace through pub/sub', async () => {
    const prefix = `ioredis6-wake-${(stores += 1)}`;
    await expectWakeAcross(await createRedisStore({ client, prefix }), await createRedisStore({ client, prefix }));
  }, wakeBoundMs + 20_000);

  runStoreConformance({
    name: 'redis with an ioredis 6 client (4 shards)',
    ...keyspaceStores('ioredis6', (prefix) => createRedisStore({ client, prefix, shards: 4 })),
    destroyStore: async () => {
      await client.flushall();
    },
  });
});

describe('a cluster, an ioredis 6 Cluster client', () => {
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

  it('wakes another store instance of the same keyspace through pub/sub', async () => {
    const prefix = `ioredis6-cluster-wake-${(stores += 1)}`;
    await expectWakeAcross(await createRedisStore({ client: cluster, prefix }), await createRedisStore({ client: cluster, prefix }));
  }, wakeBoundMs + 20_000);

  runStoreConformance({
    name: 'redis cluster with an ioredis 6 client (8 shards)',
    ...keyspaceStores('ioredis6-cluster', (prefix) => createRedisStore({ client: cluster, prefix, shards: 8 })),
    destroyStore: async () => {
      await Promise.all(cluster.nodes('master').map((node) => node.flushall()));
    },
  });
});

describe('one server, the store’s own client made by ioredis 6 (option url)', () => {
  let server: RedisServer;
  let admin: Redis;

  beforeAll(async () => {
    server = await startRedisServer();
    // RESP2, so that the RESP3 connections the server lists are the store's.
    admin = new Redis(server.url, { protocol: 2 });
  });

  afterAll(async () => {
    await admin?.quit();
    await server?.destroy();
  });

  it('connects over RESP3, so its client is ioredis 6’s', async () => {
    const store = await createRedisStore({ url: server.url, prefix: `ioredis6-url-${(stores += 1)}` });
    const connections = ((await admin.call('CLIENT', 'LIST')) as string).split('\n').filter((line) => /\bresp=3\b/.test(line));
    await store.close();
    expect(connections, 'the store’s own connection speaks RESP3').toHaveLength(1);
  });

  it('wakes another store instance of the same keyspace through pub/sub', async () => {
    const prefix = `ioredis6-url-wake-${(stores += 1)}`;
    await expectWakeAcross(await createRedisStore({ url: server.url, prefix }), await createRedisStore({ url: server.url, prefix }));
  }, wakeBoundMs + 20_000);

  runStoreConformance({
    name: 'redis with its own ioredis 6 client (1 shard)',
    ...keyspaceStores('ioredis6-url', (prefix) => createRedisStore({ url: server.url, prefix, shards: 1 })),
    destroyStore: async () => {
      await admin.flushall();
    },
  });
});
