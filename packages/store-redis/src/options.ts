/**
 * The Redis store's options, checked when the store is created: a wrong option is a
 * `TypeError` naming it, thrown at once, not a surprise at the first send.
 */
import { checkLogger, describeValue, optionError, rejectUnknownOptions, wholeNumberOption, type Logger } from '@herald/core/store';
import type { RedisClient } from './client.js';
import { errorSource } from './errors.js';

/** Options of {@link createRedisStore}: pass `client` or `url`, not both. */
export interface RedisStoreOptions {
  /**
   * An ioredis client (`Redis`) or cluster client (`Cluster`), of ioredis 5 or 6, to use;
   * the store leaves it open when it closes. Create it with `enableOfflineQueue: false` and
   * `autoResendUnfulfilledCommands: false`, or see the README for why.
   * @default undefined (give `url` instead)
   */
  readonly client?: RedisClient | undefined;
  /**
   * A `redis://` or `rediss://` URL; the store creates its own client with settings that
   * fail fast while Redis is down, and closes it when the store closes.
   * @default undefined (give `client` instead)
   */
  readonly url?: string | undefined;
  /**
   * The start of every key and of the wake-up channel, so several Herald deployments
   * (or tests) can share one Redis: 1–64 letters, digits, `.`, `_`, `-` or `:`.
   * @default 'herald'
   */
  readonly prefix?: string | undefined;
  /**
   * How many shards users are spread over (1–1024); fixed when the keyspace is created.
   * Given for an existing keyspace, it must equal the recorded count.
   * @default the keyspace's recorded count, or 16 for a new keyspace
   */
  readonly shards?: number | undefined;
  /**
   * Longest time one store call may take before it fails with `STORE_UNAVAILABLE`.
   * @default 5000
   */
  readonly commandTimeoutMs?: number | undefined;
  /**
   * Longest time `createRedisStore` waits for the first connection.
   * @default 10000
   */
  readonly connectTimeoutMs?: number | undefined;
  /**
   * How many users' subscriptions this instance keeps (0–1,000,000), so that a send to
   * one of them is one round trip to Redis instead of two. Every save checks the version
   * they were read at, so a change made by any instance is never missed; 0 reads them on
   * every send. About 1 KB per user with three subscriptions.
   * @default 10000
   */
  readonly subscriptionCacheSize?: number | undefined;
  /**
   * On a single server — any client that is not an ioredis `Cluster`, so every `url`, a
   * cluster-enabled node reached by URL included — whether a claim, the next due time and
   * the completions of one turn are each one script call over every shard's keys (one
   * round trip instead of one per shard). Set `false` behind a proxy that spreads one
   * address over several servers by key (a Redis Enterprise database with clustering,
   * Envoy's Redis proxy), where a script must keep to one shard's keys; left `true` there,
   * claims fail with `INTERNAL` when the proxy's servers refuse the other shards' keys, or
   * miss deliveries when they do not. `false` costs about 20 times the script calls per
   * delivery (0.69 instead of 0.032, measured by one dispatcher) and about a third more
   * Node CPU. Ignored for a `Cluster` client, which always calls per shard.
   * @default true
   */
  readonly crossShardScripts?: boolean | undefined;
  /**
   * Where the store logs (a pino logger, or anything with pino's methods; `component`
   * `store-redis` and `prefix` are bound): for a client it created from `url`, the
   * connection lost (`warn`, `code` `CONNECTION_LOST`, `where`, `err`; once per outage,
   * not per reconnection attempt) and back (`info`, `CONNECTION_RESTORED`); a wake-up
   * listener that throws (`error`). A client you pass is yours to watch: the store adds
   * no listener to its errors.
   * @default none: a wake-up listener that throws becomes a process warning (`HERALD_BACKGROUND_ERROR`); connection records are dropped
   */
  readonly logger?: Logger | undefined;
}

/** The options after checking, with defaults applied where they are known up front. */
export interface CheckedRedisStoreOptions {
  /** The client to use, if one was given. */
  readonly client: RedisClient | undefined;
  /** The URL to connect to, if no client was given. */
  readonly url: string | undefined;
  /** The key prefix. */
  readonly prefix: string;
  /** The requested shard count, if one was given. */
  readonly shards: number | undefined;
  /** Per-call time bound. */
  readonly commandTimeoutMs: number;
  /** First-connection time bound. */
  readonly connectTimeoutMs: number;
  /** Users whose subscriptions are cached. */
  readonly subscriptionCacheSize: number;
  /** Whether scripts may work every shard in one call (on a single server). */
  readonly crossShardScripts: boolean;
  /** Where the store logs, if anywhere. */
  readonly logger: Logger | undefined;
}

