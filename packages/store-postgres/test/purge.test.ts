/**
 * The purge in bounded batches: each call removes at most `limit` of each kind — expired
 * notifications (with their deliveries, leaving tombstones), old tombstones (with a
 * deletion's syncs), expired idempotency keys and expired subscriptions — says `more`
 * while a batch was full, and a loop of calls leaves nothing behind.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { NotificationStore, PurgeResult } from '@herald/core/store';
import { sampleDeliveries, sampleNotification, sampleSubscription } from '@herald/testing';
import { startPostgresServer, type PostgresServer } from './postgres-server.js';
import { schemaStores } from './schema-stores.js';

const t0 = Date.parse('2026-01-01T00:00:00.000Z');
const expiresAt = t0 + 1_000;
let server: PostgresServer;

beforeAll(async () => {
  server = await startPostgresServer();
});

afterAll(async () => {
  await server?.stop();
});

const stores = schemaStores(() => server.connectionString, 'purge');

/** Calls purgeExpired until it says no more; returns every result. */
async function purgeAll(store: NotificationStore, request: { now: number; tombstonesBefore: number; limit: number }): Promise<PurgeResult[]> {
  const results: PurgeResult[] = [];
  for (let calls = 0; calls < 50; calls++) {
    const result = await store.purgeExpired(request);
    results.push(result);
    if (!result.more) break;
  }
  return results;
}

it('purges expired notifications, idempotency keys and subscriptions at most `limit` at a time', async () => {
  const store = await stores.createStore();
  try {
    const users = ['alice', 'bob', 'carol'];
    for (let n = 0; n < 25; n++) {
      const userId = users[n % users.length] as string;
      await store.saveNotification({
        notification: sampleNotification({ userId, appNotificationId: `n${n}`, expirationDateTime: new Date(expiresAt).toISOString() }, t0),
        deliveries: sampleDeliveries(2, { nextAttemptAt: t0 }),
        idempotency: { key: `k${n}`, fingerprint: 'f', expiresAt },
        now: t0,
      });
    }
    for (let n = 0; n < 12; n++) await store.createSubscription(sampleSubscription({ userId: users[n % users.length] as string, expiresAt }, t0), t0);
    const results = await purgeAll(store, { now: expiresAt, tombstonesBefore: t0, limit: 10 });
    expect(results.map((result) => [result.notifications, result.subscriptions.length, result.more])).toEqual([
      [10, 10, true],
      [10, 2, true],
      [5, 0, false],
    ]);
    for (const userId of users) {
      expect((await store.listFeed(userId, { limit: 100 }, expiresAt)).items, `${userId}'s expired notifications are gone`).toEqual([]);
      const changes = await store.listChanges(userId, 1, 100, expiresAt);
      expect(changes.changes.every((change) => change.type === 'deleted'), 'each left a tombstone').toBe(true);
    }
    expect(await store.claimDeliveries({ owner: 'o', now: expiresAt, leaseMs: 1_000, limit: 100 }), 'their deliveries went with them').toEqual([]);
    expect(await store.nextDueAt()).toBeUndefined();
    const again = await store.saveNotification({
      notification: sampleNotification({ userId: 'alice', appNotificationId: 'again' }, expiresAt),
      deliveries: [],
      idempotency: { key: 'k0', fingerprint: 'g', expiresAt: expiresAt + 1_000 },
      now: expiresAt,
    });
    expect(again.replay, 'the expired idempotency keys went too').toBeUndefined();
  } finally {
    await store.close();
    await stores.destroyStore(store);
  }
});

it('purges old tombstones, with a deletion’s syncs, at most `limit` at a time', async () => {
  const store = await stores.createStore();
  try {
    const laptop = await store.createSubscription(sampleSubscription({ userId: 'alice', platformType: 'windows' }, t0), t0);
    for (let n = 0; n < 23; n++) {
      const { notification } = await store.saveNotification({ notification: sampleNotification({ userId: 'alice', appNotificationId: `n${n}` }, t0), deliveries: [], now: t0 });
      await store.deleteNotification('alice', notification.id, t0 + 1, () => sampleDeliveries([laptop], { nextAttemptAt: t0 + 1, kind: 'sync' }));
    }
    expect(await store.claimDeliveries({ owner: 'o', now: t0 + 1, leaseMs: 1, limit: 1 }), 'the deletions’ syncs wait').toHaveLength(1);
    const results = await purgeAll(store, { now: t0 + 2, tombstonesBefore: t0 + 2, limit: 10 });
    expect(results.map((result) => result.more)).toEqual([true, true, false]);
    await expect(store.listChanges('alice', 1, 100, t0 + 2), 'a cursor before the purged tombstones is refused').rejects.toMatchObject({ code: 'CURSOR_EXPIRED' });
    expect(await store.nextDueAt(), 'the syncs went with their tombstones').toBeUndefined();
  } finally {
    await store.close();
    await stores.destroyStore(store);
  }
});
