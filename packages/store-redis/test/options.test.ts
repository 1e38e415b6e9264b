/**
 * Bad input at creation: a wrong option is a `TypeError` naming it, thrown at once; a
 * shard count that differs from the keyspace's recorded one is a typed error naming both.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeraldError, type NotificationStore } from '@herald/core';
import { sampleNotification } from '@herald/testing';
import { createRedisStore } from '../src/index.js';
import type { RedisStoreOptions } from '../src/index.js';
import { startRedisServer, type RedisServer } from './redis-server.js';

let server: RedisServer;
const opened: NotificationStore[] = [];

beforeAll(async () => {
  server = await startRedisServer();
});

afterAll(async () => {
  await Promise.all(opened.map((store) => store.close()));
  await server?.destroy();
});

async function open(options: RedisStoreOptions): Promise<NotificationStore> {
  const store = await createRedisStore(options);
  opened.push(store);
  return store;
}

/** Expects `createRedisStore(options)` to throw a TypeError at once whose message names `option`. */
function expectOptionError(options: unknown, option: string): void {
  expect(() => createRedisStore(options as RedisStoreOptions)).toThrow(TypeError);
  expect(() => createRedisStore(options as RedisStoreOptions)).toThrow(new RegExp(`^\\[herald\\] \\[store-redis\\] .*${option}`));
}

describe('options', () => {
  it('refuses a prefix with characters that would break keys or hash tags', () => {
    for (const prefix of ['{app}', 'a}b', 'has space', '', 'x'.repeat(65), 'tab\there', 'ünïcode', 42]) {
      expectOptionError({ url: server.url, prefix }, 'prefix');
    }
  });

  it('refuses a shard count out of range', () => {
    for (const shards of [0, -1, 1025, 1.5, Number.NaN, '4']) expectOptionError({ url: server.url, shards }, 'shards');
  });

  it('needs exactly one of client and url', () => {
    expectOptionError({}, 'client');
    expectOptionError({ url: server.url, client: new Redis({ lazyConnect: true }) }, 'client');
    expectOptionError({ url: 'http://example.com' }, 'url');
    for (const lone of ['\ud800', '\udc00']) expectOptionError({ url: `${server.url}/0?name=a${lone}` }, 'url');
    expectOptionError({ client: {} }, 'client');
    expectOptionError({ client: new Redis({ lazyConnect: true, keyPrefix: 'app:' }) }, 'keyPrefix');
    expectOptionError(undefined, 'options');
  });

  it('refuses unknown options, bad time bounds and bad cache sizes', () => {
    expectOptionError({ url: server.url, shard: 4 }, 'shard');
    expectOptionError({ url: server.url, commandTimeoutMs: 0 }, 'commandTimeoutMs');
    expectOptionError({ url: server.url, connectTimeoutMs: 'soon' }, 'connectTimeoutMs');
    expectOptionError({ url: server.url, subscriptionCacheSize: -1 }, 'subscriptionCacheSize');
    expectOptionError({ url: server.url, subscriptionCacheSize: 2.5 }, 'subscriptionCacheSize');
    expectOptionError({ url: server.url, subscriptionCacheSize: 1e9 }, 'subscriptionCacheSize');
    expectOptionError({ url: server.url, crossShardScripts: 'yes' }, 'crossShardScripts');
    expectOptionError({ url: server.url, crossShardScripts: 1 }, 'crossShardScripts');
  });
});

describe('the shard count of a keyspace', () => {
  it('is recorded when the keyspace is created and refused when another count is asked for, naming both', async () => {
    const first = await open({ url: server.url, prefix: 'fixed', shards: 4 });
    await first.saveNotification({ notification: sampleNotification({ userId: 'alice' }), deliveries: [], now: Date.now() });
    const refused = createRedisStore({ url: server.url, prefix: 'fixed', shards: 8 });
    await expect(refused).rejects.toBeInstanceOf(HeraldError);
    await expect(refused).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(refused).rejects.toThrow(/created with 4 shards, but option shards is 8/);
  });

  it('is taken from the keyspace when not given, so every process finds the same users', async () => {
    const writer = await open({ url: server.url, prefix: 'recorded', shards: 5 });
    const now = Date.now();
    const { notification } = await writer.saveNotification({ notification: sampleNotification({ userId: 'bob' }, now), deliveries: [], now });
    const reader = await open({ url: server.url, prefix: 'recorded' });
    expect(await reader.getNotification('bob', notification.id, now)).toEqual(notification);
  });

  it('defaults to 16 for a new keyspace', async () => {
    await open({ url: server.url, prefix: 'default-count' });
    const admin = new Redis(server.url);
    expect(await admin.hget('default-count:meta', 'shards')).toBe('16');
    await admin.quit();
  });

  it('refuses a keyspace written by a newer format', async () => {
    const admin = new Redis(server.url);
    await admin.hset('newer:meta', 'shards', '4', 'format', '99');
    await admin.quit();
    await expect(createRedisStore({ url: server.url, prefix: 'newer' })).rejects.toMatchObject({ code: 'STORE_VERSION_MISMATCH' });
  });
});

describe('connecting', () => {
  it('fails with STORE_UNAVAILABLE within connectTimeoutMs when nothing listens', async () => {
    const started = Date.now();
    const nowhere = `redis://127.0.0.1:${server.port === 1 ? 2 : 1}`;
    await expect(createRedisStore({ url: nowhere, connectTimeoutMs: 500 })).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    // The default bound is 10 s: anything well under it shows the option was used; 8 s of
    // room over the 500 ms asked for leaves a loaded machine no way to fail this alone.
    expect(Date.now() - started, 'the failure comes within the connect bound, not the 10 s default').toBeLessThan(8_000);
  });

  it('leaves a client passed in open when it closes, and closes one it created', async () => {
    const admin = new Redis(server.url);
    const connections = async (): Promise<number> => ((await admin.client('LIST')) as string).trim().split('\n').length;
    const before = await connections();
    const client = new Redis(server.url);
    const lent = await createRedisStore({ client, prefix: 'lent' });
    const own = await createRedisStore({ url: server.url, prefix: 'own' });
    own.onWake?.(() => undefined); // opens the wake-up subscription's connection too
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await connections(), 'the lent client, the own client and its subscriber').toBe(before + 3);
    await Promise.all([lent.close(), own.close()]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await connections(), 'closing the store closed its own connections, not the lent one').toBe(before + 1);
    expect(await client.ping(), 'the lent client still works').toBe('PONG');
    await client.quit();
    await admin.quit();
  });
});
