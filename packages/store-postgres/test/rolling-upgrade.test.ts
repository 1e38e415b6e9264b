/**
 * Writers that do not know the recipient version (migration 3): instances of the previous
 * release still serving during a rolling upgrade (their schema check ran when they opened;
 * their statements are the previous release's, below as it runs them: the user's lock,
 * then the change) and an operator's hand edits (plain statements, no lock, several users
 * at once). Whatever they change of a user's subscriptions or preferences, a batched send
 * of this release must plan from them as they stand at its write — not from the copy it
 * read before — so the database moves the version for every writer (migration 4's
 * triggers). Each variant below changes what a send plans; the send after it must plan
 * exactly what a fresh read of the user plans.
 */
import pg from 'pg';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { DeliveryPlan, Recipient, StoredSubscription } from '@herald/core/store';
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
const users = ['alice', 'bob'] as const;

/** Every active endpoint the user's preferences do not opt out of by platform gets a delivery. */
const plan: DeliveryPlan = (recipient: Recipient) => ({
  deliveries: sampleDeliveries(
    recipient.subscriptions.filter((s) => s.status === 'active' && recipient.preferences?.platforms?.[s.platformType] !== 'optOut'),
    { nextAttemptAt: t0 },
  ),
});

/** `work` in one transaction of the app's pool, after `userId`'s lock as the previous release took it. */
async function asPreviousRelease(schema: string, userId: string, work: (client: pg.PoolClient) => Promise<unknown>): Promise<void> {
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

/** Each user's subscriptions by platform, made by the store before the change. */
type Made = Record<(typeof users)[number], { windows: StoredSubscription; ios: StoredSubscription }>;

/** A change of what sends plan, by a writer that does not move the version itself. */
interface Variant {
  readonly name: string;
  readonly change: (schema: string, made: Made) => Promise<unknown>;
}

const variants: Variant[] = [
  {
    name: 'the previous release creates a subscription',
    change: (schema) =>
      asPreviousRelease(schema, 'alice', (client) =>
        client.query(
          `INSERT INTO "${schema}"."subscriptions" AS s (id, user_id, target_host_name, platform_type, transport, status, created_at, modified_at, expires_at, details)
           VALUES ($1, $2, $3, $4, $5, 'active', $6, $6, $7, $8::json)`,
          ['sub-from-previous-release', 'alice', 'app.example', 'android', 'webpush', t0, t0 + 365 * 86_400_000, JSON.stringify({ address: 'https://push.example/android' })],
        ),
      ),
  },
  {
    name: 'the previous release deletes a subscription',
    change: (schema, made) => asPreviousRelease(schema, 'alice', (client) => client.query(`DELETE FROM "${schema}"."subscriptions" WHERE id = $1`, [made.alice.ios.id])),
  },
  {
    name: 'the previous release deactivates a subscription',
    change: (schema, made) =>
      asPreviousRelease(schema, 'alice', (client) => client.query(`UPDATE "${schema}"."subscriptions" SET status = 'inactive', modified_at = $2 WHERE id = $1`, [made.alice.windows.id, t0])),
  },
  {
    name: 'the previous release sets preferences',
    change: (schema) =>
      asPreviousRelease(schema, 'alice', (client) =>
        client.query(`INSERT INTO "${schema}"."users" (user_id, preferences) VALUES ($1, $2::json) ON CONFLICT (user_id) DO UPDATE SET preferences = excluded.preferences`, [
          'alice',
          JSON.stringify({ platforms: { ios: 'optOut' } }),
        ]),
      ),
  },
  {
    name: "a hand edit deactivates both users' windows endpoints in one statement",
    change: (schema) => pool.query(`UPDATE "${schema}"."subscriptions" SET status = 'inactive' WHERE platform_type = 'windows'`),
  },
  {
    name: "a hand edit deletes both users' ios endpoints in one statement",
    change: (schema) => pool.query(`DELETE FROM "${schema}"."subscriptions" WHERE platform_type = 'ios'`),
  },
  {
    name: "a hand edit sets both users' preferences",
    change: (schema) => pool.query(`UPDATE "${schema}"."users" SET preferences = '{"platforms":{"windows":"optOut"}}'::json`),
  },
  {
    name: "a hand edit moves bob's windows endpoint to alice",
    change: (schema, made) => pool.query(`UPDATE "${schema}"."subscriptions" SET user_id = 'alice' WHERE id = $1`, [made.bob.windows.id]),
  },
];

/** What a send to `userId` plans from a fresh read of the user. */
async function freshPlan(store: PostgresStore, userId: string): Promise<string[]> {
  const recipient = { subscriptions: await store.listSubscriptions(userId), preferences: await store.getPreferences(userId) };
  return plan(recipient).deliveries.map((d) => d.subscriptionId);
}

/** One send to each user at once (one batch), answering each one's planned subscription ids. */
async function sendToAll(store: PostgresStore, name: string, now: number): Promise<string[][]> {
  const saved = await Promise.all(users.map((userId) => store.saveNotification({ notification: sampleNotification({ userId, appNotificationId: name }, t0), deliveries: plan, now })));
  return saved.map((result) => result.deliveries.map((d) => d.subscriptionId));
}

it.each(variants)('$name: the next batched send plans from the change', async ({ change }) => {
  const schema = `rolling_${(schemas += 1)}`;
  await dropSchema(server.connectionString, schema);
  const store = await createPostgresStore({ connectionString: server.connectionString, schema, migrate: true });
  opened.push(store);
  const made = {} as Record<string, Made[keyof Made]>;
  for (const userId of users) {
    made[userId] = {
      windows: await store.createSubscription(sampleSubscription({ userId, platformType: 'windows' }, t0), t0),
      ios: await store.createSubscription(sampleSubscription({ userId, platformType: 'ios' }, t0), t0),
    };
  }
  // This instance now keeps each user's recipient at its version.
  const before = await sendToAll(store, 'first', t0);
  expect(before).toEqual(await Promise.all(users.map((userId) => freshPlan(store, userId))));
  await change(schema, made as Made);
  const expected = await Promise.all(users.map((userId) => freshPlan(store, userId)));
  expect(expected, 'the change changes what a send plans').not.toEqual(before);
  expect(await sendToAll(store, 'second', t0 + 1), 'the send plans from the subscriptions and preferences as they stand').toEqual(expected);
});
