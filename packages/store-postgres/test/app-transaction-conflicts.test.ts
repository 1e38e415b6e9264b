/**
 * A send inside the app's transaction that meets a serialization failure (40001) or a
 * deadlock (40P01), made by real concurrent transactions on a real server: the store
 * cannot retry it (only the app's whole transaction can run again), so it answers
 * `TRANSACTION_CONFLICT` saying so — not `STORE_UNAVAILABLE` — writes nothing, leaves
 * the app's transaction usable up to the send, and the same work run again as a new
 * transaction lands.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotificationService, isHeraldError, type NotificationRequest, type NotificationService } from '@herald/core';
import { createPostgresStore } from '../src/index.js';
import { startPostgresServer, type PostgresServer } from './postgres-server.js';

let server: PostgresServer;
let pool: pg.Pool;
let herald: NotificationService;

beforeAll(async () => {
  server = await startPostgresServer();
  pool = new pg.Pool({ connectionString: server.connectionString, max: 6 });
  pool.on('error', () => undefined);
  await pool.query('CREATE TABLE stock (item text PRIMARY KEY, left_count integer NOT NULL)');
  const store = await createPostgresStore({ connectionString: server.connectionString, schema: 'conflicts', migrate: true });
  herald = createNotificationService({ store, transports: [{ name: 'push', send: async () => undefined }], dispatcher: { autoStart: false } });
});

afterAll(async () => {
  await herald?.close();
  await pool?.end();
  await server?.stop();
});

function request(appNotificationId: string): NotificationRequest {
  return { targetHostName: 'shop.example.com', appNotificationId, payload: { visualContent: { title: 'Stock changed', body: appNotificationId } } };
}

/** A client of the app's pool in a transaction begun with `begin`. */
async function begun(begin: string): Promise<pg.PoolClient> {
  const client = await pool.connect();
  await client.query(begin);
  return client;
}

/** What a conflict variant made: the app's client, its failing send, and what ends the other transaction once the app's has ended. */
interface Conflict {
  readonly client: pg.PoolClient;
  readonly failing: Promise<unknown>;
  readonly finish?: () => Promise<void>;
}

/** The backend of `client` (asked before it runs a statement that waits). */
async function backendOf(client: pg.PoolClient): Promise<number> {
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  return rows[0]?.pid ?? -1;
}

/** Resolves once backend `pid` waits for a lock. */
async function waitingForLock(pid: number): Promise<void> {
  for (let tries = 0; tries < 500; tries++) {
    const waiting = await pool.query(`SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'`, [pid]);
    if (waiting.rowCount === 1) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('the other transaction never waited for the lock');
}

/** Each way two real transactions make the app's send fail as only a new attempt of its whole transaction can fix. */
const conflicts: ReadonlyArray<readonly [string, string, (user: string) => Promise<Conflict>]> = [
  [
    'a serialization failure (REPEATABLE READ: the user was written after the transaction took its snapshot)',
    '40001',
    async (user) => {
      const client = await begun('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await client.query('SELECT count(*) FROM stock'); // the snapshot is taken here
      await herald.send(request(`${user}-first`), { userId: user }); // another writer changes the user's row, and commits
      return { client, failing: herald.send(request(`${user}-second`), { userId: user }, { transaction: client }) };
    },
  ],
  [
    "a deadlock (another transaction holds the user's lock and waits for the app's row)",
    '40P01',
    async (user) => {
      await pool.query('INSERT INTO stock VALUES ($1, 1)', [user]);
      const client = await begun('BEGIN');
      const other = await begun('BEGIN');
      // The app's side checks for the deadlock first, so it is the one PostgreSQL fails.
      await client.query('SET LOCAL deadlock_timeout = 50');
      await other.query('SET LOCAL deadlock_timeout = 60000');
      await client.query('UPDATE stock SET left_count = left_count - 1 WHERE item = $1', [user]);
      await herald.send(request(`${user}-other`), { userId: user }, { transaction: other });
      const otherBackend = await backendOf(other);
      const otherWaits = other.query('UPDATE stock SET left_count = left_count + 1 WHERE item = $1', [user]);
      await waitingForLock(otherBackend);
      const failing = herald.send(request(`${user}-second`), { userId: user }, { transaction: client });
      const finish = async (): Promise<void> => {
        await otherWaits;
        await other.query('COMMIT');
        other.release();
      };
      return { client, failing, finish };
    },
  ],
];

describe('a send in the app\'s transaction that meets a conflict only a new transaction can get past', () => {
  it.each(conflicts)('reports TRANSACTION_CONFLICT after %s', async (_, sqlState, make) => {
    const user = `user-${sqlState}`;
    const { client, failing, finish } = await make(user);
    try {
      const error: unknown = await failing.then(
        () => new Error('the send went through'),
        (caught: unknown) => caught,
      );
      expect(isHeraldError(error, 'TRANSACTION_CONFLICT'), String(error)).toBe(true);
      expect((error as Error).message).toMatch(/inside the app's transaction.*nothing of this send was written; roll the transaction back and run it again from its start/);
      expect(((error as Error).cause as { code?: string } | undefined)?.code).toBe(sqlState);
      // The app's transaction is as it was before the send: it can go on (and here rolls back).
      await expect(client.query('SELECT 1')).resolves.toBeDefined();
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    await finish?.();
    const feed = await herald.feed.list(user, { limit: 10 });
    expect(feed.items.map((item) => item.appNotificationId), 'nothing of the failed send was written').not.toContain(`${user}-second`);
    // Run again as a new transaction, the same work lands.
    const again = await begun('BEGIN ISOLATION LEVEL REPEATABLE READ');
    try {
      await herald.send(request(`${user}-second`), { userId: user }, { transaction: again });
      await again.query('COMMIT');
    } finally {
      again.release();
    }
    expect((await herald.feed.list(user, { limit: 10 })).items.map((item) => item.appNotificationId)).toContain(`${user}-second`);
  });
});
