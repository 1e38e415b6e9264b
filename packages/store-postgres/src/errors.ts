/**
 * Errors of this package, prefixed `[herald] [store-postgres]`, and how a driver or server
 * error becomes one: a connection that cannot be made or was lost, and a statement that
 * ran out of time, are `STORE_UNAVAILABLE` (retry later); a serialization failure or a
 * deadlock is retried inside the store; a repeated id is `INVALID_ARGUMENT`.
 */
import { errorFactory, HeraldError, isHeraldError } from '@herald/core/store';

/** Where this package's messages say they came from. */
export const errorSource = 'store-postgres';

/** Builds a `HeraldError` whose message starts `[herald] [store-postgres]`. */
export const storeError = errorFactory(errorSource);

/** What the driver and the server put on their errors. */
interface DriverError {
  readonly code?: unknown;
  readonly message?: unknown;
  readonly constraint?: unknown;
}

/** SQLSTATEs a transaction is retried after, as PostgreSQL advises: serialization_failure, deadlock_detected. */
const retryableStates = new Set(['40001', '40P01']);

/**
 * SQLSTATEs and socket codes that mean the server cannot be used now: class 08 (connection
 * exception), admin or crash shutdown, "cannot connect now" (starting up or recovering),
 * too many connections, a statement cancelled by `statement_timeout`, and the socket's own.
 */
const unavailableStates = new Set(['57P01', '57P02', '57P03', '53300', '57014', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** Messages of the driver's own connection failures (they carry no code). */
const unavailableMessages = /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Connection closed|not queryable|the database system is (starting up|shutting down)/i;

/**
 * SQLSTATEs that say the server refuses this store as it is set up, which no retry fixes:
 * class 28 (the role or its password), 3D000 (no such database), 42501 (a privilege the
 * role lacks: CREATE on the database for migrating, or use of the schema's tables), 25006
 * (a read-only server or session: a standby, or default_transaction_read_only).
 */
function isInaccessible(code: string): boolean {
  return code.startsWith('28') || code === '3D000' || code === '42501' || code === '25006';
}

/**
 * SQLSTATEs that say the schema's tables are not there (dropped, or never migrated on this
 * database): 3F000 (no such schema), 42P01 (no such table).
 */
const missingTableStates = new Set(['3F000', '42P01']);

function codeOf(error: unknown): string | undefined {
  const code = (error as DriverError | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** True for a failure a new attempt of the whole transaction may not meet (40001, 40P01). */
export function isRetryable(error: unknown): boolean {
  const code = codeOf(error);
  return code !== undefined && retryableStates.has(code);
}

/** True when `error` says the server or the connection to it is unusable. */
export function isUnavailable(error: unknown): boolean {
  if (isHeraldError(error)) return error.code === 'STORE_UNAVAILABLE';
  const code = codeOf(error);
  if (code !== undefined && (code.startsWith('08') || unavailableStates.has(code))) return true;
  const message = (error as DriverError | null)?.message;
  return typeof message === 'string' && unavailableMessages.test(message);
}

/**
 * `error` as the store reports it: a `HeraldError` stays as it is; an unusable server is
 * `STORE_UNAVAILABLE` (so is a serialization failure or deadlock that outlasted the
 * retries), a refusal of the database, role or privileges `STORE_INACCESSIBLE`, missing
 * tables `STORE_VERSION_MISMATCH`, a unique violation `INVALID_ARGUMENT` (a write reused an id the
 * service mints fresh); anything else is returned unchanged (a fault to report as it is).
 * `what` names the call for the message.
 */
export function storeFailure(error: unknown, what: string): unknown {
  if (error instanceof HeraldError) return error;
  if (isUnavailable(error)) {
    return storeError('STORE_UNAVAILABLE', `${what} failed: PostgreSQL cannot be reached or did not answer in time (${String((error as DriverError).message)}); check that the server runs where the pool or connectionString points, then retry`, { cause: error });
  }
  if (isRetryable(error)) {
    return storeError('STORE_UNAVAILABLE', `${what} kept meeting concurrent writes (serialization failure or deadlock) after every retry; retry later`, { cause: error });
  }
  const code = codeOf(error);
  if (code !== undefined && isInaccessible(code)) {
    return storeError('STORE_INACCESSIBLE', `${what} refused by PostgreSQL: ${String((error as DriverError).message)} (SQLSTATE ${code}); check the database, role and privileges of the pool or connectionString`, { cause: error });
  }
  if (code !== undefined && missingTableStates.has(code)) {
    return storeError('STORE_VERSION_MISMATCH', `${what} found no Herald tables: ${String((error as DriverError).message)}; run migratePostgresStore(options), or open the store with migrate: true`, { cause: error });
  }
  if (code === '23505') {
    const constraint = (error as DriverError).constraint;
    return storeError('INVALID_ARGUMENT', `${what} refused: an id is already taken (${typeof constraint === 'string' ? constraint : 'unique violation'}); the service mints a fresh one per record`, { cause: error });
  }
  return error;
}
