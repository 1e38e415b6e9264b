/** `@herald/store-postgres`: Herald's store in the app's own PostgreSQL. */
export { createPostgresStore, migratePostgresStore, type PostgresStore, type PostgresStoreExtras } from './postgres-store.js';
export type { PostgresStoreOptions } from './options.js';
export type { MigrationResult } from './migrate.js';
