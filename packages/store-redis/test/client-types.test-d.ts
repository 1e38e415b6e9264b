/**
 * Type test, checked by the test command's type-check step (`tsc -p tsconfig.test.json`),
 * not run by vitest: option `client` of `createRedisStore` takes ioredis 5's and ioredis
 * 6's `Redis` and `Cluster` (this package's `ioredis` and the `ioredis6` alias), and still
 * refuses what is not a client. Naming one version's classes in the option's type made
 * `tsc` reject the other version's clients; this file fails to compile if that returns.
 */
import { Cluster as Cluster5, Redis as Redis5 } from 'ioredis';
import { Cluster as Cluster6, Redis as Redis6 } from 'ioredis6';
import { createRedisStore } from '../src/index.js';
import type { RedisClient, RedisStoreOptions } from '../src/index.js';

/** Compiled, never called: the clients are only declared, so nothing connects. */
export function acceptsBothVersions(redis5: Redis5, cluster5: Cluster5, redis6: Redis6, cluster6: Cluster6): void {
  void createRedisStore({ client: redis5 });
  void createRedisStore({ client: cluster5 });
  void createRedisStore({ client: redis6 });
  void createRedisStore({ client: cluster6 });
  // ioredis 6's RESP3 reply mapping changes map and double replies only; the store's
  // scripts return neither, so such a client is accepted too.
  void createRedisStore({ client: new Redis6({ lazyConnect: true, replyMapping: 'resp3' }) });
  const clients: RedisClient[] = [redis5, cluster5, redis6, cluster6, redis5.duplicate(), cluster6.duplicate()];
  const options: RedisStoreOptions[] = clients.map((client) => ({ client }));
  void options;
}

/** The structural type is not so loose that anything passes. */
export function refusesNonClients(withoutScripts: Omit<Redis6, 'evalsha'>, cluster5WithoutStatus: Omit<Cluster5, 'status'>): void {
  // @ts-expect-error a plain object is not a client
  void createRedisStore({ client: {} });
  // @ts-expect-error a URL string belongs in option url
  void createRedisStore({ client: 'redis://127.0.0.1:6379' });
  // @ts-expect-error a client without evalsha cannot run the store's scripts
  void createRedisStore({ client: withoutScripts });
  // @ts-expect-error the store checks the connection's status before each call
  void createRedisStore({ client: cluster5WithoutStatus });
}
