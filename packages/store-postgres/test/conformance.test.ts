/**
 * The store conformance suite of @herald/testing against a real PostgreSQL cluster started
 * for this file, unchanged: every group, the capability groups included (the store
 * declares durable, shared, wakeups, feedWakeups, sync and transactions). Each store gets a
 * schema of its own.
 */
import { afterAll, beforeAll } from 'vitest';
import { runStoreConformance } from '@herald/testing';
import { startPostgresServer, type PostgresServer } from './postgres-server.js';
import { schemaStores } from './schema-stores.js';

let server: PostgresServer;

beforeAll(async () => {
  server = await startPostgresServer();
});

afterAll(async () => {
  await server?.stop();
});

runStoreConformance({
  name: 'postgres',
  ...schemaStores(() => server.connectionString, 'conformance'),
});

// On the app's own pg.Pool, whose connections do not pipeline: the same statements, one
// round trip each. The property-based groups (text, durability) ran above on the same SQL.
runStoreConformance({
  name: 'postgres (the app’s pool)',
  ...schemaStores(() => server.connectionString, 'app_pool', { appPool: true }),
  skip: { text: true, durability: true },
});
