/**
 * The part of an ioredis client the store uses, as a structural type. The store takes the
 * application's own client, and that may come from ioredis 5 or 6, or from another copy
 * of either than this package's: naming ioredis's classes here would make TypeScript
 * compare them nominally (their options hold classes with protected members), and reject
 * every client but one version's. Only the members below are called.
 */

/** What a script call may take: keys and arguments as strings or numbers. */
export type ScriptArgument = string | number;

/** Members a single-server client and a cluster client share, as the store calls them. */
export interface RedisClientBase {
  /** `'ready'` when commands can be sent; `'wait'` before `connect()`; `'end'` once closed. */
  readonly status: string;
  /** True for a cluster client; asked of the client, since `instanceof` fails across copies. */
  readonly isCluster: boolean;
  /** The options the client was created with; read for messages and to refuse a `keyPrefix`. */
  readonly options: {
    readonly host?: string | undefined;
    readonly port?: number | undefined;
    readonly keyPrefix?: string | undefined;
    readonly redisOptions?: { readonly keyPrefix?: string | undefined } | undefined;
  };
  /** Connects a client created with `lazyConnect`. */
  connect(): Promise<unknown>;
  /** Runs a cached script by its SHA-1. */
  evalsha(sha: string, keys: number, ...args: ScriptArgument[]): Promise<unknown>;
  /** Runs (and caches) a script by its source. */
  eval(source: string, keys: number, ...args: ScriptArgument[]): Promise<unknown>;
  /** Publishes a wake-up. */
  publish(channel: string, message: string): Promise<unknown>;
  /** Subscribes a duplicate connection to the wake-up channel. */
  subscribe(channel: string): Promise<unknown>;
  /** Closes gracefully (a client the store created). */
  quit(): Promise<unknown>;
  /** Closes at once. */
  disconnect(): void;
  /** Connection and pub/sub events. */
  on(event: 'ready', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'message', listener: (channel: string, message: string) => void): unknown;
  /** Removes a `ready` listener. */
  off(event: 'ready', listener: () => void): unknown;
}

/** The options the store gives a duplicate connection for its wake-up subscription. */
export interface DuplicateOptions {
  readonly enableOfflineQueue: boolean;
  readonly lazyConnect: boolean;
}

/** An ioredis `Redis` client (one server, or Sentinel), version 5 or 6. */
export interface RedisServerClient extends RedisClientBase {
  /** A new connection with the same settings, for the subscription. */
  duplicate(override: DuplicateOptions & { readonly autoResubscribe: boolean }): RedisClientBase;
}

/** An ioredis `Cluster` client, version 5 or 6. */
export interface RedisClusterClient extends RedisClientBase {
  /** A new cluster connection with the same startup nodes, for the subscription. */
  duplicate(startupNodes: [], options: DuplicateOptions): RedisClientBase;
}

/**
 * An ioredis client, `Redis` or `Cluster`, of version 5 or 6: what option `client` of
 * `createRedisStore` takes.
 */
export type RedisClient = RedisServerClient | RedisClusterClient;
