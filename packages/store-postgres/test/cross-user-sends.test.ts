/**
 * A send outside any transaction to one user never waits for another user's lock. A send
 * inside the app's transaction holds its user's row lock until the app commits; group
 * commit batches sends of many users, so a batch takes only the locks that are free and
 * writes a busy user's send alone (where it waits for that user, as before). Without that,
 * a plain send that shared a batch with the locked user waited for the app's commit, an
 * app awaiting such a send inside its transaction never committed, and a lock held past
 * the statement timeout failed every send of the batch.
 */
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createNotificationService, type NotificationRequest, type NotificationService } from '@herald/core';
import { createPostgresStore } from '../src/index.js';
import { startPostgresServer, type PostgresServer } from './postgres-server.js';

let server: PostgresServer;
let pool: pg.Pool;
let herald: NotificationService;

beforeAll(async () => {
  server = await startPostgresServer();
  pool = new pg.Pool({ connectionString: server.connectionString, max: 4 });
  pool.on('error', () => undefined);
  const store = await createPostgresStore({ connectionString: server.connectionString, schema: 'cross_user', migrate: true });
  herald = createNotificationService({ store, transports: [{ name: 'push', send: async () => undefined }], dispatcher: { autoStart: false } });
});

afterAll(async () => {
  await herald?.close();
  await pool?.end();
  await server?.stop();
});

function request(appNotificationId: string): NotificationRequest {
  return { targetHostName: 'shop.example.com', appNotificationId, payload: { visualContent: { title: 'Order', body: appNotificationId } } };
}

/** Resolves with `'settled'` when `promise` settles within `ms`, else `'pending'`. */
function within(promise: Promise<unknown>, ms: number): Promise<'settled' | 'pending'> {
  return Promise.race([promise.then(() => 'settled' as const, () => 'settled' as const), new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), ms))]);
}

it('a plain send to bob completes while alice is locked by an open app transaction', async () => {
  // Both users have rows and are known to the instance: their next sends are batched.
  await herald.send(request('alice-0'), { userId: 'alice' });
  await herald.send(request('bob-0'), { userId: 'bob' });
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await herald.send(request('alice-in-tx'), { userId: 'alice' }, { transaction: client });
    // Other requests of the app send to alice (they wait for the app's commit, as before); this one sends to bob, outside any transaction.
    const toAlice = Promise.all([1, 2, 3, 4, 5].map((n) => herald.send(request(`alice-plain-${n}`), { userId: 'alice' })));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const toBob = herald.send(request('bob-plain'), { userId: 'bob' });
    toAlice.catch(() => undefined);
    expect(await within(toBob, 3000), "bob's send does not wait for alice's lock").toBe('settled');
    await client.query('COMMIT');
    await toAlice;
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release();
  }
}, 30_000);

it('an app transaction that awaits a plain send to another user is not stuck behind itself', async () => {
  await herald.send(request('carol-0'), { userId: 'carol' });
  await herald.send(request('dave-0'), { userId: 'dave' });
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await herald.send(request('carol-in-tx'), { userId: 'carol' }, { transaction: client });
    // Elsewhere in the app a plain send to carol is under way when this transaction sends to dave.
    const elsewhere = Promise.all([1, 2, 3, 4, 5].map((n) => herald.send(request(`carol-elsewhere-${n}`), { userId: 'carol' })));
    await new Promise((resolve) => setTimeout(resolve, 200));
    elsewhere.catch(() => undefined);
    const toDave = herald.send(request('dave-plain'), { userId: 'dave' });
    expect(await within(toDave, 3000), 'the send to dave (awaited inside the transaction) completes').toBe('settled');
    await client.query('COMMIT');
    await elsewhere;
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release();
  }
}, 30_000);

it("a plain send to bob is not failed by the statement timeout of alice's lock wait", async () => {
  const store = await createPostgresStore({ connectionString: server.connectionString, schema: 'cross_user_timeout', migrate: true, statementTimeoutMs: 1000 });
  const timed = createNotificationService({ store, transports: [{ name: 'push', send: async () => undefined }], dispatcher: { autoStart: false } });
  try {
    await timed.send(request('erin-0'), { userId: 'erin' });
    await timed.send(request('frank-0'), { userId: 'frank' });
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await timed.send(request('erin-in-tx'), { userId: 'erin' }, { transaction: client });
      const toErin = Promise.allSettled([1, 2, 3, 4, 5].map((n) => timed.send(request(`erin-plain-${n}`), { userId: 'erin' })));
      await new Promise((resolve) => setTimeout(resolve, 200));
      const toFrank = timed.send(request('frank-plain'), { userId: 'frank' }).then(
        () => 'saved',
        (error: unknown) => `failed: ${String(error)}`,
      );
      // The app's transaction outlasts the store's statement timeout; erin's sends may fail with STORE_UNAVAILABLE.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      await client.query('COMMIT');
      await toErin;
      expect(await toFrank, "frank's send never waited for erin's lock").toBe('saved');
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
    }
  } finally {
    await timed.close();
  }
}, 30_000);
