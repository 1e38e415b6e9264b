/**
 * The store's connection to Redis: runs scripts (`EVALSHA`, `EVAL` on `NOSCRIPT`), fails
 * at once while the connection is down instead of queueing, and turns what ioredis
 * throws into `HeraldError`s with stable codes: `STORE_UNAVAILABLE` for anything a later
 * retry may fix (no connection, a timeout, a server loading its data), `STORE_CORRUPT`
 * when the keys hold something that is not Herald's.
 */
import { HeraldError, messageOfThrown } from '@herald/core/store';
import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import type { RedisClient, RedisClientBase, RedisClusterClient, ScriptArgument } from './client.js';
import { storeError } from './errors.js';
import type { LuaScript } from './scripts/index.js';

/** Replies of a server that cannot serve now but may soon: worth a retry. */
const transientReplies = ['LOADING', 'BUSY', 'TRYAGAIN', 'CLUSTERDOWN', 'MASTERDOWN', 'READONLY', 'OOM', 'NOAUTH', 'WRONGPASS', 'NOPERM', 'MOVED', 'ASK'];

function isReplyError(error: unknown): error is Error {
  return error instanceof Error && error.name === 'ReplyError';
}

/**
 * Options of a client the store creates from a URL: calls fail at once while the
 * connection is down (no offline queue), and a call in flight when it broke is failed
 * rather than sent again after the reconnect (a script that did run must not run twice).
 * ioredis keeps reconnecting, so the store recovers by itself when Redis returns. No
 * per-command timeout: the store bounds each of its calls itself, with one timer for all.
 */
function ownClientOptions(commandTimeoutMs: number, connectTimeoutMs: number): RedisOptions {
  return {
    lazyConnect: true,
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    connectTimeout: Math.min(connectTimeoutMs, commandTimeoutMs),
    retryStrategy: (attempt: number) => Math.min(attempt * 100, 1000),
  };
}

/** Creates the store's own client for `url` (not yet connected). */
export function createOwnClient(url: string, commandTimeoutMs: number, connectTimeoutMs: number): Redis {
  return new Redis(url, ownClientOptions(commandTimeoutMs, connectTimeoutMs));
}

/**
 * True for a cluster client. Asked of the client rather than by `instanceof`, which fails
 * when the application's ioredis is another copy than this package's.
 */
export function isCluster(client: RedisClient): client is RedisClusterClient {
  return client.isCluster;
}

/** A short description of where a client connects, for messages. */
function describeClient(client: RedisClientBase): string {
  if (client.isCluster) return 'the Redis cluster';
  const { host, port } = client.options;
  return `Redis at ${host ?? 'localhost'}:${port ?? 6379}`;
}

/** Runs the store's scripts on one client and translates its failures. */
export class RedisLink {
  /** The client scripts run on. */
  readonly client: RedisClient;
  /** Where the client connects, for messages. */
  readonly where: string;
  /** The last connection error the client reported, when the store watches it. */
  lastError: Error | undefined;

  constructor(client: RedisClient) {
    this.client = client;
    this.where = describeClient(client);
  }

  /** Runs `script` with `key` as its only key (the one that routes it to a slot) and `args`. */
  async run(script: LuaScript, key: string, args: readonly ScriptArgument[]): Promise<unknown> {
    this.assertConnected();
    try {
      return await this.client.evalsha(script.sha, 1, key, ...args);
    } catch (error) {
      if (!isReplyError(error) || !error.message.startsWith('NOSCRIPT')) throw this.translate(error, script.name);
    }
    try {
      // EVAL runs the script and caches it, so the next EVALSHA finds it.
      return await this.client.eval(script.source, 1, key, ...args);
    } catch (error) {
      throw this.translate(error, script.name);
    }
  }

  /** Fails fast, without sending, while the client has no usable connection. */
  assertConnected(): void {
    if (this.client.status !== 'ready') throw this.unavailable(`the connection is ${this.client.status}; the call was not sent`);
  }

  /** A `STORE_UNAVAILABLE` error saying why. */
  unavailable(why: string, cause?: unknown): HeraldError {
    const last = this.lastError === undefined ? '' : `; last connection error: ${this.lastError.message}`;
    return storeError('STORE_UNAVAILABLE', `${this.where} cannot be reached (${why}${last}); retry later`, {
      cause: cause ?? this.lastError,
    });
  }

  /** Turns an ioredis failure into a `HeraldError`. */
  translate(error: unknown, operation: string): HeraldError {
    if (error instanceof HeraldError) return error;
    const message = messageOfThrown(error);
    if (isReplyError(error)) {
      const code = message.split(' ', 1)[0] ?? '';
      if (code === 'WRONGTYPE') {
        return storeError('STORE_CORRUPT', `${operation}: a key under this prefix holds data that is not Herald's (${message}); use another prefix`, { cause: error });
      }
      if (!transientReplies.includes(code)) {
        return storeError('INTERNAL', `${operation} failed in Redis: ${message}`, { cause: error });
      }
      return storeError('STORE_UNAVAILABLE', `${this.where} refused ${operation}: ${message}; retry later`, { cause: error });
    }
    return this.unavailable(`${operation}: ${message}`, error);
  }
}
