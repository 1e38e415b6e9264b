/**
 * Group commit of sends: sends of one shard made in the same turn go out as one script
 * call, and each keeps its own result. A batch holding a member of every kind — created,
 * updated, replayed, re-planned after a stale subscription version, refused for a taken
 * id, refused for a number Redis would not store — applies every accepted member exactly
 * once and leaves no trace of a refused one. The script's own guards are checked by
 * calling it directly with arguments the TypeScript side would never send.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { newId, type DeliveryPlan, type NotificationStore, type SaveResult } from '@herald/core/store';
import { sampleNotification, sampleSubscription } from '@herald/testing';
import { createRedisStore, type RedisStore } from '../src/index.js';
import { scripts } from '../src/scripts/index.js';
import { startRedisServer, type RedisServer } from './redis-server.js';

let server: RedisServer;
let admin: Redis;
const opened: RedisStore[] = [];

beforeAll(async () => {
  server = await startRedisServer();
  admin = new Redis(server.url);
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
  await admin.flushall();
});

afterAll(async () => {
  admin?.disconnect();
  await server?.destroy();
});

async function open(shards: number): Promise<RedisStore> {
  const store = await createRedisStore({ url: server.url, prefix: 'batch', shards });
  opened.push(store);
  return store;
}

/** One delivery per subscription, due at `now`. */
const everyEndpoint = (now: number): DeliveryPlan => ({ subscriptions }) => ({
  deliveries: subscriptions.map((subscription) => ({ id: newId(), subscriptionId: subscription.id, transport: subscription.transport, platformType: subscription.platformType, kind: 'notification', nextAttemptAt: now })),
});

/** Script calls the server has run so far. */
async function scriptCalls(): Promise<number> {
  return Number(/cmdstat_evalsha:calls=(\d+)/.exec(await admin.info('commandstats'))?.[1] ?? 0);
}

/** What a member of the batch is and what it must come to. */
interface Member {
  readonly kind: string;
  readonly send: (store: NotificationStore, now: number) => Promise<SaveResult>;
  readonly expect: (outcome: PromiseSettledResult<SaveResult>) => void;
}

