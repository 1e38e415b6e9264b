/** What the store's calls share: the connection, the keyspace's names, the subscription cache. */
import type { Keyspace } from './keys.js';
import type { RedisLink } from './redis-link.js';
import type { SubscriptionCache } from './subscription-cache.js';

/** The connection and the names every call of one store uses. */
export interface StoreContext {
  /** Runs scripts on the store's client. */
  readonly link: RedisLink;
  /** The prefix, the shard count and the key names. */
  readonly keyspace: Keyspace;
  /** True when one script may work every shard (a single server, unless the options say no); false on a Cluster. */
  readonly crossShardScripts: boolean;
  /** The subscriptions of recently sending users (checked by every save that uses them). */
  readonly subscriptionCache: SubscriptionCache;
}
