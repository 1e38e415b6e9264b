/**
 * What an app can get wrong with `send(…, { transaction })`, against a real PostgreSQL
 * cluster: a pool, a client outside a transaction, in an aborted one, or of another
 * database is refused with `INVALID_ARGUMENT` naming the option, writes nothing and leaves
 * the app's transaction as it was; sends that share one client at once run one after
 * another, so each gets its own feed position and change (a property over random batches);
 * a send cancelled by the app's own statement_timeout leaves the app's transaction usable.
 */
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createNotificationService, isHeraldError, type NotificationRequest, type NotificationService } from '@herald/core';
import { createPostgresStore } from '../src/index.js';
import { startPostgresServer, type PostgresServer } from './postgres-server.js';

const schema = 'app_transaction_misuse';

let server: PostgresServer;
let pool: pg.Pool;
let herald: NotificationService;

beforeAll(async () => {
  server = await startPostgresServer();
  pool = new pg.Pool({ connectionString: server.connectionString, max: 6 });
  pool.on('error', () => undefined);
  await server.sql('CREATE DATABASE other');
  const store = await createPostgresStore({ connectionString: server.connectionString, schema, migrate: true });
  herald = createNotificationService({ store, transports: [{ name: 'push', send: async () => undefined }], dispatcher: { autoStart: false } });
}, 60_000);

afterAll(async () => {
  await herald?.close();
  await pool?.end();
  await server?.stop();
});

function request(appNotificationId: string): NotificationRequest {
  return { targetHostName: 'shop.example.com', appNotificationId, payload: { visualContent: { title: 'Order', body: appNotificationId } } };
}

async function notificationRows(): Promise<number> {
  return Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".notifications`)).rows[0]?.n);
}

/** A client made ready the wrong way, and how the test puts it away. */
interface Misuse {
  readonly name: string;
  readonly open: () => Promise<{ readonly transaction: object; readonly after: () => Promise<void> }>;
  readonly message: RegExp;
}

const misuses: readonly Misuse[] = [
  { name: 'a pg.Pool', open: async () => ({ transaction: pool, after: async () => undefined }), message: /not a pg\.Pool/ },
  {
    name: "another library's object with a query method",
    open: async () => ({ transaction: { query: async () => [{ one: 1 }] }, after: async () => undefined }),
    message: /not a pg client/,
  },
  {
    name: 'a client outside a transaction',
    open: async () => {
      const client = await pool.connect();
      return { transaction: client, after: async () => client.release() };
    },
    message: /not in a transaction/,
  },
  {
    name: 'a client whose transaction is aborted',
    open: async () => {
      const client = await pool.connect();
      await client.query('BEGIN');
      await client.query('SELECT 1/0').catch(() => undefined);
      return {
        transaction: client,
        after: async () => {
          await client.query('ROLLBACK');
          client.release();
        },
      };
    },
    message: /aborted/,
  },
  {
    name: 'a client of another database (without the schema)',
    open: async () => {
      const client = new pg.Client({ connectionString: server.connectionString.replace(/\/postgres$/, '/other') });
      await client.connect();
      await client.query('BEGIN');
      return {
        transaction: client,
        after: async () => {
          // The app's transaction is still usable: the store rolled back to its savepoint.
          expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
          await client.query('COMMIT');
          await client.end();
        },
      };
    },
    message: /another database|connected to the store's database/,
  },
  {
    name: 'a client of another database with the same schema',
    open: async () => {
      const url = server.connectionString.replace(/\/postgres$/, '/other');
      await (await createPostgresStore({ connectionString: url, schema, migrate: true })).close();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query('BEGIN');
      return {
        transaction: client,
        after: async () => {
          expect((await client.query(`SELECT count(*)::int AS n FROM "${schema}".notifications`)).rows, 'nothing written in the other database').toEqual([{ n: 0 }]);
          await client.query('COMMIT');
          await client.end();
        },
      };
    },
    message: /database "?other"?/,
  },
];

it.each(misuses)('refuses $name with INVALID_ARGUMENT naming the option, and writes nothing', async ({ open, message }) => {
  const before = await notificationRows();
  const { transaction, after } = await open();
  try {
    const sending = herald.send(request('refused'), { userId: 'alice' }, { transaction: transaction as pg.PoolClient });
    await expect(sending).rejects.toSatisfy((error: unknown) => isHeraldError(error, 'INVALID_ARGUMENT'));
    await expect(sending).rejects.toThrow(/option transaction/);
    await expect(sending).rejects.toThrow(message);
  } finally {
    await after();
  }
  expect(await notificationRows()).toBe(before);
});

it('runs sends that share one client one after another: each its own feed position and change (property)', async () => {
  let round = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(fc.constantFrom('ann', 'bo', 'cy'), { minLength: 2, maxLength: 8 }), async (users) => {
      round += 1;
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await Promise.all(users.map((userId, index) => herald.send(request(`r${round}-${index}`), { userId: `${userId}-${round}` }, { transaction: client })));
        await client.query('COMMIT');
      } finally {
        client.release();
      }
      for (const userId of new Set(users)) {
        const sent = users.filter((each) => each === userId).length;
        const { rows } = await pool.query<{ sequence: string }>(`SELECT sequence FROM "${schema}".notifications WHERE user_id = $1 ORDER BY sequence`, [`${userId}-${round}`]);
        expect(rows.map((row) => Number(row.sequence)), `${userId}: one change per send`).toEqual(Array.from({ length: sent }, (_, index) => index + 1));
        expect((await herald.feed.list(`${userId}-${round}`)).items).toHaveLength(sent);
        expect((await herald.feed.changesSince(`${userId}-${round}`)).changes).toHaveLength(sent);
      }
    }),
    { numRuns: 15 },
  );
});

it('leaves the app\'s transaction usable when its statement_timeout cancels the send (stuck behind another session\'s lock)', async () => {
  await herald.subscriptions.create('dora', { targetHostName: 'shop.example.com', platformType: 'windows', transport: 'push', address: 'device-1' });
  const holder = await pool.connect();
  const client = await pool.connect();
  try {
    await holder.query('BEGIN');
    await holder.query(`SELECT 1 FROM "${schema}".users WHERE user_id = 'dora' FOR UPDATE`);
    await client.query('BEGIN');
    await client.query("SET LOCAL statement_timeout = '200ms'");
    const sending = herald.send(request('cancelled'), { userId: 'dora' }, { transaction: client });
    await expect(sending).rejects.toSatisfy((error: unknown) => isHeraldError(error, 'STORE_UNAVAILABLE'));
    await holder.query('ROLLBACK');
    // The app's transaction goes on: its next statement runs, and a send on it lands at commit.
    expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await client.query("SET LOCAL statement_timeout = '0'");
    await herald.send(request('after'), { userId: 'dora' }, { transaction: client });
    await client.query('COMMIT');
  } finally {
    await holder.query('ROLLBACK').catch(() => undefined);
    holder.release();
    client.release();
  }
  expect((await herald.feed.list('dora')).items.map((item) => item.appNotificationId)).toEqual(['after']);
});
