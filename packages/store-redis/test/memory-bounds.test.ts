/**
 * Redis memory is bounded by live data: once notifications expire and the purge has run
 * (tombstones included), a user with nothing left keeps no key (their sequence lives on in
 * one key per shard, so old cursors stay refused); idempotency keys carry a TTL.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { NotificationStore } from '@herald/core';
import type { ClaimedDelivery } from '@herald/core/store';
import { sampleDeliveries, sampleNotification, sampleSubscription, sampleTime } from '@herald/testing';
import fc from 'fast-check';
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

it('leaves no key of a user with nothing left once everything expired and was purged', async () => {
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
  const cursors = new Map<string, number>();
  for (const userId of users) cursors.set(userId, (await store.listChanges(userId, 0, 100, now + 1)).cursor);

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
  const retiredKeys = left.filter((key) => key.endsWith(':retired-seq'));
  expect(userKeys, 'only alice, whose (expired) subscription stays, keeps her user hash').toEqual([expect.stringContaining(':user:5:alice')]);
  expect(subscriptionKeys, 'the subscription stays, inactive (expired), as in every store: its hash and its user’s list').toHaveLength(2);
  expect(subscriptionKeys.some((key) => key.endsWith(`:sub:${subscription.id}`))).toBe(true);
  expect(retiredKeys.length, 'one retired sequence per shard that forgot a user').toBeGreaterThan(0);
  expect(left.filter((key) => !userKeys.includes(key) && !subscriptionKeys.includes(key) && !retiredKeys.includes(key)), 'nothing else is left').toEqual([]);
  expect((await store.getSubscription(subscription.id))?.status).toBe('inactive');
  for (const userId of users.filter((user) => user !== 'alice')) {
    const before = cursors.get(userId) as number;
    await expect(store.listChanges(userId, before, 10, after + 2), 'a cursor of a forgotten user is refused, never misread').rejects.toMatchObject({ code: 'CURSOR_EXPIRED' });
    const back = await store.saveNotification({ notification: sampleNotification({ userId, appNotificationId: 'back' }, after + 3), deliveries: [], now: after + 3 });
    expect(back.notification.sequence, 'a user who comes back goes on past every sequence they had').toBeGreaterThan(before);
    await expect(store.listChanges(userId, before, 10, after + 3), 'and the old cursor stays refused').rejects.toMatchObject({ code: 'CURSOR_EXPIRED' });
  }
});

it('keeps no key of any user once random workloads on many users expired and were purged (fast-check)', async () => {
  const step = fc.oneof(
    fc.record({ kind: fc.constant('send' as const), user: fc.nat(30), app: fc.nat(2), lifeMs: fc.integer({ min: 1, max: 100_000 }), deliveries: fc.nat(2), keyed: fc.boolean() }),
    fc.record({ kind: fc.constant('subscribe' as const), user: fc.nat(30) }),
    fc.record({ kind: fc.constant('unsubscribe' as const), pick: fc.nat() }),
    fc.record({ kind: fc.constant('claim' as const), outcome: fc.constantFrom('delivered', 'failed', 'dead', 'held') }),
    fc.record({ kind: fc.constant('delete' as const), user: fc.nat(30), group: fc.boolean() }),
    fc.record({ kind: fc.constant('cancel' as const), user: fc.nat(30) }),
    fc.record({ kind: fc.constant('purge' as const), tombstones: fc.boolean() }),
  );
  let run = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(step, { maxLength: 40 }), async (steps) => {
      const prefix = `prop${(run += 1)}x`;
      const shop = await createRedisStore({ url: server.url, prefix, shards: 3 });
      try {
        let now = sampleTime;
        const subscriptions: string[] = [];
        for (const s of steps) {
          now += 10;
          const userId = `user-${'user' in s ? s.user : 0}`;
          if (s.kind === 'send') {
            await shop.saveNotification({
              notification: sampleNotification({ userId, appNotificationId: `a${s.app}`, groupName: 'g', expirationDateTime: new Date(now + s.lifeMs).toISOString() }, now),
              deliveries: sampleDeliveries(s.deliveries, { nextAttemptAt: now }),
              ...(s.keyed ? { idempotency: { key: `k${now}`, fingerprint: 'f', expiresAt: now + 1 } } : {}),
              now,
            });
          } else if (s.kind === 'subscribe') {
            subscriptions.push((await shop.createSubscription(sampleSubscription({ userId, expiresAt: now + 50_000 }, now), now)).id);
          } else if (s.kind === 'unsubscribe') {
            if (subscriptions.length > 0) await shop.deleteSubscription(subscriptions.splice(s.pick % subscriptions.length, 1)[0] as string, now);
          } else if (s.kind === 'claim') {
            const claims = await shop.claimDeliveries({ owner: 'w', now, leaseMs: 30_000, limit: 5 });
            if (s.outcome !== 'held') {
              for (const { delivery } of claims) {
                const ref = { userId: delivery.userId, deliveryId: delivery.id, token: delivery.lease.token };
                if (s.outcome === 'failed') await shop.completeDelivery(ref, { status: 'failed', nextAttemptAt: now + 100, error: { code: 'X', message: 'busy' } }, now);
                else if (s.outcome === 'dead') await shop.completeDelivery(ref, { status: 'dead', error: { code: 'X', message: 'no' } }, now);
                else await shop.completeDelivery(ref, { status: 'delivered' }, now);
              }
            }
          } else if (s.kind === 'delete') {
            const first = (await shop.listFeed(userId, { limit: 1 }, now)).items[0];
            if (s.group) await shop.deleteGroup(userId, 'g', undefined, now);
            else if (first !== undefined) await shop.deleteNotification(userId, first.id, now);
          } else if (s.kind === 'cancel') {
            const first = (await shop.listFeed(userId, { limit: 1 }, now)).items[0];
            if (first !== undefined) await shop.cancelDeliveries(userId, first.id, 'no', now);
          } else {
            await shop.purgeExpired({ now, tombstonesBefore: s.tombstones ? now : 0, limit: 5 });
          }
        }
        for (const id of subscriptions) await shop.deleteSubscription(id, now);
        const end = now + 200_000;
        for (const at of [end, end + 1]) {
          while ((await shop.purgeExpired({ now: at, tombstonesBefore: at, limit: 50 })).more);
        }
        // Idempotency keys expire by Redis's own clock (their TTL): what it would do by itself.
        const keyed = await scanAll(`*${prefix}*`);
        const idempotency = keyed.filter((key) => key.includes(':idem:'));
        if (idempotency.length > 0) await admin.del(...idempotency);
        const left = (await scanAll(`*${prefix}*`)).filter((key) => key !== `${prefix}:meta` && !key.endsWith(':retired-seq'));
        expect(left, 'no key of any user is left').toEqual([]);
      } finally {
        await shop.close();
      }
    }),
    { numRuns: 25 },
  );
});

/** Every key matching `pattern`, by SCAN. */
async function scanAll(pattern: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await admin.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    found.push(...batch);
  } while (cursor !== '0');
  return found.sort();
}
