/**
 * The Redis store's Lua and the memory store (which records with core's
 * `delivery-transitions.ts`) record identical outcomes for the same events: random
 * sequences of sends (superseding updates among them), claims, completions with every
 * outcome, renewals, cancels, retries of dead deliveries, deletes of notifications and
 * subscriptions, purges and time passing go to both, and after every step their delivery
 * records, ids and tokens mapped, are the same.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import fc from 'fast-check';
import { cancelReasons, newId, type DeliveryOutcome, type DeliveryRecord, type NewDelivery, type NotificationStore } from '@herald/core/store';
import { createMemoryStore } from '@herald/store-memory';
import { sampleNotification, sampleSubscription, sampleTime } from '@herald/testing';
import { createRedisStore } from '../src/index.js';
import { startRedisServer, type RedisServer } from './redis-server.js';

let server: RedisServer;
let runs = 0;
/** What the runs reached, so the property cannot pass by exercising nothing. */
const reached = new Set<string>();

beforeAll(async () => {
  server = await startRedisServer();
});

afterAll(async () => {
  await server?.destroy();
});

const users = ['alice', 'bob'] as const;
const outcomeKinds = ['delivered', 'failed', 'dead', 'expired', 'cancelled'] as const;

const step = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('send' as const),
      user: fc.constantFrom(...users),
      // Few keys, so many sends update (and supersede) an earlier one.
      app: fc.integer({ min: 0, max: 2 }),
      endpoints: fc.uniqueArray(fc.integer({ min: 0, max: 2 }), { maxLength: 3 }),
      dueIn: fc.constantFrom(0, 0, 50, 500),
      expiresIn: fc.constantFrom(300, 100_000),
    }),
  },
  { weight: 7, arbitrary: fc.record({ kind: fc.constant('claim' as const), leaseMs: fc.constantFrom(0, 40, 400, 400) }) },
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('complete' as const), pick: fc.nat(), outcome: fc.constantFrom(...outcomeKinds), retryIn: fc.constantFrom(0, 30, 300) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('renew' as const), pick: fc.nat(), leaseMs: fc.constantFrom(10, 200) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('retry' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deleteNotification' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deleteSubscription' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('purge' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('wait' as const), ms: fc.constantFrom(1, 10, 40, 200, 1_000) }) },
);
type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

/** One store of the pair and what the test maps of it: its subscription ids and lease tokens. */
interface Side {
  readonly store: NotificationStore;
  /** Subscription ids by endpoint (0–2) and user. */
  readonly subscriptions: Map<string, string>;
  /** The test's name for each token the store handed out. */
  readonly tokens: Map<string, string>;
}

/** A lease the test was handed by both stores for one delivery, perhaps long since lost. */
interface KnownLease {
  readonly userId: string;
  readonly deliveryId: string;
  readonly tokens: readonly [memory: string, redis: string];
}

/** A delivery record with what differs by construction mapped to the test's names. */
function normalised(side: Side, record: DeliveryRecord | undefined): unknown {
  if (record === undefined) return undefined;
  const subscription = [...side.subscriptions].find(([, id]) => id === record.subscriptionId)?.[0] ?? `unknown ${record.subscriptionId}`;
  const lease = record.lease === undefined ? undefined : { ...record.lease, token: side.tokens.get(record.lease.token) ?? `unknown ${record.lease.token}` };
  return { ...record, subscriptionId: subscription, ...(lease === undefined ? {} : { lease }) };
}

class Pair {
  now = sampleTime;
  readonly sides: readonly [Side, Side];
  readonly notifications: { userId: string; id: string }[] = [];
  readonly deliveries: { userId: string; id: string }[] = [];
  readonly leases: KnownLease[] = [];
  #tokens = 0;

  constructor(memory: NotificationStore, redis: NotificationStore) {
    this.sides = [memory, redis].map((store) => ({ store, subscriptions: new Map(), tokens: new Map() })) as unknown as [Side, Side];
  }

  /** Calls both stores the same way and expects the same answer (mapped by `map`). */
  async both<T>(call: (side: Side) => Promise<T>, what: string, map: (side: Side, value: T) => unknown = (_side, value) => value): Promise<[T, T]> {
    const [memory, redis] = this.sides;
    const answers = [await call(memory), await call(redis)] as [T, T];
    expect(map(redis, answers[1]), `${what}: redis answers as memory does`).toEqual(map(memory, answers[0]));
    return answers;
  }

