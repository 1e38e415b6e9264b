/**
 * A server that refuses the store as it is set up, against a real PostgreSQL cluster: no
 * such database, no such role, a role without the privileges migrating or reading needs, a
 * read-only session — each is `STORE_INACCESSIBLE` (no retry fixes it), and tables dropped
 * under an open store are `STORE_VERSION_MISMATCH` naming the migration to run; never the
 * driver's raw error.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createNotificationService, isHeraldError, type HeraldErrorCode } from '@herald/core';
import { createPostgresStore, migratePostgresStore } from '../src/index.js';
import { startPostgresServer, type PostgresServer } from './postgres-server.js';

let server: PostgresServer;

beforeAll(async () => {
  server = await startPostgresServer();
  await server.sql('CREATE ROLE weak LOGIN');
  await migratePostgresStore({ connectionString: server.connectionString, schema: 'guarded' });
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

/** The connection string with `change` applied to its URL. */
function url(change: (url: URL) => void): string {
  const parsed = new URL(server.connectionString);
  change(parsed);
  return parsed.href;
}

const refusals: ReadonlyArray<{ readonly what: string; readonly connectionString: () => string; readonly schema: string; readonly migrate: boolean; readonly message: RegExp }> = [
  { what: 'a database that does not exist', connectionString: () => url((u) => (u.pathname = '/nosuchdb')), schema: 'herald', migrate: false, message: /nosuchdb/ },
  { what: 'a role that does not exist', connectionString: () => url((u) => (u.username = 'nosuchrole')), schema: 'herald', migrate: true, message: /nosuchrole/ },
  { what: 'a role that may not create the schema', connectionString: () => url((u) => (u.username = 'weak')), schema: 'fresh', migrate: true, message: /permission denied/ },
  { what: 'a role that may not read the schema', connectionString: () => url((u) => (u.username = 'weak')), schema: 'guarded', migrate: false, message: /permission denied/ },
  {
    what: 'a read-only session',
    connectionString: () => url((u) => u.searchParams.set('options', '-c default_transaction_read_only=on')),
    schema: 'fresh',
    migrate: true,
    message: /read-only/,
  },
];

it.each(refusals)('refuses $what with STORE_INACCESSIBLE', async ({ connectionString, schema, migrate, message }) => {
  const opening = createPostgresStore({ connectionString: connectionString(), schema, migrate, connectTimeoutMs: 5000 });
  await expect(opening).rejects.toSatisfy((error: unknown) => isHeraldError(error, 'STORE_INACCESSIBLE'));
  await expect(opening).rejects.toThrow(message);
  if (migrate) await expect(migratePostgresStore({ connectionString: connectionString(), schema })).rejects.toSatisfy((error: unknown) => isHeraldError(error, 'STORE_INACCESSIBLE'));
});

it('answers every call with STORE_VERSION_MISMATCH, not a raw error, when the schema is dropped under an open store', async () => {
  const store = await createPostgresStore({ connectionString: server.connectionString, schema: 'dropped', migrate: true });
  const herald = createNotificationService({ store, transports: [{ name: 'push', send: async () => undefined }], dispatcher: { autoStart: false } });
  try {
    await herald.subscriptions.create('alice', { targetHostName: 'shop.example.com', platformType: 'windows', transport: 'push', address: 'device-1' });
    await server.sql('DROP SCHEMA dropped CASCADE');
    const calls: ReadonlyArray<readonly [string, () => Promise<unknown>]> = [
      ['send', () => herald.send({ targetHostName: 'shop.example.com', appNotificationId: 'a', payload: { rawContent: 'x' } }, { userId: 'alice' })],
      ['feed.list', () => herald.feed.list('alice')],
      ['feed.unreadCount', () => herald.feed.unreadCount('alice')],
      ['subscriptions.list', () => herald.subscriptions.list('alice')],
    ];
    for (const [name, call] of calls) {
      const code: HeraldErrorCode = 'STORE_VERSION_MISMATCH';
      await expect(call(), name).rejects.toSatisfy((error: unknown) => isHeraldError(error, code));
      await expect(call(), name).rejects.toThrow(/migratePostgresStore/);
    }
  } finally {
    await herald.close();
  }
});
