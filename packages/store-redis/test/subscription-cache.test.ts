/**
 * Each instance caches the subscriptions of users it sends to, so a send is one round
 * trip; the save script checks the version they were read at. These tests change a
 * user's subscriptions through another instance, which the caching one hears nothing
 * about, and check that its next send follows the change all the same — and that a send
 * with a warm cache really is one script call.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotificationService, type NotificationService, type SubscriptionRequest, type Transport } from '@herald/core';
import { newId, type DeliveryPlan } from '@herald/core/store';
import { sampleNotification, sampleRequest } from '@herald/testing';
import { createRedisStore } from '../src/index.js';
import { SubscriptionCache } from '../src/subscription-cache.js';
import { startRedisServer, type RedisServer } from './redis-server.js';

let server: RedisServer;
let admin: Redis;
const services: NotificationService[] = [];

beforeAll(async () => {
  server = await startRedisServer();
  admin = new Redis(server.url);
});

afterAll(async () => {
  await Promise.all(services.map((service) => service.close()));
  admin?.disconnect();
  await server?.destroy();
});

/** Registered so subscriptions can name it; nothing is dispatched in these tests. */
const push: Transport = { name: 'push', send: async () => undefined };

/** Two services on one keyspace, neither dispatching: A sends, B changes subscriptions. */
async function pair(prefix: string, subscriptionCacheSize?: number): Promise<{ a: NotificationService; b: NotificationService }> {
  const options = { transports: [push], dispatcher: { autoStart: false } };
  const a = createNotificationService({ store: await createRedisStore({ url: server.url, prefix, subscriptionCacheSize }), ...options });
  const b = createNotificationService({ store: await createRedisStore({ url: server.url, prefix }), ...options });
  services.push(a, b);
  return { a, b };
}

function endpoint(platformType: SubscriptionRequest['platformType']): SubscriptionRequest {
  return { targetHostName: 'graphnotifications.sample.windows.com', platformType, transport: 'push', address: `device-${platformType}` };
}

let sent = 0;
async function subscriptionsServed(service: NotificationService, userId: string): Promise<string[]> {
  const result = await service.send(sampleRequest({ appNotificationId: `n-${(sent += 1)}` }, Date.now()), { userId });
  return result.deliveries.map((delivery) => delivery.subscriptionId).sort();
}

/** Script calls Redis has served so far (`EVALSHA` and `EVAL`). */
async function scriptCalls(): Promise<number> {
  const stats = await admin.info('commandstats');
  let calls = 0;
  for (const match of stats.matchAll(/^cmdstat_(?:evalsha|eval):calls=(\d+)/gm)) calls += Number(match[1]);
  return calls;
}

describe.each([
  ['a cache', undefined],
  ['no cache (subscriptionCacheSize: 0)', 0],
])('with %s', (_, size) => {
  it('a send follows subscriptions created, deactivated and deleted through another instance', async () => {
    const { a, b } = await pair(`cache-${size ?? 'default'}`, size);
    const windows = await b.subscriptions.create('alice', endpoint('windows'));
    expect(await subscriptionsServed(a, 'alice')).toEqual([windows.id]);

    const ios = await b.subscriptions.create('alice', endpoint('ios'));
    expect(await subscriptionsServed(a, 'alice'), 'a subscription created elsewhere is served at once').toEqual([windows.id, ios.id].sort());

    await b.subscriptions.deactivate(ios.id, 'the device was reset');
    expect(await subscriptionsServed(a, 'alice'), 'a subscription deactivated elsewhere is not').toEqual([windows.id]);

    await b.subscriptions.delete(windows.id);
    expect(await subscriptionsServed(a, 'alice'), 'nor one deleted elsewhere').toEqual([]);

    const android = await b.subscriptions.create('alice', endpoint('android'));
    expect(await subscriptionsServed(a, 'alice')).toEqual([android.id]);
  });

  it('a send follows preferences set through another instance, as it follows subscriptions', async () => {
    const { a, b } = await pair(`cache-preferences-${size ?? 'default'}`, size);
    const windows = await b.subscriptions.create('carol', endpoint('windows'));
    const ios = await b.subscriptions.create('carol', endpoint('ios'));
    expect(await subscriptionsServed(a, 'carol'), 'A now holds carol without preferences').toEqual([windows.id, ios.id].sort());

    await b.preferences.set('carol', { platforms: { ios: 'optOut' } });
    expect(await subscriptionsServed(a, 'carol'), 'an opt-out set elsewhere is followed at once').toEqual([windows.id]);

    await b.preferences.set('carol', { default: 'optOut', subscriptions: { [ios.id]: 'optIn' } });
    expect(await subscriptionsServed(a, 'carol'), 'and so is its replacement').toEqual([ios.id]);
    expect(await a.preferences.get('carol')).toEqual({ default: 'optOut', subscriptions: { [ios.id]: 'optIn' } });
  });
});