  async setUp(): Promise<void> {
    for (const side of this.sides) {
      for (const userId of users) {
        for (let endpoint = 0; endpoint < 3; endpoint += 1) {
          const subscription = await side.store.createSubscription(sampleSubscription({ userId, platformType: 'windows', address: `https://endpoint.example/${endpoint}` }, this.now), this.now);
          side.subscriptions.set(`${userId}/${endpoint}`, subscription.id);
        }
      }
    }
  }

  async apply(s: Step): Promise<void> {
    const { now } = this;
    switch (s.kind) {
      case 'send': {
        const notification = sampleNotification({ userId: s.user, appNotificationId: `app-${s.app}`, expirationDateTime: new Date(now + s.expiresIn).toISOString() }, now);
        const ids = s.endpoints.map(() => newId());
        const deliveriesOf = (side: Side): NewDelivery[] =>
          s.endpoints.map((endpoint, index) => ({
            id: ids[index] as string,
            subscriptionId: side.subscriptions.get(`${s.user}/${endpoint}`) as string,
            transport: 'test',
            platformType: 'windows',
            kind: 'notification',
            nextAttemptAt: now + s.dueIn,
          }));
        const [saved] = await this.both(
          (side) => side.store.saveNotification({ notification, deliveries: deliveriesOf(side), now }),
          'saveNotification',
          (side, result) => ({ created: result.created, id: result.notification.id, deliveries: result.deliveries.map((d) => normalised(side, d)) }),
        );
        if (saved.created || !this.notifications.some((n) => n.id === saved.notification.id)) this.notifications.push({ userId: s.user, id: saved.notification.id });
        for (const id of ids) this.deliveries.push({ userId: s.user, id });
        return;
      }
      case 'claim': {
        const claims = await this.both(
          (side) => side.store.claimDeliveries({ owner: 'worker', now, leaseMs: s.leaseMs, limit: 1_000 }),
          'claimDeliveries',
          (_side, claimed) => claimed.map((claim) => claim.delivery.id).sort(),
        );
        const [memory, redis] = claims.map((claimed) => new Map(claimed.map((claim) => [claim.delivery.id, claim.delivery.lease.token])));
        for (const [deliveryId, memoryToken] of [...(memory ?? [])].sort(([a], [b]) => (a < b ? -1 : 1))) {
          const redisToken = redis?.get(deliveryId) as string;
          const name = `t${(this.#tokens += 1)}`;
          this.sides[0].tokens.set(memoryToken, name);
          this.sides[1].tokens.set(redisToken, name);
          const userId = this.deliveries.find((d) => d.id === deliveryId)?.userId as string;
          this.leases.push({ userId, deliveryId, tokens: [memoryToken, redisToken] });
        }
        return;
      }
      case 'complete':
      case 'renew': {
        // Mostly one of the latest claims (likely still held), now and then an old one.
        const lease = this.leases[s.pick % 4 === 0 ? s.pick % Math.max(1, this.leases.length) : this.leases.length - 1 - (s.pick % 3)];
        if (lease === undefined) return;
        const ref = (side: Side) => ({ userId: lease.userId, deliveryId: lease.deliveryId, token: lease.tokens[side === this.sides[0] ? 0 : 1] });
        if (s.kind === 'renew') {
          await this.both((side) => side.store.renewLease(ref(side), now, s.leaseMs), 'renewLease');
          return;
        }
        const outcome = outcomeOf(s.outcome, now + s.retryIn);
        const [completed] = await this.both((side) => side.store.completeDelivery(ref(side), outcome, now), `completeDelivery (${s.outcome})`);
        reached.add(completed ? `completed: ${s.outcome}` : 'refused a stale token');
        return;
      }
      case 'cancel':
      case 'deleteNotification': {
        const target = this.notifications[s.pick % Math.max(1, this.notifications.length)];
        if (target === undefined) return;
        if (s.kind === 'cancel') await this.both((side) => side.store.cancelDeliveries(target.userId, target.id, 'cancelled by the test', now), 'cancelDeliveries');
        else await this.both((side) => side.store.deleteNotification(target.userId, target.id, now), 'deleteNotification');
        return;
      }
      case 'retry': {
        // Mostly a dead one (what a retry changes), now and then any.
        const dead = (await this.sides[0].store.listDeadDeliveries(1_000, undefined)).items.map(({ userId, id }) => ({ userId, id }));
        const candidates = dead.length > 0 && s.pick % 4 !== 0 ? dead : this.deliveries;
        const target = candidates[s.pick % Math.max(1, candidates.length)];
        if (target === undefined) return;
        const before = await this.sides[0].store.getDelivery(target.userId, target.id);
        const [after] = await this.both((side) => side.store.retryDelivery(target.userId, target.id, now), 'retryDelivery', normalised);
        if (before?.status === 'dead' && after?.status === 'pending') reached.add('retried a dead delivery');
        return;
      }
      case 'deleteSubscription': {
        const key = [...this.sides[0].subscriptions.keys()][s.pick % 6] as string;
        await this.both((side) => side.store.deleteSubscription(side.subscriptions.get(key) as string, now), 'deleteSubscription');
        return;
      }
      case 'purge':
        await this.both((side) => side.store.purgeExpired({ now, tombstonesBefore: now - 1_000, limit: 100 }), 'purgeExpired', (_side, result) => result.notifications);
        return;
      case 'wait':
        this.now += s.ms;
        return;
    }
  }

