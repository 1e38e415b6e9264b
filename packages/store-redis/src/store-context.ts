/** What the store's calls share: the connection and the keyspace's names. */
import type { Keyspace } from './keys.js';
import type { RedisLink } from './redis-link.js';

/** The connection and the names every call of one store uses. */
export interface StoreContext {
  /** Runs scripts on the store's client. */
  readonly link: RedisLink;
  /** The prefix, the shard count and the key names. */
  readonly keyspace: Keyspace;
}