it('sends with one script call once the user’s subscriptions are known, and with two before', async () => {
  const { a, b } = await pair('cache-calls');
  await b.subscriptions.create('bob', endpoint('windows'));
  await b.subscriptions.create('bob', endpoint('ios'));

  let before = await scriptCalls();
  await subscriptionsServed(a, 'bob');
  expect((await scriptCalls()) - before, 'the first send reads the subscriptions, then saves').toBe(2);

  before = await scriptCalls();
  await subscriptionsServed(a, 'bob');
  expect((await scriptCalls()) - before, 'later sends only save').toBe(1);

  await b.subscriptions.create('bob', endpoint('android'));
  before = await scriptCalls();
  expect(await subscriptionsServed(a, 'bob')).toHaveLength(3);
  expect((await scriptCalls()) - before, 'a stale list costs one refused save, which brings the current list').toBe(2);
});

describe('SubscriptionCache', () => {
  const known = (version: string) => ({ version, subscriptions: [], preferences: undefined });

  it('holds at most its capacity, forgetting the least recently used user first', () => {
    const cache = new SubscriptionCache(2);
    cache.set('alice', known('a1'));
    cache.set('bob', known('b1'));
    expect(cache.get('alice')?.version).toBe('a1'); // alice is now the most recently used
    cache.set('carol', known('c1'));
    expect(cache.size).toBe(2);
    expect(cache.get('bob'), 'bob was used least recently').toBeUndefined();
    expect(cache.get('alice')?.version).toBe('a1');
    cache.set('alice', known('a2'));
    expect(cache.get('alice')?.version, 'a newer read replaces the older').toBe('a2');
    cache.forget('alice');
    expect(cache.get('alice')).toBeUndefined();
  });

  it('holds nothing with capacity 0', () => {
    const cache = new SubscriptionCache(0);
    cache.set('alice', known('a1'));
    expect(cache.size).toBe(0);
  });
});

it('gives up with STORE_UNAVAILABLE, saving nothing, when the subscriptions change during every try', async () => {
  // The store's own connection carries the change, so it reaches Redis between each plan
  // and its save, every time.
  const client = new Redis(server.url);
  const store = await createRedisStore({ client, prefix: 'cache-churn' });
  try {
    await store.createSubscription({ userId: 'carol', targetHostName: 'graphnotifications.sample.windows.com', platformType: 'windows', transport: 'push', address: 'device-windows', expiresAt: Date.now() + 60_000 }, Date.now());
    const [userKey] = await admin.keys('{cache-churn:*}:user:5:carol');
    if (userKey === undefined) throw new Error('the user hash was not found');
    let plans = 0;
    const plan: DeliveryPlan = ({ subscriptions }) => {
      plans += 1;
      void client.hset(userKey, 'sv', `changed-${plans}`);
      return { deliveries: subscriptions.map((subscription) => ({ id: newId(), subscriptionId: subscription.id, transport: 'push', platformType: subscription.platformType, kind: 'notification', nextAttemptAt: Date.now() })) };
    };
    const notification = { ...sampleNotification({ userId: 'carol' }), id: newId() };
    await expect(store.saveNotification({ notification, deliveries: plan, now: Date.now() })).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', message: expect.stringContaining('changed during each of 8 tries') });
    expect(plans, 'one plan per try').toBe(8);
    expect(await store.getNotification('carol', notification.id, Date.now()), 'nothing was saved').toBeUndefined();
  } finally {
    await store.close();
    client.disconnect();
  }
});
