/**
 * LISTEN/NOTIFY between two store instances on one schema: a write that makes deliveries
 * due wakes the other instance (never itself), feed announcements reach the other
 * instance's listeners, a send in the app's transaction is announced only at its commit
 * (to every instance, its own included), and a lost listening connection comes back and
 * wakes its listeners once. Each wait is on an event, bounded only to fail loudly; each
 * "not heard" is checked after a later marker was heard on the same channel, since
 * PostgreSQL delivers notifications in commit order.
 */
import pg from 'pg';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { NotificationStore } from '@herald/core';
import type { Logger } from '@herald/core/store';
import { sampleDeliveries, sampleNotification } from '@herald/testing';
import { createPostgresStore, type PostgresStore } from '../src/index.js';
import { startPostgresServer, type PostgresServer } from './postgres-server.js';
import { dropSchema } from './schema-stores.js';

const boundMs = 20_000;
let server: PostgresServer;
let schemas = 0;
let opened: PostgresStore[] = [];

beforeAll(async () => {
  server = await startPostgresServer();
});

afterAll(async () => {
  await server?.stop();
});

afterEach(async () => {
  await Promise.all(opened.map((store) => store.close()));
  opened = [];
});

/** `count` instances on one fresh schema. */
async function instances(count: number, logger?: Logger): Promise<PostgresStore[]> {
  const schema = `wakeups_${(schemas += 1)}`;
  await dropSchema(server.connectionString, schema);
  const stores: PostgresStore[] = [];
  for (let n = 0; n < count; n++) stores.push(await createPostgresStore({ connectionString: server.connectionString, schema, migrate: true, ...(logger === undefined ? {} : { logger }) }));
  opened.push(...stores);
  return stores;
}

/** Counts what a store's listeners hear, and lets a test wait for the n-th of a kind. */
class Ears {
  readonly wakes: number[] = [];
  readonly feeds: (string | undefined)[] = [];
  readonly #waiting: Array<() => void> = [];
  readonly ready: Promise<void>;

