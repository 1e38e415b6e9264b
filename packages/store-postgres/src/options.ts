/**
 * The PostgreSQL store's options, checked when the store is created: a wrong option is a
 * `TypeError` (`INVALID_OPTION`) naming it, thrown at once, not a surprise at the first send.
 */
import { checkLogger, checkOptionsObject, describeValue, optionError, wholeNumberOption, type Logger } from '@herald/core/store';
import type { Pool } from 'pg';
import { errorSource } from './errors.js';
import { schemaNames, type SchemaNames } from './schema.js';

/** Options of {@link createPostgresStore}: pass `pool` or `connectionString`, not both. */
export interface PostgresStoreOptions {
  /**
   * A `pg.Pool` of the app's to use; the store leaves it open when it closes, and opens one
   * more connection with its settings for LISTEN (wake-ups). Give it an `error` listener:
   * an idle connection that fails is reported there.
   * @default undefined (give `connectionString` instead)
   */
  readonly pool?: Pool | undefined;
  /**
   * A `postgres://` or `postgresql://` connection string; the store creates its own pool
   * (with `statement_timeout` set on its connections) and ends it when the store closes.
   * @default undefined (give `pool` instead)
   */
  readonly connectionString?: string | undefined;
  /**
   * The schema that holds Herald's tables, apart from the app's: 1–48 letters, digits or
   * `_`, starting with a letter or `_`, not `pg_…` or `information_schema` (PostgreSQL's own;
   * always quoted in SQL, so case is kept).
   * @default 'herald'
   */
  readonly schema?: string | undefined;
  /**
   * Apply the package's migrations when the store opens (idempotent, safe when several
   * instances open at once). When false, a schema at another version is refused with
   * `STORE_VERSION_MISMATCH`, naming the migrations to run (`migratePostgresStore`).
   * @default false
   */
  readonly migrate?: boolean | undefined;
  /**
   * Longest wait for a connection from the pool, in milliseconds, before a call fails
   * with `STORE_UNAVAILABLE` (1–600000).
   * @default 5000
   */
  readonly connectTimeoutMs?: number | undefined;
  /**
   * Longest wait for one statement's answer, in milliseconds, before the call fails with
   * `STORE_UNAVAILABLE` (1–600000): server-side (`statement_timeout`) on the store's own
   * pool, and client-side on every statement.
   * @default 10000
   */
  readonly statementTimeoutMs?: number | undefined;
  /**
   * Most connections of the pool the store creates from `connectionString` (1–1000);
   * not with `pool`, whose size is the app's.
   * @default 10
   */
  readonly maxConnections?: number | undefined;
  /**
   * Where the store logs (pino's methods; `component` `store-postgres` and `schema`
   * bound): the listening connection lost (`warn`, `CONNECTION_LOST`, once per outage; each
   * failed attempt to listen again, one a second, is a `debug` record) and back (`info`,
   * `CONNECTION_RESTORED`, with `downMs` and `attempts`), a listener that throws and an idle
   * connection of its own pool that failed (`error`).
   * @default process warnings for errors and losses, and for the listening connection back
   */
  readonly logger?: Logger | undefined;
}

/** The options after checking, with their defaults. */
export interface CheckedPostgresStoreOptions {
  readonly pool: Pool | undefined;
  readonly connectionString: string | undefined;
  readonly names: SchemaNames;
  readonly migrate: boolean;
  readonly connectTimeoutMs: number;
  readonly statementTimeoutMs: number;
  readonly maxConnections: number;
  readonly logger: Logger | undefined;
}

const optionNames: readonly (keyof PostgresStoreOptions)[] = ['pool', 'connectionString', 'schema', 'migrate', 'connectTimeoutMs', 'statementTimeoutMs', 'maxConnections', 'logger'];

function checkPool(value: unknown): Pool | undefined {
  if (value === undefined) return undefined;
  const pool = value as Record<string, unknown> | null;
  if (pool === null || typeof pool !== 'object' || typeof pool['connect'] !== 'function' || typeof pool['query'] !== 'function' || typeof pool['options'] !== 'object') {
    throw optionError(errorSource, `option pool must be a pg.Pool (got ${describeValue(value)})`);
  }
  return value as Pool;
}

function checkConnectionString(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^postgres(ql)?:\/\/./.test(value) || !value.isWellFormed()) {
    throw optionError(errorSource, `option connectionString must be a postgres:// or postgresql:// URL (got ${describeValue(value)})`);
  }
  return value;
}

/** A time bound: 1 ms to 10 minutes. */
const timeRange = { min: 1, max: 600_000, unit: 'milliseconds' } as const;

/** Checks the options of {@link createPostgresStore}; throws a `TypeError` naming a bad one. */
export function checkPostgresStoreOptions(options: unknown): CheckedPostgresStoreOptions {
  checkOptionsObject(errorSource, 'the options of createPostgresStore', options, optionNames);
  const given = options as Record<string, unknown>;
  const pool = checkPool(given['pool']);
  const connectionString = checkConnectionString(given['connectionString']);
  if ((pool === undefined) === (connectionString === undefined)) {
    throw optionError(errorSource, 'pass exactly one of the options pool (a pg.Pool the store leaves open) and connectionString (the store makes its own pool and ends it)');
  }
  const migrate = given['migrate'] ?? false;
  if (typeof migrate !== 'boolean') throw optionError(errorSource, `option migrate must be true or false (got ${describeValue(migrate)})`);
  if (pool !== undefined && given['maxConnections'] !== undefined) {
    throw optionError(errorSource, 'option maxConnections sizes the pool made from connectionString; with option pool, size your pool instead');
  }
  return {
    pool,
    connectionString,
    names: schemaNames(given['schema'] ?? 'herald'),
    migrate,
    connectTimeoutMs: wholeNumberOption(errorSource, 'connectTimeoutMs', given['connectTimeoutMs'], timeRange) ?? 5000,
    statementTimeoutMs: wholeNumberOption(errorSource, 'statementTimeoutMs', given['statementTimeoutMs'], timeRange) ?? 10_000,
    maxConnections: wholeNumberOption(errorSource, 'maxConnections', given['maxConnections'], { min: 1, max: 1000, unit: 'connections' }) ?? 10,
    logger: checkLogger(errorSource, 'option logger', given['logger']),
  };
}
