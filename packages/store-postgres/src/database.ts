/**
 * The store's way to PostgreSQL: statements on a pooled connection, transactions retried
 * after a serialization failure or a deadlock, a savepoint instead when the statements
 * join the app's own transaction, and every failure turned into the store's errors within
 * bounded time (a connection that is not made in time, a statement that does not answer).
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { ClientBase, Pool, PoolClient, QueryConfig, QueryResultRow } from 'pg';
import { messageOfThrown } from '@herald/core/store';
import { appTransactionConflict, oneAtATime, otherDatabaseError, savepointRefusal } from './app-transaction.js';
import { isRetryable, isUnavailable, storeError, storeFailure } from './errors.js';
import type { SchemaNames } from './schema.js';

/** Attempts of a transaction that meets serialization failures or deadlocks (40001, 40P01). */
const transactionAttempts = 5;

/** Statements inside one transaction, on one connection. */
export interface Transaction {
  /** The schema's names. */
  readonly names: SchemaNames;
  /** Runs one statement and returns its rows. */
  rows<R extends QueryResultRow>(text: string, values?: readonly unknown[]): Promise<R[]>;
  /** Sends `payload` on the schema's channel when the transaction commits (`pg_notify`). */
  notify(payload: string): Promise<void>;
  /**
   * Runs independent statements: issued back to back on a pipelining connection (the
   * store's own pool), one after another otherwise (pg refuses overlapping queries on a
   * client that does not pipeline). Resolves with their results in order; the first
   * failure rejects, and the transaction rolls back whole.
   */
  together<T extends readonly unknown[]>(...steps: { readonly [K in keyof T]: () => Promise<T[K]> }): Promise<T>;
}

/** One statement and its values. */
export interface Statement {
  readonly text: string;
  readonly values: readonly unknown[];
}

/** True when `client` pipelines: it sends queries without waiting for the answers before. */
function pipelines(client: ClientBase): boolean {
  return (client as { readonly pipeline?: unknown }).pipeline === true;
}

/** How long the store waits, in milliseconds. */
export interface DatabaseTimeouts {
  /** For a connection from the pool. */
  readonly connectTimeoutMs: number;
  /** For one statement's answer. */
  readonly statementTimeoutMs: number;
}

const statementNames = new Map<string, string>();

