/**
 * A rolling upgrade to schema 3: the new release migrates (`migrate: true`, or
 * migratePostgresStore as a deploy step) while instances of the previous release, whose
 * schema check ran when they opened, keep serving. Their subscription writes are the
 * previous release's statements (below, as that release runs them: the user's lock, then
 * the change), which do not move the recipient version. A send of the new release must
 * still plan from the subscriptions as they stand at the write — not from the copy it
 * read before, which the unchanged version now vouches for indefinitely.
 */
import pg from 'pg';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { DeliveryPlan } from '@herald/core/store';
import { sampleDeliveries, sampleNotification, sampleSubscription, sampleTime } from '@herald/testing';
import { createPostgresStore, type PostgresStore } from '../src/index.js';
import { startPostgresServer, type PostgresServer } from './postgres-server.js';
import { dropSchema } from './schema-stores.js';

let server: PostgresServer;
let pool: pg.Pool;
let opened: PostgresStore[] = [];
let schemas = 0;

beforeAll(async () => {
  server = await startPostgresServer();
  pool = new pg.Pool({ connectionString: server.connectionString, max: 2 });
  pool.on('error', () => undefined);
});

afterEach(async () => {
  await Promise.all(opened.map((store) => store.close()));
  opened = [];
});

afterAll(async () => {
  await pool?.end();
  await server?.stop();
});

const t0 = sampleTime;
const alice = 'alice';

/** Every active endpoint gets a delivery. */
const everyActive: DeliveryPlan = (recipient) => ({ deliveries: sampleDeliveries(recipient.subscriptions.filter((s) => s.status === 'active'), { nextAttemptAt: t0 }) });

/** `work` in a transaction of the app's pool, after the user's lock as the previous release took it. */
async function asPreviousRelease(schema: string, userId: string, work: (client: pg.PoolClient) => Promise<void>): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`INSERT INTO "${schema}"."users" AS u (user_id) VALUES ($1) ON CONFLICT (user_id) DO UPDATE SET user_id = excluded.user_id RETURNING u.sequence`, [userId]);
    await work(client);
    await client.query('COMMIT');
  } finally {
    client.release();
  }
}

async function fresh(): Promise<PostgresStore> {
  const schema = `rolling_${(schemas += 1)}`;
  await dropSchema(server.connectionString, schema);
  const store = await createPostgresStore({ connectionString: server.connectionString, schema, migrate: true });
  opened.push(store);
  return store;
}

it('a send plans for a subscription that an instance of the previous release created after this instance read the user', async () => {
  const store = await fresh();
  const windows = await store.createSubscription(sampleSubscription({ userId: alice, platformType: 'windows' }, t0), t0);
  const first = await store.saveNotification({ notification: sampleNotification({ userId: alice, appNotificationId: 'first' }, t0), deliveries: everyActive, now: t0 });
  expect(first.deliveries.map((d) => d.subscriptionId)).toEqual([windows.id]);
  // The previous release's createSubscription.
  await asPreviousRelease(store.schema, alice, async (client) => {
    await client.query(
      `INSERT INTO "${store.schema}"."subscriptions" AS s (id, user_id, target_host_name, platform_type, transport, status, created_at, modified_at, expires_at, details)
       VALUES ($1, $2, $3, $4, $5, 'active', $6, $6, $7, $8::json)`,
      ['sub-from-previous-release', alice, 'app.example', 'android', 'webpush', t0, t0 + 365 * 86_400_000, JSON.stringify({ address: 'https://push.example/android' })],
    );
  });
  const current = (await store.listSubscriptions(alice)).map((s) => s.id);
  expect(current).toEqual([windows.id, 'sub-from-previous-release']);
  const second = await store.saveNotification({ notification: sampleNotification({ userId: alice, appNotificationId: 'second' }, t0), deliveries: everyActive, now: t0 + 1 });
  expect(second.deliveries.map((d) => d.subscriptionId), 'the new endpoint is not missed').toEqual(current);
});

it('a send does not plan for a subscription that an instance of the previous release deleted', async () => {
  const store = await fresh();
  const windows = await store.createSubscription(sampleSubscription({ userId: alice, platformType: 'windows' }, t0), t0);
  const ios = await store.createSubscription(sampleSubscription({ userId: alice, platformType: 'ios' }, t0), t0);
  await store.saveNotification({ notification: sampleNotification({ userId: alice, appNotificationId: 'first' }, t0), deliveries: everyActive, now: t0 });
  // The previous release's deleteSubscription (the subscription had no open deliveries left to cancel that matter here).
  await asPreviousRelease(store.schema, alice, async (client) => {
    await client.query(`DELETE FROM "${store.schema}"."subscriptions" WHERE id = $1`, [ios.id]);
  });
  const second = await store.saveNotification({ notification: sampleNotification({ userId: alice, appNotificationId: 'second' }, t0), deliveries: everyActive, now: t0 + 1 });
  expect(second.deliveries.map((d) => d.subscriptionId), 'the deleted endpoint is not used').toEqual([windows.id]);
});