/** Most shards a keyspace may have: each cross-shard call runs one script per shard. */
const maxShards = 1024;
/** Shards of a new keyspace when `shards` is not given. */
export const defaultShards = 16;

const optionNames: readonly (keyof RedisStoreOptions)[] = ['client', 'url', 'prefix', 'shards', 'commandTimeoutMs', 'connectTimeoutMs', 'subscriptionCacheSize', 'crossShardScripts', 'logger'];
/** Most users whose subscriptions one instance may cache. */
const maxSubscriptionCacheSize = 1_000_000;
/** Braces would break the hash tags; spaces and control characters make keys unreadable. */
const prefixPattern = /^[A-Za-z0-9._:-]{1,64}$/;

function checkDuration(given: Record<string, unknown>, name: 'commandTimeoutMs' | 'connectTimeoutMs', fallback: number): number {
  return wholeNumberOption(errorSource, name, given[name], { min: 1, max: 600_000, unit: 'milliseconds' }) ?? fallback;
}

function checkClient(value: unknown): RedisClient | undefined {
  if (value === undefined) return undefined;
  const client = value as Record<string, unknown> | null;
  if (client === null || typeof client !== 'object' || typeof client['evalsha'] !== 'function' || typeof client['duplicate'] !== 'function') {
    throw optionError(errorSource, 'option client must be an ioredis Redis or Cluster instance');
  }
  // Scripts build their keys from the shard's hash tag; a client that prefixes keys would
  // send them to other slots and names than the scripts use.
  const settings = client['options'] as { keyPrefix?: unknown; redisOptions?: { keyPrefix?: unknown } } | undefined;
  for (const keyPrefix of [settings?.keyPrefix, settings?.redisOptions?.keyPrefix]) {
    if (typeof keyPrefix === 'string' && keyPrefix !== '') {
      throw optionError(errorSource, `option client has the ioredis keyPrefix ${JSON.stringify(keyPrefix)}; pass a client without it and give the prefix as option prefix`);
    }
  }
  return value as RedisClient;
}

function checkUrl(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^rediss?:\/\/./.test(value) || !value.isWellFormed()) {
    throw optionError(errorSource, `option url must be a redis:// or rediss:// URL of well-formed text (got ${JSON.stringify(value)})`);
  }
  return value;
}

function checkPrefix(value: unknown): string {
  if (value === undefined) return 'herald';
  if (typeof value !== 'string' || !prefixPattern.test(value)) {
    throw optionError(
      errorSource,
      `option prefix must be 1–64 letters, digits, '.', '_', '-' or ':' (braces would break the shards' hash tags; got ${JSON.stringify(value)})`,
    );
  }
  return value;
}

function checkShards(value: unknown): number | undefined {
  return wholeNumberOption(errorSource, 'shards', value, { min: 1, max: maxShards });
}

function checkSubscriptionCacheSize(value: unknown): number {
  return wholeNumberOption(errorSource, 'subscriptionCacheSize', value, { min: 0, max: maxSubscriptionCacheSize, unit: 'users' }) ?? 10_000;
}

function checkCrossShardScripts(value: unknown): boolean {
  if (value === undefined) return true;
  if (typeof value !== 'boolean') throw optionError(errorSource, `option crossShardScripts must be true or false, got ${describeValue(value)}`);
  return value;
}

/** Checks the options of {@link createRedisStore}; throws a `TypeError` naming a bad one. */
export function checkRedisStoreOptions(options: unknown): CheckedRedisStoreOptions {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw optionError(errorSource, 'createRedisStore needs an options object with a client or a url');
  }
  const given = options as Record<string, unknown>;
  rejectUnknownOptions(errorSource, given, optionNames);
  const client = checkClient(given['client']);
  const url = checkUrl(given['url']);
  if ((client === undefined) === (url === undefined)) {
    throw optionError(errorSource, 'pass exactly one of the options client (an ioredis client the store leaves open) and url (the store connects and closes)');
  }
  return {
    client,
    url,
    prefix: checkPrefix(given['prefix']),
    shards: checkShards(given['shards']),
    commandTimeoutMs: checkDuration(given, 'commandTimeoutMs', 5000),
    connectTimeoutMs: checkDuration(given, 'connectTimeoutMs', 10_000),
    subscriptionCacheSize: checkSubscriptionCacheSize(given['subscriptionCacheSize']),
    crossShardScripts: checkCrossShardScripts(given['crossShardScripts']),
    logger: checkLogger(errorSource, 'option logger', given['logger']),
  };
}
