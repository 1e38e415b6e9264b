/**
 * Stores for the tests, each in a schema of its own on one server, and reopened on the same
 * schema: the PostgreSQL store declares `durable`, so the suite's `durability` group closes
 * a store and opens its schema again.
 */
import type { NotificationStore } from '@herald/core';
import pg from 'pg';
import { createPostgresStore, type PostgresStore } from '../src/index.js';

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

/** The app's pools the stores were given, ended with their store. */
const appPools = new WeakMap<NotificationStore, pg.Pool>();

/**
 * Stores on `connectionString`, in the schemas `<name>_1`, `<name>_2`, …, migrated when
 * opened: each with a pool of its own (which pipelines), or with `appPool` on a `pg.Pool`
 * made as an app makes one (which does not) and ended when the store is destroyed.
 */
export function schemaStores(connectionString: () => string, name: string, options: { readonly appPool?: boolean } = {}): SchemaStores {
  let count = 0;
  const open = async (schema: string): Promise<PostgresStore> => {
    if (options.appPool !== true) return createPostgresStore({ connectionString: connectionString(), schema, migrate: true });
    const pool = new pg.Pool({ connectionString: connectionString(), max: 5 });
    pool.on('error', () => undefined);
    const store = await createPostgresStore({ pool, schema, migrate: true });
    appPools.set(store, pool);
    return store;
  };
  return {
    createStore: () => open(`${name}_${(count += 1)}`),
    reopenStore: async (store) => {
      await store.close();
      await appPools.get(store)?.end();
      return open(schemaOf(store));
    },
    destroyStore: async (store) => {
      const pool = appPools.get(store);
      appPools.delete(store);
      if (pool !== undefined && !pool.ended) await pool.end();
      await dropSchema(connectionString(), schemaOf(store));
    },
  };
}
