/**
 * The schema that keeps Herald's tables apart from the app's: one validated name, quoted
 * wherever it is written into SQL, so no option can inject SQL or collide with a keyword.
 */
import { optionError } from '@herald/core/store';
import { errorSource } from './errors.js';

/** Letters, digits and `_`, starting with a letter or `_`, at most 48 bytes (the wake-up channel adds 7 to PostgreSQL's 63). */
const schemaPattern = /^[A-Za-z_][A-Za-z0-9_]{0,47}$/;

/** The schema's qualified names, ready to write into SQL. */
export interface SchemaNames {
  /** The schema as given. */
  readonly schema: string;
  /** The schema, quoted: `"herald"`. */
  readonly quoted: string;
  /** The channel of wake-ups and feed announcements (LISTEN/NOTIFY): `herald:<schema>`. */
  readonly channel: string;
  /** The migrations table. */
  readonly migrations: string;
  /** One row per user: the change sequence (the row writes lock), the purge mark. */
  readonly users: string;
  /** Notifications in users' feeds. */
  readonly notifications: string;
  /** Deleted notifications, for the change feed. */
  readonly tombstones: string;
  /** Endpoints. */
  readonly subscriptions: string;
  /** The outbox. */
  readonly deliveries: string;
  /** Idempotency keys with the result they replay. */
  readonly idempotencyKeys: string;
  /** Unread notifications per user, app and group. */
  readonly unreadCounts: string;
  /** The order of deaths, for the dead-delivery list's page tokens. */
  readonly deadSerial: string;
}

/**
 * The names of `schema`, checked: the pattern above, and not a schema of PostgreSQL's own.
 * @throws TypeError (`INVALID_OPTION`) naming option `schema`.
 */
export function schemaNames(schema: unknown): SchemaNames {
  if (typeof schema !== 'string' || !schemaPattern.test(schema)) {
    throw optionError(errorSource, `option schema must be 1–48 letters, digits or '_', starting with a letter or '_' (got ${JSON.stringify(schema)})`);
  }
  // PostgreSQL refuses to create a schema named pg_… (its own), and information_schema is the standard's catalog.
  if (schema.startsWith('pg_') || schema === 'information_schema') {
    throw optionError(errorSource, `option schema must not be ${JSON.stringify(schema)}: names starting pg_ and information_schema belong to PostgreSQL; choose another, e.g. 'herald'`);
  }
  const quoted = `"${schema}"`;
  const table = (name: string): string => `${quoted}."${name}"`;
  return {
    schema,
    quoted,
    channel: `herald:${schema}`,
    migrations: table('herald_migrations'),
    users: table('users'),
    notifications: table('notifications'),
    tombstones: table('tombstones'),
    subscriptions: table('subscriptions'),
    deliveries: table('deliveries'),
    idempotencyKeys: table('idempotency_keys'),
    unreadCounts: table('unread_counts'),
    deadSerial: table('dead_serial'),
  };
}
