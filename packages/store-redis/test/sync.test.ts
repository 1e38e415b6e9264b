/**
 * Sync deliveries on Redis: a state change's syncs are planned from the subscriptions this
 * instance knows, and the script refuses a stale list (another instance changed them), so
 * they are planned again and follow the subscriptions as they stand at the write.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StoredNotification, type StoredSubscription } from '@herald/core';
import { newId, type NewDelivery, type SyncPlan } from '@herald/core/store';
import { sampleNotification, sampleSubscription, sampleTime } from '@herald/testing';
import { createRedisStore, type RedisStore } from '../src/index.js';
import { startRedisServer, type RedisServer } from './redis-server.js';

let server: RedisServer;
const stores: RedisStore[] = [];

beforeAll(async () => {
  server = await startRedisServer();
});

afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
  await server?.destroy();
});

async function pair(prefix: string): Promise<[RedisStore, RedisStore]> {
  const a = await createRedisStore({ url: server.url, prefix });
  const b = await createRedisStore({ url: server.url, prefix });
  stores.push(a, b);
  return [a, b];
}

const t0 = sampleTime;

/** Syncs every subscription; records what each call saw. */
function planAll(seen: Array<{ subscriptions: string[]; notification: StoredNotification }>): SyncPlan {
  return (subscriptions: readonly StoredSubscription[], notification: StoredNotification): NewDelivery[] => {
    seen.push({ subscriptions: subscriptions.map((subscription) => subscription.id), notification });
    return subscriptions.map((subscription) => ({ id: newId(), subscriptionId: subscription.id, transport: subscription.transport, platformType: subscription.platformType, kind: 'sync', nextAttemptAt: t0 }));
  };
}

describe('sync deliveries on Redis', () => {
  it('plans again when another instance changed the subscriptions since this one read them', async () => {
    const [a, b] = await pair(`sync-stale-${newId()}`);
    const phone = await a.createSubscription(sampleSubscription({ userId: 'alice', platformType: 'android' }, t0), t0);
    await a.listSubscriptions('alice'); // A now knows alice's subscriptions
    const { notification } = await a.saveNotification({ notification: sampleNotification({ userId: 'alice' }, t0), deliveries: [], now: t0 });
    const laptop = await b.createSubscription(sampleSubscription({ userId: 'alice', platformType: 'windows' }, t0), t0);
    const seen: Array<{ subscriptions: string[]; notification: StoredNotification }> = [];
    await a.updateNotificationState('alice', notification.id, { readState: 'read' }, t0 + 1, planAll(seen));
    expect(seen.map((call) => call.subscriptions), 'planned from what A knew, refused as stale, planned again from what is stored').toEqual([[phone.id], [phone.id, laptop.id]]);
    expect(seen.at(-1)?.notification.readState, 'the plan gets the notification as changed').toBe('read');
    const syncs = (await a.listDeliveries('alice', notification.id)).filter((delivery) => delivery.kind === 'sync');
    expect(syncs.map((delivery) => delivery.subscriptionId).sort()).toEqual([phone.id, laptop.id].sort());
  });
});
