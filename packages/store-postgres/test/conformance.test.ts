/**
 * The store conformance suite of @herald/testing against a real PostgreSQL cluster started
 * for this file, unchanged: every group, the capability groups included (the store
 * declares durable, shared, wakeups, feedWakeups and sync). Each store gets a schema of
 * its own.
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
