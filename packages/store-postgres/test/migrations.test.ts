/**
 * Migrations against a real PostgreSQL: from an empty database, again (idempotent), from
 * several instances at once (the advisory lock: each migration applied once), and a schema
 * at another version refused with a typed error naming the migration to run.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeraldError, isHeraldError } from '@herald/core';
import { createPostgresStore, migratePostgresStore, type PostgresStore } from '../src/index.js';
import { latestVersion } from '../src/migrations/index.js';
import { startPostgresServer, type PostgresServer } from './postgres-server.js';
import { dropSchema } from './schema-stores.js';

let server: PostgresServer;
let admin: pg.Client;

beforeAll(async () => {
  server = await startPostgresServer();
  admin = new pg.Client({ connectionString: server.connectionString });
  await admin.connect();
});

afterAll(async () => {
  await admin?.end();
  await server?.stop();
});

async function tablesOf(schema: string): Promise<string[]> {
  const { rows } = await admin.query<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name', [schema]);
  return rows.map((row) => row.table_name);
}

async function versionsOf(schema: string): Promise<number[]> {
  const { rows } = await admin.query<{ version: number }>(`SELECT version FROM "${schema}".herald_migrations ORDER BY version`);
  return rows.map((row) => row.version);
}

async function failure(opening: Promise<unknown>): Promise<HeraldError> {
  const error: unknown = await opening.then(() => undefined, (caught: unknown) => caught);
  expect(error, 'the open must fail').toBeInstanceOf(HeraldError);
  return error as HeraldError;
}

describe('migrations', () => {
  it('creates every table from an empty database, and applies nothing the second time', async () => {
    const options = { connectionString: server.connectionString, schema: 'from_empty' };
    expect(await tablesOf('from_empty')).toEqual([]);
    expect(await migratePostgresStore(options)).toEqual({ applied: ['1 (initial)', '2 (preferences)', '3 (recipient-version)', '4 (version-triggers)'], version: 4 });
    expect(await tablesOf('from_empty')).toEqual(['deliveries', 'herald_migrations', 'idempotency_keys', 'notifications', 'subscriptions', 'tombstones', 'unread_counts', 'users']);
    expect(await versionsOf('from_empty')).toEqual([1, 2, 3, 4]);
    expect(await migratePostgresStore(options), 'a second run finds nothing to do').toEqual({ applied: [], version: 4 });
    const store = await createPostgresStore({ ...options, migrate: true });
    await store.close();
    expect(await versionsOf('from_empty'), 'nor does an open with migrate: true').toEqual([1, 2, 3, 4]);
    await dropSchema(server.connectionString, 'from_empty');
  });

  it('applies each migration once when several instances open at once', async () => {
    const opening = Array.from({ length: 6 }, () => createPostgresStore({ connectionString: server.connectionString, schema: 'at_once', migrate: true, maxConnections: 2 }));
    const stores: PostgresStore[] = await Promise.all(opening);
    try {
      expect(await versionsOf('at_once'), 'one record per migration, however many instances migrated').toEqual([1, 2, 3, 4]);
      const saved = await stores[0]?.createSubscription({ userId: 'u', targetHostName: 'app', platformType: 'windows', transport: 't', address: 'a', expiresAt: Date.now() + 60_000 }, Date.now());
      expect((await stores[5]?.getSubscription(saved?.id as string))?.id, 'the instances share the tables').toBe(saved?.id);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
      await dropSchema(server.connectionString, 'at_once');
    }
  });

  it('refuses a schema that was never migrated, naming the migration to run', async () => {
    const error = await failure(createPostgresStore({ connectionString: server.connectionString, schema: 'never_migrated' }));
    expect(error.code).toBe('STORE_VERSION_MISMATCH');
    expect(error.message).toMatch(/^\[herald\] \[store-postgres\] the schema "never_migrated" is at version 0; .*needs 4: run migrations 1 \(initial\), 2 \(preferences\), 3 \(recipient-version\), 4 \(version-triggers\) with migratePostgresStore\(options\), or open the store with migrate: true/);
    expect(await tablesOf('never_migrated'), 'a refused open creates nothing').toEqual([]);
  });

  it('refuses a schema newer than the package, even with migrate: true', async () => {
    const options = { connectionString: server.connectionString, schema: 'from_the_future' };
    await migratePostgresStore(options);
    await admin.query(`INSERT INTO "from_the_future".herald_migrations (version, name) VALUES ($1, 'later')`, [latestVersion + 1]);
    for (const migrate of [false, true]) {
      const error = await failure(createPostgresStore({ ...options, migrate }));
      expect(error.code).toBe('STORE_VERSION_MISMATCH');
      expect(error.message).toContain(`is at version ${latestVersion + 1}, newer than this @herald/store-postgres (version ${latestVersion}); upgrade the package`);
    }
    const error: unknown = await migratePostgresStore(options).catch((caught: unknown) => caught);
    expect(isHeraldError(error, 'STORE_VERSION_MISMATCH'), 'migratePostgresStore refuses it too').toBe(true);
    expect(await versionsOf('from_the_future'), 'and changes nothing').toEqual(Array.from({ length: latestVersion + 1 }, (_, i) => i + 1));
    await dropSchema(server.connectionString, 'from_the_future');
  });

  it('keeps two schemas of one database apart', async () => {
    const [one, two] = await Promise.all(['apart_one', 'apart_two'].map((schema) => createPostgresStore({ connectionString: server.connectionString, schema, migrate: true })));
    try {
      const now = Date.now();
      const subscription = await one?.createSubscription({ userId: 'u', targetHostName: 'app', platformType: 'windows', transport: 't', address: 'a', expiresAt: now + 60_000 }, now);
      expect(await two?.getSubscription(subscription?.id as string)).toBeUndefined();
      expect(await two?.listSubscriptions('u')).toEqual([]);
    } finally {
      await Promise.all([one?.close(), two?.close()]);
      for (const schema of ['apart_one', 'apart_two']) await dropSchema(server.connectionString, schema);
    }
  });
});
