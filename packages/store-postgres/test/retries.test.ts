/**
 * Bounded waits and retries against a real server: a serialization failure (40001) and a
 * deadlock (40P01), made by two real transactions, are retried inside the store and both
 * transactions land; a statement stuck behind a lock fails with STORE_UNAVAILABLE within
 * the statement timeout, and the store goes on once the lock is released.
 */
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isHeraldError } from '@herald/core';
import { sampleNotification } from '@herald/testing';
import { Database } from '../src/database.js';
import { createPostgresStore } from '../src/index.js';
import { schemaNames } from '../src/schema.js';
import { startPostgresServer, type PostgresServer } from './postgres-server.js';
import { dropSchema } from './schema-stores.js';

let server: PostgresServer;
let admin: pg.Client;

beforeAll(async () => {
  server = await startPostgresServer();
  admin = new pg.Client({ connectionString: server.connectionString });
  await admin.connect();
  await admin.query('CREATE TABLE retried (k text, n integer)');
  await admin.query(`INSERT INTO retried VALUES ('a', 0), ('b', 0)`);
});

afterAll(async () => {
  await admin?.end();
  await server?.stop();
});

/** A promise two transactions meet at: each resolves once both arrived. */
function meeting(): () => Promise<void> {
  let arrived = 0;
  let release: () => void = () => undefined;
  const both = new Promise<void>((resolve) => (release = resolve));
  return () => {
    arrived += 1;
    if (arrived === 2) release();
    return both;
  };
}

/** Two transactions of `db` that conflict on their first attempts (they meet after their first statement); returns how many attempts each made. */
async function conflicting(db: Database, isolation: string | undefined, first: (name: string) => string, second: (name: string) => string): Promise<number[]> {
  const meet = meeting();
  const attempts = [0, 0];
  await Promise.all(
    ['a', 'b'].map((name, index) =>
      db.transaction(
        'conflict',
        async (tx) => {
          attempts[index] = (attempts[index] ?? 0) + 1;
          await tx.rows(first(name));
          if (attempts[index] === 1) await meet();
          await tx.rows(second(name));
        },
        isolation === undefined ? {} : { isolation },
      ),
    ),
  );
  return attempts;
}

it('retries a serialization failure and a deadlock, and both transactions land', async () => {
  const pool = new pg.Pool({ connectionString: server.connectionString, max: 4 });
  const db = new Database(pool, schemaNames('public'), { connectTimeoutMs: 5_000, statementTimeoutMs: 10_000 });
  try {
    // Write skew under SERIALIZABLE: each reads what the other writes.
    const skew = await conflicting(
      db,
      'SERIALIZABLE',
      () => `SELECT sum(n) FROM retried`,
      (name) => `UPDATE retried SET n = n + 1 WHERE k = '${name}'`,
    );
    expect(skew.reduce((a, b) => a + b), 'one of the two met 40001 and ran again').toBeGreaterThan(2);
    // Opposite lock order: a deadlock, one of the two chosen as its victim.
    const deadlock = await conflicting(
      db,
      undefined,
      (name) => `UPDATE retried SET n = n + 1 WHERE k = '${name}'`,
      (name) => `UPDATE retried SET n = n + 1 WHERE k = '${name === 'a' ? 'b' : 'a'}'`,
    );
    expect(deadlock.reduce((a, b) => a + b), 'one of the two met 40P01 and ran again').toBeGreaterThan(2);
    const { rows } = await admin.query<{ k: string; n: number }>('SELECT k, n FROM retried ORDER BY k');
    expect(rows, 'every transaction landed exactly once').toEqual([
      { k: 'a', n: 3 },
      { k: 'b', n: 3 },
    ]);
  } finally {
    await pool.end();
  }
});

it('fails a call stuck behind a lock with STORE_UNAVAILABLE within the statement timeout, and goes on after', async () => {
  const store = await createPostgresStore({ connectionString: server.connectionString, schema: 'stuck', migrate: true, statementTimeoutMs: 500 });
  const locker = new pg.Client({ connectionString: server.connectionString });
  await locker.connect();
  try {
    const now = Date.now();
    await store.saveNotification({ notification: sampleNotification({ userId: 'alice', appNotificationId: 'first' }, now), deliveries: [], now });
    // Another session holds alice's row: her next send waits on it.
    await locker.query('BEGIN');
    await locker.query(`SELECT 1 FROM stuck.users WHERE user_id = 'alice' FOR UPDATE`);
    const started = Date.now();
    const error: unknown = await store
      .saveNotification({ notification: sampleNotification({ userId: 'alice', appNotificationId: 'second' }, now), deliveries: [], now })
      .catch((caught: unknown) => caught);
    expect(isHeraldError(error, 'STORE_UNAVAILABLE'), String(error)).toBe(true);
    expect(Date.now() - started, 'bounded by statementTimeoutMs').toBeLessThan(5_000);
    expect((await store.listFeed('bob', { limit: 10 }, now)).items, 'other users are served meanwhile').toEqual([]);
    await locker.query('ROLLBACK');
    const saved = await store.saveNotification({ notification: sampleNotification({ userId: 'alice', appNotificationId: 'second' }, now), deliveries: [], now });
    expect(saved.notification.sequence, 'the timed-out send wrote nothing; the next one lands').toBe(2);
  } finally {
    await locker.end();
    await store.close();
    await dropSchema(server.connectionString, 'stuck');
  }
});