  constructor(store: NotificationStore) {
    store.onWake?.(() => this.#heard(() => this.wakes.push(Date.now())));
    const subscription = store.onFeedChange?.((userId) => this.#heard(() => this.feeds.push(userId)));
    this.ready = subscription?.ready ?? Promise.reject(new Error('no onFeedChange'));
  }

  #heard(record: () => void): void {
    record();
    for (const check of this.#waiting.splice(0)) check();
  }

  /** Resolves once `condition` holds, rechecked at every announcement. */
  async until(condition: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + boundMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`never heard ${what}`);
      await new Promise<void>((resolve) => {
        this.#waiting.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }
}

async function sendWithDelivery(store: NotificationStore, transaction?: pg.ClientBase): Promise<void> {
  const now = Date.now();
  await store.saveNotification({
    notification: sampleNotification({ userId: 'alice', appNotificationId: `n-${now}-${Math.random()}` }, now),
    deliveries: sampleDeliveries(1, { nextAttemptAt: now }),
    now,
    ...(transaction === undefined ? {} : { transaction }),
  });
}

it('wakes the other instance at a send with deliveries, never the sending one', async () => {
  const [a, b] = (await instances(2)) as [PostgresStore, PostgresStore];
  const [earsA, earsB] = [new Ears(a), new Ears(b)];
  await Promise.all([earsA.ready, earsB.ready]);
  await sendWithDelivery(a);
  await earsB.until(() => earsB.wakes.length === 1, 'the send’s wake-up at B');
  // A marker after it: when A hears B's wake-up, it would have heard its own send's before.
  await b.wake?.();
  await earsA.until(() => earsA.wakes.length >= 1, 'B’s wake-up at A');
  expect(earsA.wakes, 'A heard B’s wake-up and not its own send’s').toHaveLength(1);
  expect(earsB.wakes, 'B does not hear its own wake()').toHaveLength(1);
});

it('announces feed changes to the other instance: for users, and for any user', async () => {
  const [a, b] = (await instances(2)) as [PostgresStore, PostgresStore];
  const [earsA, earsB] = [new Ears(a), new Ears(b)];
  await Promise.all([earsA.ready, earsB.ready]);
  await a.feedChanged?.(['alice', 'bob']);
  await a.feedChanged?.(undefined);
  await earsB.until(() => earsB.feeds.length === 3, 'three feed announcements at B');
  expect(earsB.feeds).toEqual(['alice', 'bob', undefined]);
  await b.feedChanged?.(['carol']);
  await earsA.until(() => earsA.feeds.length >= 1, 'B’s announcement at A');
  expect(earsA.feeds, 'A hears B’s announcement, not its own').toEqual(['carol']);
  const many = Array.from({ length: 400 }, (_, index) => `user-with-a-long-id-${index}`);
  await a.feedChanged?.(many);
  await earsB.until(() => earsB.feeds.length === 4, 'an announcement too long for one NOTIFY');
  expect(earsB.feeds[3], 'too many users for one payload: announced as any user').toBeUndefined();
});

it('announces a send in the app’s transaction only at its commit, to every instance', async () => {
  const [a, b, marker] = (await instances(3)) as [PostgresStore, PostgresStore, PostgresStore];
  const [earsA, earsB] = [new Ears(a), new Ears(b)];
  await Promise.all([earsA.ready, earsB.ready]);
  const app = new pg.Client({ connectionString: server.connectionString });
  await app.connect();
  try {
    await app.query('BEGIN');
    await sendWithDelivery(a, app);
    await marker.wake?.();
    await earsB.until(() => earsB.wakes.length >= 1, 'the marker at B');
    expect(earsB.wakes, 'before the commit, only the marker: the send’s NOTIFY waits for the commit').toHaveLength(1);
    expect(earsB.feeds, 'nor its feed announcement').toEqual([]);
    await app.query('COMMIT');
    await earsB.until(() => earsB.wakes.length === 2 && earsB.feeds.length === 1, 'the commit’s wake-up and feed announcement at B');
    await earsA.until(() => earsA.wakes.length === 2 && earsA.feeds.length === 1, 'the commit’s wake-up at A: its service looked before the commit');
    expect(earsB.feeds).toEqual(['alice']);
  } finally {
    await app.end();
  }
});

it('listens again after its listening connection was cut, waking its listeners once', async () => {
  const logged: string[] = [];
  const log = (fields: Readonly<Record<string, unknown>>): void => void logged.push(String(fields['code']));
  const logger: Logger = { debug: log, info: log, warn: log, error: log, child: () => logger };
  const [a, b] = (await instances(2, logger)) as [PostgresStore, PostgresStore];
  const earsB = new Ears(b);
  await earsB.ready;
  const admin = new pg.Client({ connectionString: server.connectionString });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ pid: number }>(`SELECT pg_terminate_backend(pid) AS cut, pid FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND pid <> pg_backend_pid()`);
    expect(rows, 'one listening connection: B’s (A has no listener)').toHaveLength(1);
    await earsB.until(() => earsB.wakes.length === 1 && earsB.feeds.length === 1, 'the reconnect’s wake-up');
    expect(earsB.feeds, 'after a reconnect the live feeds read again: any user').toEqual([undefined]);
    expect(logged, 'the loss and the return are logged, once each').toEqual(['CONNECTION_LOST', 'CONNECTION_RESTORED']);
    // Listening again: a send of A's reaches B.
    const deadline = Date.now() + boundMs;
    while (earsB.wakes.length < 2 && Date.now() < deadline) {
      await sendWithDelivery(a);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(earsB.wakes.length, 'B hears A’s sends again').toBeGreaterThanOrEqual(2);
  } finally {
    await admin.end();
  }
});

it('shares one NOTIFY among the wake() and feedChanged() calls made while one is on its way', async () => {
  const [a, b] = (await instances(2)) as [PostgresStore, PostgresStore];
  const earsB = new Ears(b);
  await earsB.ready;
  await Promise.all(Array.from({ length: 50 }, (_, index) => Promise.all([a.wake?.(), a.feedChanged?.([`user-${index % 5}`])])));
  await a.wake?.(); // a last one, alone: once B hears it, it heard every earlier one
  await earsB.until(() => earsB.wakes.length >= 2, 'the last wake-up');
  expect(earsB.wakes.length, '51 calls, a handful of statements').toBeLessThan(10);
  expect(new Set(earsB.feeds), 'every user announced, each call’s users joined').toEqual(new Set(['user-0', 'user-1', 'user-2', 'user-3', 'user-4']));
});