  /** Every delivery the test knows of, each notification's list, the next due time and the dead list agree. */
  async compare(): Promise<void> {
    for (const { userId, id } of this.deliveries) {
      const [record] = await this.both((side) => side.store.getDelivery(userId, id), `delivery ${id}`, normalised);
      if (record === undefined) continue;
      reached.add(`status: ${record.status}`);
      if (record.lastError !== undefined) reached.add(`lastError: ${record.lastError.code}`);
      if (record.lease !== undefined) reached.add('leased');
    }
    for (const { userId, id } of this.notifications) {
      await this.both((side) => side.store.listDeliveries(userId, id), `the deliveries of ${id}`, (side, list) => list.map((d) => normalised(side, d)).sort(byId));
    }
    await this.both((side) => side.store.nextDueAt(), 'nextDueAt');
    await this.both((side) => side.store.listDeadDeliveries(1_000, undefined), 'listDeadDeliveries', (side, page) => page.items.map((d) => normalised(side, d)).sort(byId));
  }
}

function byId(a: unknown, b: unknown): number {
  return (a as DeliveryRecord).id < (b as DeliveryRecord).id ? -1 : 1;
}

function outcomeOf(kind: (typeof outcomeKinds)[number], nextAttemptAt: number): DeliveryOutcome {
  switch (kind) {
    case 'delivered':
    case 'expired':
      return { status: kind };
    case 'failed':
      return { status: 'failed', nextAttemptAt, error: { code: 'TRANSPORT_RETRYABLE', message: 'busy' } };
    case 'dead':
      return { status: 'dead', error: { code: 'TRANSPORT_PERMANENT', message: 'refused' } };
    case 'cancelled':
      return { status: 'cancelled', reason: cancelReasons.subscriptionDeleted };
  }
}

it('records the same delivery outcomes as the memory store for the same events', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 20, maxLength: 50, size: 'max' }), fc.constantFrom(1, 3), async (steps, shards) => {
      const memory = createMemoryStore();
      const redis = await createRedisStore({ url: server.url, prefix: `agreement-${(runs += 1)}`, shards });
      try {
        const pair = new Pair(memory, redis);
        await pair.setUp();
        for (const s of steps) {
          await pair.apply(s);
          await pair.compare();
        }
      } finally {
        await Promise.all([memory.close(), redis.close()]);
      }
    }),
    { numRuns: 60 },
  );
  const expected = [
    ...outcomeKinds.map((kind) => `completed: ${kind}`),
    ...['pending', 'failed', 'delivered', 'dead', 'expired', 'cancelled'].map((status) => `status: ${status}`),
    'lastError: SUPERSEDED',
    'lastError: CANCELLED',
    'leased',
    'retried a dead delivery',
    'refused a stale token',
  ];
  expect([...reached].filter((label) => expected.includes(label)).sort(), 'the runs reached every transition').toEqual(expected.sort());
}, 120_000);
