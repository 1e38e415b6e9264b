/**
 * Opening a store: connect (or wait for the given client), then read the keyspace's
 * recorded shard count, recording it when the keyspace is new. A count that differs from
 * the one asked for is refused: users would be looked for in the wrong shards.
 */
import { bounded } from './deadline.js';
import { storeError } from './errors.js';
import { Keyspace } from './keys.js';
import { defaultShards } from './options.js';
import type { CheckedRedisStoreOptions } from './options.js';
import { createOwnClient, RedisLink } from './redis-link.js';
import type { RedisClient } from './client.js';
import { listOf } from './records.js';
import { scripts } from './scripts/index.js';

/** The layout version this code writes; a keyspace written by a newer one is refused. */
const formatVersion = 1;

/** An open connection and its checked keyspace. */
export interface OpenedStore {
  /** The connection. */
  readonly link: RedisLink;
  /** The keyspace, with its recorded shard count. */
  readonly keyspace: Keyspace;
  /** True when the store created the client (from `url`) and so closes it. */
  readonly ownsClient: boolean;
}

/** Resolves once `client` is ready; rejects with `STORE_UNAVAILABLE` after `timeoutMs`. */
function whenReady(client: RedisClient, link: RedisLink, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  if (client.status === 'end') return Promise.reject(link.unavailable('the given client was closed'));
  if (client.status === 'wait') client.connect().catch(() => undefined); // failures show as the timeout below
  return new Promise<void>((resolve, reject) => {
    const done = (): void => {
      clearTimeout(timer);
      client.off('ready', onReady);
    };
    const onReady = (): void => {
      done();
      resolve();
    };
    const timer = setTimeout(() => {
      done();
      reject(link.unavailable(`no connection within ${timeoutMs} ms`));
    }, timeoutMs);
    client.on('ready', onReady);
  });
}

/** Reads (or records) the keyspace's shard count and format, and checks them against the options. */
async function checkKeyspace(link: RedisLink, options: CheckedRedisStoreOptions): Promise<Keyspace> {
  const reply = listOf(
    await link.run(scripts.keyspaceMeta, Keyspace.metaKey(options.prefix), [options.shards ?? defaultShards, formatVersion]),
    'the keyspace meta',
  );
  const shards = Number(reply[0]);
  const format = Number(reply[1]);
  if (!Number.isInteger(shards) || shards < 1 || !Number.isInteger(format)) {
    throw storeError('STORE_CORRUPT', `the key ${Keyspace.metaKey(options.prefix)} does not hold a Herald keyspace's shard count; use another prefix`);
  }
  if (format > formatVersion) {
    throw storeError('STORE_VERSION_MISMATCH', `the keyspace ${JSON.stringify(options.prefix)} was written in format ${format}, newer than this version of @herald/store-redis reads (${formatVersion}); upgrade it`);
  }
  if (options.shards !== undefined && options.shards !== shards) {
    throw storeError(
      'INVALID_ARGUMENT',
      `the keyspace ${JSON.stringify(options.prefix)} was created with ${shards} shards, but option shards is ${options.shards}; the count of a keyspace never changes: pass shards: ${shards}, leave it out, or use another prefix`,
    );
  }
  return new Keyspace(options.prefix, shards);
}

/** Connects as the options say and checks the keyspace; closes a client it created if that fails. */
export async function openStore(options: CheckedRedisStoreOptions): Promise<OpenedStore> {
  const ownsClient = options.client === undefined;
  const client: RedisClient = options.client ?? createOwnClient(options.url as string, options.commandTimeoutMs, options.connectTimeoutMs);
  const link = new RedisLink(client);
  if (ownsClient) {
    // Its errors are remembered for messages; without a listener ioredis would print each one.
    client.on('error', (error: Error) => {
      link.lastError = error;
    });
    client.on('ready', () => {
      link.lastError = undefined;
    });
  }
  try {
    await whenReady(client, link, options.connectTimeoutMs);
    const keyspace = await bounded(checkKeyspace(link, options), options.connectTimeoutMs, () =>
      link.unavailable(`no answer to the keyspace check within ${options.connectTimeoutMs} ms`),
    );
    return { link, keyspace, ownsClient };
  } catch (error) {
    if (ownsClient) client.disconnect();
    throw link.translate(error, 'connect');
  }
}
