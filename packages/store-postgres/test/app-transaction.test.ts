/**
 * Sends inside the app's own transaction (`send(…, { transaction })`), against a real
 * PostgreSQL cluster: the notification and its deliveries commit or roll back with the
 * app's own row. A rollback leaves nothing — feed, change feed, deliveries, the due queue
 * — and delivers nothing; a commit is delivered through the wake-up the transaction sends,
 * not by polling (the dispatcher's poll interval is a minute), and a live feed of another
 * service hears of it only then.
 */
import pg from 'pg';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createNotificationService, type NotificationRequest, type NotificationService, type Transport } from '@herald/core';
import { createPostgresStore } from '../src/index.js';
import { startPostgresServer, type PostgresServer } from './postgres-server.js';

const schema = 'app_transaction';
/** Longer than any test here: a delivery or a feed change seen in time came from a wake-up, not a poll. */
const pollIntervalMs = 60_000;

let server: PostgresServer;
let pool: pg.Pool;
const services: NotificationService[] = [];

beforeAll(async () => {
  server = await startPostgresServer();
  pool = new pg.Pool({ connectionString: server.connectionString, max: 4 });
  // The server stops before the pool ends: its idle connections then report the shutdown here.
  pool.on('error', () => undefined);
  await pool.query('CREATE TABLE orders (id text PRIMARY KEY, user_id text NOT NULL)');
});

afterEach(async () => {
  for (const service of services.splice(0)) await service.close();
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE; TRUNCATE orders`);
});

afterAll(async () => {
  await server?.stop();
  await pool?.end();
});

/** A transport that records what it was given, with the time. */
function recording(): Transport & { readonly received: { appNotificationId: string; at: number }[] } {
  const received: { appNotificationId: string; at: number }[] = [];
  return {
    name: 'push',
    received,
    async send(message) {
      received.push({ appNotificationId: message.notification.appNotificationId, at: Date.now() });
    },
  };
}

async function service(transport: Transport, autoStart = true): Promise<NotificationService> {
  const store = await createPostgresStore({ connectionString: server.connectionString, schema, migrate: true });
  const created = createNotificationService({ store, transports: [transport], dispatcher: { autoStart, pollIntervalMs } });
  services.push(created);
  return created;
}

function request(appNotificationId: string): NotificationRequest {
  return { targetHostName: 'shop.example.com', appNotificationId, payload: { visualContent: { title: 'Your order shipped', body: appNotificationId } } };
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Runs `work` in a transaction of the app's on a client of its pool, and commits or rolls back. */
async function inAppTransaction<T>(end: 'COMMIT' | 'ROLLBACK', work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query(end);
    return result;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

/** Rows of Herald's tables for `userId`, read by the test itself, beside the store's own answers. */
async function rowsOf(userId: string): Promise<{ notifications: number; deliveries: number }> {
  const count = async (table: string): Promise<number> =>
    Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".${table} WHERE user_id = $1`, [userId])).rows[0]?.n);
  return { notifications: await count('notifications'), deliveries: await count('deliveries') };
}

it('leaves nothing and delivers nothing when the app rolls back, and the store stays usable on that client', async () => {
  const push = recording();
  const herald = await service(push);
  await herald.subscriptions.create('alice', { targetHostName: 'shop.example.com', platformType: 'windows', transport: 'push', address: 'device-1' });
  await herald.subscriptions.create('alice', { targetHostName: 'shop.example.com', platformType: 'android', transport: 'push', address: 'device-2' });
  const before = (await herald.feed.changesSince('alice')).cursor;

  const sent = await inAppTransaction('ROLLBACK', async (client) => {
    await client.query('INSERT INTO orders (id, user_id) VALUES ($1, $2)', ['order-1', 'alice']);
    const result = await herald.send(request('order-1'), { userId: 'alice' }, { transaction: client });
    // Inside the transaction the rows are there; outside it, not yet.
    expect((await client.query(`SELECT count(*)::int AS n FROM "${schema}".deliveries WHERE user_id = 'alice'`)).rows[0]).toEqual({ n: 2 });
    expect(await rowsOf('alice')).toEqual({ notifications: 0, deliveries: 0 });
    return result;
  });
  expect(sent.deliveries).toHaveLength(2);

  expect((await pool.query('SELECT count(*)::int AS n FROM orders')).rows[0], 'the app\'s own row rolled back').toEqual({ n: 0 });
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(push.received, 'nothing delivered after the rollback').toEqual([]);
  expect(await rowsOf('alice'), 'no notification and no delivery row').toEqual({ notifications: 0, deliveries: 0 });
  expect((await herald.feed.list('alice')).items).toEqual([]);
  expect(await herald.feed.unreadCount('alice')).toBe(0);
  expect((await herald.feed.changesSince('alice', before)).changes, 'nothing in the change feed').toEqual([]);
  expect(await herald.feed.get('alice', sent.notification.id)).toBeUndefined();
  for (const delivery of sent.deliveries) expect(await herald.deliveries.get('alice', delivery.id)).toBeUndefined();

  // The same client, in a new transaction that commits, sends the same notification: the rollback left no trace to collide with.
  await inAppTransaction('COMMIT', (client) => herald.send(request('order-1'), { userId: 'alice' }, { transaction: client }));
  await until('the committed send was not delivered', () => push.received.length === 2, 10_000);
  expect(push.received.map((each) => each.appNotificationId), 'the rolled-back send was never delivered').toEqual(['order-1', 'order-1']);
  expect(await rowsOf('alice')).toEqual({ notifications: 1, deliveries: 2 });
});

it('delivers a committed send through the wake-up its commit sends, not by polling, and tells another service\'s live feed only then', async () => {
  const push = recording();
  const dispatching = await service(push);
  // Another instance, its dispatcher off: it sends, and its live feed follows alice.
  const sending = await service({ name: 'push', send: () => Promise.reject(new Error('the sending service never delivers')) }, false);
  await sending.subscriptions.create('alice', { targetHostName: 'shop.example.com', platformType: 'windows', transport: 'push', address: 'device-1' });
  await new Promise((resolve) => setTimeout(resolve, 200)); // the dispatcher's first look at the store is over
  const live = dispatching.feed.watch('alice', { since: (await dispatching.feed.changesSince('alice')).cursor, pollIntervalMs });
  const first = live.next();

  let committedAt = 0;
  await inAppTransaction('COMMIT', async (client) => {
    await client.query('INSERT INTO orders (id, user_id) VALUES ($1, $2)', ['order-2', 'alice']);
    const result = await sending.send(request('order-2'), { userId: 'alice' }, { transaction: client });
    expect(result.created).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(push.received, 'nothing is delivered before the commit').toEqual([]);
    committedAt = Date.now();
  });

  await until('the committed send was not delivered', () => push.received.length === 1, 10_000);
  const latency = (push.received[0]?.at ?? 0) - committedAt;
  expect(latency, 'delivered on the commit\'s wake-up, far inside the poll interval').toBeLessThan(pollIntervalMs / 6);
  const event = await first;
  expect(event.done).toBe(false);
  expect(JSON.stringify(event.value)).toContain('order-2');
  await live.return();
  expect((await pool.query('SELECT id FROM orders')).rows).toEqual([{ id: 'order-2' }]);
  console.info(`[app-transaction] delivered ${latency} ms after the app's COMMIT returned (poll interval ${pollIntervalMs} ms)`);
});
