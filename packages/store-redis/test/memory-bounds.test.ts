/**
 * Redis memory does not grow without bound: once notifications expire and the purge has
 * run (tombstones included), nothing of them is left but the user's sequence; idempotency
 * keys carry a TTL.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ClaimedDelivery, NotificationStore } from '@herald/core';
import { sampleDeliveries, sampleNotification, sampleSubscription, sampleTime } from '@herald/testing';
import { createRedisStore } from '../src/index.js';
import { startRedisServer, type RedisServer } from './redis-server.js';

let server: RedisServer;
let admin: Redis;
let store: NotificationStore;

beforeAll(async () => {
  server = await startRedisServer();
  admin = new Redis(server.url);
  store = await createRedisStore({ url: server.url, prefix: 'bounds', shards: 4 });
});

afterAll(async () => {
  await store?.close();
  await admin?.quit();
  await server?.destroy();
});

async function keys(): Promise<string[]> {
  return (await admin.keys('*')).sort();
}

it('leaves only the users’ sequences once everything expired and was purged', async () => {
  const now = sampleTime;
  const expiresAt = now + 60_000;
  const users = ['alice', 'bob', 'user:with:colons', '{braced}'];
  const subscription = await store.createSubscription(sampleSubscription({ userId: 'alice', expiresAt }, now), now);
  for (const [index, userId] of users.entries()) {
    for (let n = 0; n < 5; n += 1) {
      await store.saveNotification({
        notification: sampleNotification({ userId, appNotificationId: `n${n}`, groupName: `g${n % 2}`, expirationDateTime: new Date(expiresAt).toISOString() }, now),
        deliveries: userId === 'alice' ? sampleDeliveries([subscription], { nextAttemptAt: now }) : sampleDeliveries(2, { nextAttemptAt: now }),
        idempotency: { key: `k${index}-${n}`, fingerprint: 'f', expiresAt: now + 1_000 },
        now,
      });
    }
  }
  // Some deliveries end delivered, some dead, some stay open under a lease.
  const claims = await store.claimDeliveries({ owner: 'me', now, leaseMs: 30_000, limit: 20 });
  for (const [index, claim] of claims.entries()) {
    const ref = { userId: claim.delivery.userId, deliveryId: claim.delivery.id, token: (claim as ClaimedDelivery).delivery.lease.token };
    if (index % 3 === 0) await store.completeDelivery(ref, { status: 'delivered' }, now);
    else if (index % 3 === 1) await store.completeDelivery(ref, { status: 'dead', error: { code: 'X', message: 'refused' } }, now);
  }
  await store.deleteNotification('bob', (await store.listFeed('bob', { limit: 1 }, now)).items[0]?.id ?? '', now + 1);

  const idempotencyKey = (await keys()).find((key) => key.includes(':idem:'));
  expect(idempotencyKey, 'idempotency keys are stored').toBeDefined();
  const ttl = await admin.pttl(idempotencyKey as string);
  expect(ttl, 'an idempotency key expires by itself: its lifetime (1 s) plus one minute').toBeGreaterThan(0);
  expect(ttl).toBeLessThanOrEqual(61_000);

  const after = expiresAt + 1;
  let result = await store.purgeExpired({ now: after, tombstonesBefore: after + 1, limit: 7 });
  let purged = result.notifications;
  while (result.more) {
    result = await store.purgeExpired({ now: after, tombstonesBefore: after + 1, limit: 7 });
    purged += result.notifications;
  }
  expect(purged, 'every notification but the deleted one was purged').toBe(users.length * 5 - 1);
  // The tombstones the purge itself left go with the next one.
  await store.purgeExpired({ now: after + 2, tombstonesBefore: after + 2, limit: 100 });
  await admin.del(...(await keys()).filter((key) => key.includes(':idem:'))); // what the TTLs do by themselves

  const left = (await keys()).filter((key) => key !== 'bounds:meta');
  const userKeys = left.filter((key) => key.includes(':user:'));
  const subscriptionKeys = left.filter((key) => key.includes(':sub'));
  expect(userKeys, 'one small hash per user remains: the sequence, so cursors never go back').toHaveLength(users.length);
  expect(subscriptionKeys, 'the subscription stays, inactive (expired), as in every store: its hash and its user’s list').toHaveLength(2);
  expect(subscriptionKeys.some((key) => key.endsWith(`:sub:${subscription.id}`))).toBe(true);
  expect(left.filter((key) => !userKeys.includes(key) && !subscriptionKeys.includes(key)), 'nothing else is left').toEqual([]);
  expect((await store.getSubscription(subscription.id))?.status).toBe('inactive');
  for (const userId of users) {
    expect((await store.listChanges(userId, 0, 10, after + 2)).cursor, 'the sequence survives the purge').toBeGreaterThan(0);
  }
});
