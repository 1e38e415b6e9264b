/**
 * The Redis store: many service instances on many machines share one Redis or Redis
 * Cluster. This layer owns what every call shares: bounding each call's time, the
 * wake-up channel, and closing what the store opened; the kit (`defineStore`) refuses
 * calls once the store is closed and mints lease tokens.
 */
import { defineStore, processWarningLogger } from '@herald/core/store';
import type { Logger, NotificationStore, StoreCapabilities, StoreImplementation } from '@herald/core/store';
import { CallDeadlines } from './call-deadlines.js';
import { claimCalls } from './claims.js';
import { logConnection } from './connection-log.js';
import { openStore } from './connect.js';
import { bounded } from './deadline.js';
import { deliveryCalls } from './delivery-calls.js';
import { storeError } from './errors.js';
import { notificationCalls } from './notification-calls.js';
import { checkRedisStoreOptions } from './options.js';
import type { RedisStoreOptions } from './options.js';
import { purgeExpired } from './purge.js';
import { isCluster, type RedisLink } from './redis-link.js';
import type { StoreContext } from './store-context.js';
import { SubscriptionCache } from './subscription-cache.js';
import { subscriptionCalls } from './subscription-calls.js';
import { preferenceCalls } from './preference-calls.js';
import { FeedAnnouncements } from './feed-announcements.js';
import { SubscriberConnection } from './subscriber.js';
import { WakeChannel } from './wakeups.js';

/** The Redis store's name, as `store.name` reports it. */
export const NAME = 'redis';

/** Durable (Redis keeps it), shared by many processes, wakes their dispatchers and live feeds across processes, and syncs state changes. */
const capabilities: StoreCapabilities = Object.freeze({ durable: true, shared: true, wakeups: true, feedWakeups: true, sync: true, transactions: false });

/** The store's calls, before the time bound every call goes through. */
type StoreCalls = Omit<StoreImplementation, 'name' | 'capabilities' | 'closedMessage' | 'onWake' | 'wake' | 'onFeedChange' | 'feedChanged' | 'close'>;

/**
 * Wraps every call: each settles within `timeoutMs` even when Redis does not answer (a
 * hung connection, a cluster failover).
 */
function guardCalls(calls: StoreCalls, guard: <T>(work: () => Promise<T>) => Promise<T>): StoreCalls {
  const guarded: Record<string, unknown> = {};
  // The same wrapper for all of them; the result has exactly the calls' types.
  for (const [name, call] of Object.entries(calls) as [string, (...args: unknown[]) => Promise<unknown>][]) {
    guarded[name] = (...args: unknown[]) => guard(() => call(...args));
  }
  return guarded as StoreCalls;
}

/** A Redis store: a `NotificationStore` that `await using` closes. */
export type RedisStore = NotificationStore & AsyncDisposable;

function buildStore(link: RedisLink, context: StoreContext, ownsClient: boolean, commandTimeoutMs: number, log: Logger | undefined): RedisStore {
  const pubsubLog = log ?? processWarningLogger('[herald] [store-redis]');
  const subscriber = new SubscriberConnection(link, pubsubLog);
  const wakes = new WakeChannel(link, subscriber, context.keyspace.wakeChannel, commandTimeoutMs);
  const feeds = new FeedAnnouncements(link, subscriber, context.keyspace.feedChannel, commandTimeoutMs, pubsubLog);
  // Only a client the store created: one passed in is its owner's to watch.
  if (log !== undefined && ownsClient) logConnection(link, log);
  // The kit refuses calls once the store is closed; a call already in flight then fails
  // as closed too, whatever the closing connection made of it.
  let closed = false;
  const deadlines = new CallDeadlines(commandTimeoutMs, (error) => (closed ? storeError('STORE_CLOSED', 'the redis store is closed') : error));
  const timedOut = () => link.unavailable(`no answer within ${commandTimeoutMs} ms; the call may or may not have taken effect`);
  const guard = <T>(work: () => Promise<T>): Promise<T> => deadlines.bound(work(), timedOut);

  const calls: StoreCalls = {
    ...notificationCalls(context),
    ...subscriptionCalls(context),
    ...preferenceCalls(context),
    ...deliveryCalls(context),
    ...claimCalls(context),
    purgeExpired: (request) => purgeExpired(context, request),
  };

  return defineStore({
    name: NAME,
    capabilities,
    ...guardCalls(calls, guard),
    onWake: (listener) => wakes.listen(listener),
    wake: () => guard(() => wakes.publish()),
    onFeedChange: (listener) => feeds.listen(listener),
    feedChanged: (userIds) => guard(() => feeds.announce(userIds)),
    async close() {
      closed = true;
      subscriber.close();
      if (!ownsClient) return; // a client passed in stays open: its owner closes it
      const { client } = link;
      if (client.status === 'ready') await bounded(client.quit(), commandTimeoutMs, () => new Error('quit timed out')).catch(() => undefined);
      client.disconnect();
    },
  });
}

/**
 * Creates a Redis store: connects (or waits for the given client), checks the keyspace's
 * recorded shard count (recording it for a new keyspace), and resolves with the store.
 *
 * ```ts
 * const store = await createRedisStore({ url: 'redis://127.0.0.1:6379', prefix: 'myapp' });
 * const service = createNotificationService({ store, transports: [...] });
 * ```
 *
 * The store is `AsyncDisposable`: `await using store = await createRedisStore(…)` closes
 * it when the block ends (and its client, when it created it).
 *
 * @throws TypeError at once (not as a rejection) when an option is invalid, naming it.
 * @returns A promise that rejects with a `HeraldError`: `STORE_UNAVAILABLE` when Redis
 *   cannot be reached within `connectTimeoutMs`, `INVALID_ARGUMENT` when `shards`
 *   differs from the keyspace's recorded count, `STORE_VERSION_MISMATCH` when a newer
 *   version wrote the keyspace.
 */
export function createRedisStore(options: RedisStoreOptions): Promise<RedisStore> {
  const checked = checkRedisStoreOptions(options);
  const log = checked.logger?.child({ component: 'store-redis', prefix: checked.prefix });
  return openStore(checked).then(({ link, keyspace, ownsClient }) =>
    buildStore(
      link,
      { link, keyspace, crossShardScripts: checked.crossShardScripts && !isCluster(link.client), subscriptionCache: new SubscriptionCache(checked.subscriptionCacheSize) },
      ownsClient,
      checked.commandTimeoutMs,
      log,
    ),
  );
}
