/**
 * A send inside the app's own transaction: the app's `pg` client, in an open transaction,
 * reaches the store with the write. The store runs the write's statements on it under a
 * savepoint, without BEGIN or COMMIT, so they commit or roll back with the app's change.
 */
import type { NotificationWrite } from '@herald/core/store';
import type { ClientBase } from 'pg';
import { storeError } from './errors.js';

/**
 * The app's client a write carries, if any. A client is anything with pg's `query`:
 * a `pg.Client` or a `PoolClient` the app checked out and began a transaction on.
 * @throws HeraldError `INVALID_ARGUMENT` when the write's `transaction` is not one.
 */
export function appClientOf(write: NotificationWrite): ClientBase | undefined {
  const { transaction } = write;
  if (transaction === undefined) return undefined;
  if (transaction === null || typeof transaction !== 'object' || typeof (transaction as { query?: unknown }).query !== 'function') {
    throw storeError('INVALID_ARGUMENT', 'the send option transaction must be a pg client (a pg.Client or a checked-out PoolClient) inside an open transaction');
  }
  return transaction as ClientBase;
}
