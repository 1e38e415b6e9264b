/**
 * Applying the schema's migrations, and checking a schema's version. Migrating runs in one
 * transaction under an advisory lock of the schema (`pg_advisory_xact_lock`), so instances
 * that start at once apply each migration once: the first applies, the others wait and
 * then find nothing left to do.
 */
import type { Database, Transaction } from './database.js';
import { storeError } from './errors.js';
import { latestVersion, migrationLabel, migrations } from './migrations/index.js';

/** The advisory lock's first key: "HRLD". The second is the schema's hash. */
const lockClass = 0x4852_4c44;

/** What migrating did. */
export interface MigrationResult {
  /** The migrations applied by this call, as `1 (initial)`; empty when the schema was current. */
  readonly applied: readonly string[];
  /** The schema's version afterwards. */
  readonly version: number;
}

async function versionIn(tx: Pick<Transaction, 'rows' | 'names'>): Promise<number> {
  const [row] = await tx.rows<{ version: number }>(`SELECT coalesce(max(version), 0)::integer AS version FROM ${tx.names.migrations}`);
  return row?.version ?? 0;
}

function newerError(schema: string, version: number): Error {
  return storeError(
    'STORE_VERSION_MISMATCH',
    `the schema "${schema}" is at version ${version}, newer than this @herald/store-postgres (version ${latestVersion}); upgrade the package`,
  );
}

/** Applies every migration the schema lacks. @throws `STORE_VERSION_MISMATCH` when the schema is newer than the package. */
export function migrateSchema(db: Database): Promise<MigrationResult> {
  return db.transaction('migrate', async (tx) => {
    const { names } = tx;
    await tx.rows('SELECT pg_advisory_xact_lock($1, hashtext($2))', [lockClass, names.schema]);
    await tx.rows(`CREATE SCHEMA IF NOT EXISTS ${names.quoted}`);
    await tx.rows(`CREATE TABLE IF NOT EXISTS ${names.migrations} (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const current = await versionIn(tx);
    if (current > latestVersion) throw newerError(names.schema, current);
    const applied: string[] = [];
    for (const migration of migrations.filter((step) => step.version > current)) {
      await tx.rows(migration.sql(names));
      await tx.rows(`INSERT INTO ${names.migrations} (version, name) VALUES ($1, $2)`, [migration.version, migration.name]);
      applied.push(migrationLabel(migration));
    }
    return { applied, version: latestVersion };
  });
}

/**
 * Checks that the schema is at this package's version.
 * @throws `STORE_VERSION_MISMATCH` naming the migrations to run, or saying the schema is newer.
 */
export async function checkSchemaVersion(db: Database): Promise<void> {
  // No schema or no migrations table yet: version 0.
  const [found] = await db.rows<{ present: boolean }>('open', 'SELECT to_regclass($1) IS NOT NULL AS present', [db.names.migrations]);
  const version = found?.present === true ? await versionIn({ names: db.names, rows: (text, values) => db.rows('open', text, values) }) : 0;
  if (version > latestVersion) throw newerError(db.names.schema, version);
  if (version < latestVersion) {
    const missing = migrations.filter((step) => step.version > version).map(migrationLabel);
    throw storeError(
      'STORE_VERSION_MISMATCH',
      `the schema "${db.names.schema}" is at version ${version}; this @herald/store-postgres needs ${latestVersion}: run migration${missing.length === 1 ? '' : 's'} ${missing.join(', ')} with migratePostgresStore(options), or open the store with migrate: true`,
    );
  }
}
