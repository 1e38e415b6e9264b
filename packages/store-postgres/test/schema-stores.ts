/**
 * Stores for the tests, each in a schema of its own on one server, and reopened on the same
 * schema: the PostgreSQL store declares `durable`, so the suite's `durability` group closes
 * a store and opens its schema again.
 */
import type { NotificationStore } from '@herald/core';
import pg from 'pg';
import { createPostgresStore, type PostgresStore, type PostgresStoreOptions } from '../src/index.js';

/** What `runStoreConformance` needs to open, reopen and drop stores. */
export interface SchemaStores {
  readonly createStore: () => Promise<NotificationStore>;
  readonly reopenStore: (store: NotificationStore) => Promise<NotificationStore>;
  readonly destroyStore: (store: NotificationStore) => Promise<void>;
}

/** The schema of a store that {@link schemaStores} opened. */
function schemaOf(store: NotificationStore): string {
  return (store as PostgresStore).schema;
}

/** Drops a schema and everything in it. */
export async function dropSchema(connectionString: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** Stores on `connectionString`, in the schemas `<name>_1`, `<name>_2`, …, migrated when opened. */
export function schemaStores(connectionString: () => string, name: string, extra: Partial<PostgresStoreOptions> = {}): SchemaStores {
  let count = 0;
  const open = (schema: string): Promise<PostgresStore> => createPostgresStore({ connectionString: connectionString(), schema, migrate: true, ...extra });
  return {
    createStore: () => open(`${name}_${(count += 1)}`),
    reopenStore: async (store) => {
      await store.close();
      return open(schemaOf(store));
    },
    destroyStore: (store) => dropSchema(connectionString(), schemaOf(store)),
  };
}