/** A prepared statement's name: a digest of its text, the same in every connection. */
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `herald_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    statementNames.set(text, name);
  }
  return name;
}

/** Which database a connection reaches: its name, and its server by port and start time. */
const identityQuery = `SELECT format('database %I (port %s, server started %s)', current_database(), current_setting('port'), pg_postmaster_start_time()) AS identity`;

/** App clients already found on the store's database (a pg client never changes database). */
const sameDatabaseClients = new WeakSet<object>();

/**
 * Listens for the errors of a connection the store has checked out of the pool: a lost
 * connection fails the statement under way (or the next one), which reports it; an 'error'
 * event without a listener would crash the process.
 */
function ignoreLostConnection(): void {}

/** Where the pool connects, as `host:port/database`, for messages (never the password); what it leaves out, pg takes from PGHOST and the like. */
function serverOf(pool: Pool): string {
  const { connectionString, host, port, database } = pool.options;
  if (connectionString !== undefined) {
    try {
      const url = new URL(connectionString);
      return `${url.hostname || 'localhost'}:${url.port || '5432'}${url.pathname}`;
    } catch {
      return 'the connectionString';
    }
  }
  return `${host ?? 'localhost'}:${port ?? 5432}/${database ?? ''}`;
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The pool, used the store's way. */
export class Database {
  readonly names: SchemaNames;
  readonly #pool: Pool;
  readonly #timeouts: DatabaseTimeouts;
  #identity: Promise<string> | undefined;

  constructor(pool: Pool, names: SchemaNames, timeouts: DatabaseTimeouts) {
    this.#pool = pool;
    this.names = names;
    this.#timeouts = timeouts;
  }

  /** One statement on a pooled connection, outside a transaction. */
  async rows<R extends QueryResultRow>(what: string, text: string, values: readonly unknown[] = []): Promise<R[]> {
    try {
      return await this.#withClient(what, (client) => this.#run<R>(client, text, values));
    } catch (error) {
      throw storeFailure(error, what);
    }
  }

  /**
   * `work` in a transaction of its own (`isolation` as given), retried from the start after
   * a serialization failure or a deadlock, at most {@link transactionAttempts} times. With
   * `client` (the app's, inside its open transaction), `work` runs on it under a savepoint
   * instead: no BEGIN or COMMIT, and a failure leaves the app's transaction as it was
   * before the call; a serialization failure or deadlock is not retried then (only the
   * app's whole transaction can be) but reported as `TRANSACTION_CONFLICT`.
   */
  async transaction<T>(what: string, work: (tx: Transaction) => Promise<T>, options: { readonly client?: ClientBase; readonly isolation?: string } = {}): Promise<T> {
    const { client } = options;
    if (client !== undefined) {
      return oneAtATime(client, () =>
        this.#inSavepoint(client, work).catch((error: unknown) => {
          // Not retried here: the app's snapshot and locks stay as they were, so only the whole transaction can be tried again.
          throw isRetryable(error) ? appTransactionConflict(error, what) : storeFailure(error, what);
        }),
      );
    }
    const begin = options.isolation === undefined ? 'BEGIN' : `BEGIN ISOLATION LEVEL ${options.isolation}`;
    return this.#attempts(what, () => this.#withClient(what, async (pooled) => {
      // On a pipelining connection the work's first statement follows BEGIN in one packet;
      // a BEGIN that failed fails that statement too.
      const begun = this.#run(pooled, begin);
      begun.catch(() => undefined);
      if (!pipelines(pooled)) await begun;
      try {
        const result = await work(this.#transactionOn(pooled));
        await begun;
        await this.#run(pooled, 'COMMIT');
        return result;
      } catch (error) {
        // A lost connection cannot roll back; the server ends the transaction with it.
        if (!isUnavailable(error)) await this.#run(pooled, 'ROLLBACK').catch(() => undefined);
        throw error;
      }
    }));
  }

  /**
   * `statements` in one transaction of their own on a pooled connection, retried like
   * {@link transaction}'s; resolves with each one's rows. On a pipelining connection
   * BEGIN, the statements and COMMIT go out back to back — one round trip — so none may
   * depend on an earlier one's answer. The first failure rejects and the transaction
   * rolls back whole (the server aborts it, and its COMMIT becomes a rollback).
   */
  pipelined(what: string, statements: readonly Statement[]): Promise<QueryResultRow[][]> {
    return this.#attempts(what, () =>
      this.#withClient(what, async (pooled) => {
        const all = ['BEGIN', ...statements, 'COMMIT'].map((statement) => (typeof statement === 'string' ? { text: statement, values: [] } : statement));
        const settled: PromiseSettledResult<QueryResultRow[]>[] = [];
        if (pipelines(pooled)) settled.push(...(await Promise.allSettled(all.map(({ text, values }) => this.#run(pooled, text, values)))));
        else {
          for (const { text, values } of all) {
            settled.push(...(await Promise.allSettled([this.#run(pooled, text, values)])));
            if (settled.at(-1)?.status === 'rejected') break;
          }
        }
        const failed = settled.find((outcome) => outcome.status === 'rejected');
        if (failed !== undefined) {
          // A statement the server refused aborted the transaction (and a pipelined COMMIT
          // ended it); ROLLBACK ends it in any case. A lost connection cannot roll back.
          if (!isUnavailable(failed.reason)) await this.#run(pooled, 'ROLLBACK').catch(() => undefined);
          throw failed.reason;
        }
        return settled.slice(1, -1).map((outcome) => (outcome as PromiseFulfilledResult<QueryResultRow[]>).value);
      }),
    );
  }

  async #attempts<T>(what: string, attempt: () => Promise<T>): Promise<T> {
    for (let made = 1; ; made++) {
      try {
        return await attempt();
      } catch (error) {
        if (!isRetryable(error) || made >= transactionAttempts) throw storeFailure(error, what);
        // Jittered, growing pauses, so transactions that collided do not collide again.
        await pause(Math.random() * 5 * 2 ** made);
      }
    }
  }

  async #inSavepoint<T>(client: ClientBase, work: (tx: Transaction) => Promise<T>): Promise<T> {
    await this.#run(client, 'SAVEPOINT herald_write').catch((error: unknown) => {
      throw savepointRefusal(error) ?? error;
    });
    try {
      await this.#checkSameDatabase(client);
      const result = await work(this.#transactionOn(client));
      await this.#run(client, 'RELEASE SAVEPOINT herald_write');
      return result;
    } catch (error) {
      // An error the server sent (a statement cancelled by the app's statement_timeout
      // included) leaves the connection usable: back to the savepoint, so the app's
      // transaction goes on. A lost connection cannot roll back.
      if (!isUnavailable(error) || error instanceof pg.DatabaseError) await this.#run(client, 'ROLLBACK TO SAVEPOINT herald_write').catch(() => undefined);
      throw error;
    }
  }

  /** The store's database, as {@link identityQuery} names it; read again when `fresh` (a restarted server). */
  #storeIdentity(fresh: boolean): Promise<string> {
    if (fresh || this.#identity === undefined) {
      const reading = this.rows<{ identity: string }>('saveNotification', identityQuery).then(([row]) => row?.identity ?? '');
      this.#identity = reading;
      reading.catch(() => this.#identity === reading && (this.#identity = undefined));
    }
    return this.#identity;
  }

  /** @throws HeraldError `INVALID_ARGUMENT` when the app's client reaches another database than the store's pool. */
  async #checkSameDatabase(client: ClientBase): Promise<void> {
    if (sameDatabaseClients.has(client)) return;
    const [row] = await this.#run<{ identity: string }>(client, identityQuery);
    const identity = row?.identity ?? '';
    if (identity !== (await this.#storeIdentity(false)) && identity !== (await this.#storeIdentity(true))) {
      throw otherDatabaseError(identity, await this.#storeIdentity(false));
    }
    sameDatabaseClients.add(client);
  }

  #transactionOn(client: ClientBase): Transaction {
    const { names } = this;
    return {
      names,
      rows: <R extends QueryResultRow>(text: string, values: readonly unknown[] = []) => this.#run<R>(client, text, values),
      notify: async (payload: string) => {
        await this.#run(client, 'SELECT pg_notify($1, $2)', [names.channel, payload]);
      },
      together: (async (...steps: (() => Promise<unknown>)[]) => {
        if (pipelines(client)) {
          // The first failure in statement order is the cause: the ones after it fail only
          // because it aborted the transaction (25P02), and may settle first.
          const settled = await Promise.allSettled(steps.map((step) => step()));
          const failed = settled.find((outcome) => outcome.status === 'rejected');
          if (failed !== undefined) throw failed.reason;
          return settled.map((outcome) => (outcome as PromiseFulfilledResult<unknown>).value);
        }
        const results: unknown[] = [];
        for (const step of steps) results.push(await step());
        return results;
      }) as Transaction['together'],
    };
  }

  async #run<R extends QueryResultRow>(client: ClientBase, text: string, values: readonly unknown[] = []): Promise<R[]> {
    // query_timeout bounds the wait on the client side too: a server that vanished without
    // closing the socket never sends the statement_timeout error.
    const config: QueryConfig & { query_timeout: number } = { text, values: values as unknown[], query_timeout: this.#timeouts.statementTimeoutMs };
    // A statement with parameters is prepared once per connection, under a name from its
    // text: later runs send only its values, and the server parses and plans it once.
    if (values.length > 0) config.name = statementName(text);
    const result = await client.query<R>(config);
    return result.rows;
  }

  async #withClient<T>(what: string, work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.#connect(what);
    let broken: Error | undefined;
    try {
      return await work(client);
    } catch (error) {
      if (isUnavailable(error)) broken = error instanceof Error ? error : new Error(messageOfThrown(error));
      // A serialization failure or deadlock stays as it is, for the transaction's retry.
      throw isRetryable(error) ? error : storeFailure(error, what);
    } finally {
      // Back in the pool, the pool's own listener takes the connection's errors again.
      client.removeListener('error', ignoreLostConnection);
      // A broken connection is dropped, not returned to the pool for the next call.
      client.release(broken);
    }
  }

  /**
   * A connection from the pool, with {@link ignoreLostConnection} listening for its errors
   * until {@link #withClient} gives it back.
   */
  async #connect(what: string): Promise<PoolClient> {
    const { connectTimeoutMs } = this.#timeouts;
    let timer: NodeJS.Timeout | undefined;
    let late = false;
    const connecting = new Promise<PoolClient>((resolve, reject) => {
      // The callback, not the promise: the pool calls it in the same turn as it takes its
      // own listener off, while a promise's continuation runs only after the rest of the
      // socket's packet is parsed — and a FATAL in the packet that made the connection
      // ready (a server going down) would then be an 'error' event with no listener, which
      // crashes the process.
      this.#pool.connect((error, client) => {
        if (client === undefined) return reject(error ?? new Error('the pool gave no connection'));
        client.on('error', ignoreLostConnection);
        // A connection that arrives after the deadline goes back to the pool unused.
        if (!late) return resolve(client);
        client.removeListener('error', ignoreLostConnection);
        client.release();
      });
    });
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        late = true;
        reject(storeError('STORE_UNAVAILABLE', `${what} failed: no connection to PostgreSQL at ${serverOf(this.#pool)} within ${connectTimeoutMs} ms; check that the server runs there and accepts connections, then retry`));
      }, connectTimeoutMs);
    });
    connecting.catch(() => undefined);
    try {
      return await Promise.race([connecting, deadline]);
    } catch (error) {
      // The driver's own refusals and timeouts name no server: the message does.
      throw storeFailure(error, `${what} (connecting to ${serverOf(this.#pool)})`);
    } finally {
      clearTimeout(timer);
    }
  }
}