describe('a batch of sends with a member of every kind', () => {
  it('answers each member on its own, in one script call, and applies the accepted ones exactly once', async () => {
    const now = Date.now();
    const store = await open(1);
    const other = await createRedisStore({ url: server.url, prefix: 'batch' });
    opened.push(other);
    for (const userId of ['alice', 'bob', 'carol', 'dave']) await store.createSubscription(sampleSubscription({ userId }, now), now);
    const idempotency = { key: 'k1', fingerprint: 'f1', expiresAt: now + 60_000 };
    const first = await store.saveNotification({ notification: sampleNotification({ userId: 'alice', appNotificationId: 'kept' }, now), deliveries: everyEndpoint(now), now });
    const keyed = await store.saveNotification({ notification: sampleNotification({ userId: 'bob', appNotificationId: 'keyed' }, now), deliveries: everyEndpoint(now), idempotency, now });
    // Every user's subscriptions are in this instance's cache now; carol's change through
    // another instance makes hers stale.
    await store.saveNotification({ notification: sampleNotification({ userId: 'carol', appNotificationId: 'warm' }, now), deliveries: [], now });
    await store.saveNotification({ notification: sampleNotification({ userId: 'dave', appNotificationId: 'warm' }, now), deliveries: [], now });
    await other.createSubscription(sampleSubscription({ userId: 'carol', platformType: 'ios' }, now), now);
    const takenId = first.deliveries[0]?.id ?? '';

    const members: Member[] = [
      {
        kind: 'created',
        send: (s, t) => s.saveNotification({ notification: sampleNotification({ userId: 'alice', appNotificationId: 'new' }, t), deliveries: everyEndpoint(t), now: t }),
        expect: (outcome) => expect(outcome).toMatchObject({ status: 'fulfilled', value: { created: true, deliveries: [expect.anything()] } }),
      },
      {
        kind: 'updated',
        send: (s, t) => s.saveNotification({ notification: sampleNotification({ userId: 'alice', appNotificationId: 'kept' }, t), deliveries: everyEndpoint(t), now: t }),
        expect: (outcome) => expect(outcome).toMatchObject({ status: 'fulfilled', value: { created: false, notification: { id: first.notification.id } } }),
      },
      {
        kind: 'replay',
        send: (s, t) => s.saveNotification({ notification: sampleNotification({ userId: 'bob', appNotificationId: 'keyed' }, t), deliveries: everyEndpoint(t), idempotency, now: t }),
        expect: (outcome) => expect(outcome).toMatchObject({ status: 'fulfilled', value: { replay: { fingerprint: 'f1' }, deliveries: [], notification: { id: keyed.notification.id } } }),
      },
      {
        kind: 'stale subscription version (planned again, alone)',
        send: (s, t) => s.saveNotification({ notification: sampleNotification({ userId: 'carol', appNotificationId: 'replanned' }, t), deliveries: everyEndpoint(t), now: t }),
        expect: (outcome) => expect(outcome).toMatchObject({ status: 'fulfilled', value: { created: true, deliveries: [expect.anything(), expect.anything()] } }),
      },
      {
        kind: 'taken delivery id',
        send: (s, t) => s.saveNotification({ notification: sampleNotification({ userId: 'alice', appNotificationId: 'taken' }, t), deliveries: [{ id: takenId, subscriptionId: 'x', transport: 'console', platformType: 'windows', kind: 'notification', nextAttemptAt: t }], now: t }),
        expect: (outcome) => expect(outcome).toMatchObject({ status: 'rejected', reason: { code: 'INVALID_ARGUMENT', message: expect.stringContaining('already taken') } }),
      },
      {
        kind: 'nextAttemptAt that is no number',
        send: (s, t) => s.saveNotification({ notification: sampleNotification({ userId: 'dave', appNotificationId: 'nan' }, t), deliveries: [{ id: newId(), subscriptionId: 'x', transport: 'console', platformType: 'windows', kind: 'notification', nextAttemptAt: Number.NaN }], now: t }),
        expect: (outcome) => expect(outcome).toMatchObject({ status: 'rejected', reason: { code: 'INVALID_ARGUMENT', message: expect.stringContaining('nextAttemptAt') } }),
      },
      {
        kind: 'created after the refused ones',
        send: (s, t) => s.saveNotification({ notification: sampleNotification({ userId: 'dave', appNotificationId: 'last' }, t), deliveries: everyEndpoint(t), now: t }),
        expect: (outcome) => expect(outcome).toMatchObject({ status: 'fulfilled', value: { created: true, deliveries: [expect.anything()] } }),
      },
    ];

    const before = await scriptCalls();
    const t = now + 1;
    const outcomes = await Promise.allSettled(members.map((member) => member.send(store, t)));
    // One call for the batch, one more for carol's send planned again.
    expect(await scriptCalls(), 'script calls for the batch').toBe(before + 2);
    members.forEach((member, index) => {
      const outcome = outcomes[index] as PromiseSettledResult<SaveResult>;
      expect(() => member.expect(outcome), member.kind).not.toThrow();
    });

    const feed = async (userId: string) => (await store.listFeed(userId, { limit: 50 }, t)).items.map((item) => item.appNotificationId).sort();
    expect(await feed('alice'), 'the refused send left no notification').toEqual(['kept', 'new']);
    expect(await feed('bob')).toEqual(['keyed']);
    expect(await feed('carol')).toEqual(['replanned', 'warm']);
    expect(await feed('dave'), 'the refused sends left no notification').toEqual(['last', 'warm']);
    // Each accepted send's deliveries exist once; the superseded ones of 'kept' are cancelled.
    const kept = await store.listDeliveries('alice', first.notification.id);
    expect(kept.map((delivery) => delivery.status)).toEqual(['cancelled', 'pending']);
    const claimed = await store.claimDeliveries({ owner: 'test', now: t, leaseMs: 1000, limit: 100 });
    expect(claimed.map((claim) => `${claim.delivery.userId}:${claim.notification?.appNotificationId}`).sort()).toEqual(['alice:kept', 'alice:new', 'bob:keyed', 'carol:replanned', 'carol:replanned', 'dave:last']);
  });
});

describe('the save script, called directly', () => {
  const user = (id: string, t: number, fields: { now?: string; expiry?: string; next?: string; keyExpiry?: string } = {}) => [
    id, fields.now ?? t, new Date(t).toISOString(), newId(), 'app.example', `n-${id}`, '', '0', '{"payload":{}}', fields.expiry ?? t + 60_000,
    fields.keyExpiry === undefined ? '0' : '1', 'key', 'fp', fields.keyExpiry ?? '', 60_000, '0', '', 1, '',
    newId(), 'sub', 'console', 'windows', 'notification', fields.next ?? t,
  ];

  it.each([
    { kind: 'now', fields: { now: 'nan' }, what: 'now' },
    { kind: 'expiry', fields: { expiry: 'nan' }, what: 'expiry' },
    { kind: 'nextAttemptAt', fields: { next: 'soon' }, what: 'nextAttemptAt' },
    { kind: 'idempotency expiry', fields: { keyExpiry: 'later' }, what: 'idempotency expiry' },
  ])('refuses a member whose $kind is no number before it writes, and saves the others once', async ({ fields, what }) => {
    const store = await open(1);
    const t = Date.now();
    const route = `{batch:s0}:due`;
    const reply = (await admin.eval(scripts.saveNotifications.source, 1, route, '{batch:s0}', 3, ...user('u1', t), ...user('u2', t, fields), ...user('u3', t))) as unknown[];
    expect(reply.map((member) => (member as unknown[])[0])).toEqual(['saved', 'invalid', 'saved']);
    expect((reply[1] as unknown[])[1]).toBe(what);
    for (const [userId, count] of [['u1', 1], ['u2', 0], ['u3', 1]] as const) {
      expect((await store.listFeed(userId, { limit: 10 }, t)).items, userId).toHaveLength(count);
    }
    expect(await admin.keys('{batch:s0}:*:2:u2*'), 'no key of the refused member').toEqual([]);
    expect(await admin.zcard('{batch:s0}:due')).toBe(2);
  });
});
