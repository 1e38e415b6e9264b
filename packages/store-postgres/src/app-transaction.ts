/**
 * A send inside the app's own transaction: the app's `pg` client, in an open transaction,
 * reaches the store with the write. The store runs the write's statements on it under a
 * savepoint, without BEGIN or COMMIT, so they commit or roll back with the app's change.
 * What the app can get wrong with that client is refused here, before anything is written:
 * a pool (each statement would run on another connection, outside any transaction), a
 * client outside a transaction or in an aborted one, a client of another database; and
 * writes that share one client run one after another, never interleaved.
 */
import type { NotificationWrite } from '@herald/core/store';
import type { ClientBase } from 'pg';
import { storeError } from './errors.js';

const expected = 'the send option transaction must be a pg client (a pg.Client or a checked-out PoolClient) inside an open transaction';

/**
 * The app's client a write carries, if any. A client is anything with pg's `query` and
 * `escapeLiteral` that is not a pool: a `pg.Client` or a `PoolClient` the app checked out and began a transaction on.
 * @throws HeraldError `INVALID_ARGUMENT` when the write's `transaction` is not one.
 */
export function appClientOf(write: NotificationWrite): ClientBase | undefined {
  const { transaction } = write;
  if (transaction === undefined) return undefined;
  if (transaction === null || typeof transaction !== 'object' || typeof (transaction as { query?: unknown }).query !== 'function') {
    throw storeError('INVALID_ARGUMENT', expected);
  }
  // A pg.Pool has `query` too, but runs each statement on whichever connection is free.
  if (typeof (transaction as { totalCount?: unknown }).totalCount === 'number') {
    throw storeError('INVALID_ARGUMENT', `${expected}, not a pg.Pool: check a client out with pool.connect(), run BEGIN on it, and pass that client`);
  }
  // Another library's transaction object (a query builder's, another driver's) may have a
  // `query` too, but answers in another shape; every pg client has `escapeLiteral`.
  if (typeof (transaction as { escapeLiteral?: unknown }).escapeLiteral !== 'function') {
    throw storeError('INVALID_ARGUMENT', `${expected}: this object has a query method but is not a pg client (no escapeLiteral); pass the pg client your transaction runs on`);
  }
  return transaction as ClientBase;
}

/**
 * The store's error for a savepoint the app's client could not open, or `undefined` when
 * `error` is not the app's doing: 25P01 (no transaction block) and 25P02 (the transaction
 * is aborted) are.
 */
export function savepointRefusal(error: unknown): Error | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === '25P01') return storeError('INVALID_ARGUMENT', `${expected}: this client is not in a transaction (run BEGIN on it first); nothing was written`, { cause: error });
  if (code === '25P02') {
    return storeError('INVALID_ARGUMENT', `${expected}: this client's transaction is aborted by an earlier error (roll it back, or back to a savepoint, first); nothing was written`, { cause: error });
  }
  return undefined;
}

/** The error for an app client connected to another database than the store's. */
export function otherDatabaseError(client: string, store: string): Error {
  return storeError('INVALID_ARGUMENT', `${expected}, connected to the store's database: this client is connected to ${client}, the store to ${store}; nothing was written`);
}

/**
 * The store's error for a serialization failure or deadlock (40001, 40P01) met inside the
 * app's transaction: PostgreSQL requires the whole transaction to run again (its snapshot
 * and the locks it took before are what conflicted), which only the app can do.
 */
export function appTransactionConflict(error: unknown, what: string): Error {
  const code = (error as { code?: unknown } | null)?.code;
  const kind = code === '40P01' ? 'a deadlock (SQLSTATE 40P01)' : 'a serialization failure (SQLSTATE 40001)';
  return storeError(
    'TRANSACTION_CONFLICT',
    `${what} met ${kind} inside the app's transaction, which only a new attempt of the whole transaction can get past: nothing of this send was written; roll the transaction back and run it again from its start`,
    { cause: error },
  );
}

/** The last write queued on each app client: the next one starts after it settles. */
const queues = new WeakMap<object, Promise<unknown>>();

/**
 * Runs `work` once every earlier write on `client` has settled. Writes that share one
 * client share one transaction: interleaved, one's savepoint and reads would mix with
 * another's writes (two notifications at one feed position, a rollback undoing the wrong one).
 */
export function oneAtATime<T>(client: object, work: () => Promise<T>): Promise<T> {
  const run = (queues.get(client) ?? Promise.resolve()).then(work, work);
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  queues.set(client, settled);
  // The last write on the client forgets the queue, so an idle client holds nothing.
  void settled.then(() => queues.get(client) === settled && queues.delete(client));
  return run;
}
