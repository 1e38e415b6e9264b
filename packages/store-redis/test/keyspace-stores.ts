/**
 * Stores for the conformance suite, each on a keyspace of its own, and reopened on the same
 * keyspace: the Redis store declares `durable`, so the suite's `durability` group closes a
 * store and opens its keyspace again.
 */
import type { NotificationStore } from '@herald/core';
import type { RedisStore } from '../src/index.js';

/** What `runStoreConformance` needs to open and reopen stores. */
export interface KeyspaceStores {
  readonly createStore: () => Promise<NotificationStore>;
  readonly reopenStore: (store: NotificationStore) => Promise<NotificationStore>;
}

/** The prefix of a store that {@link keyspaceStores} opened, to open another instance on its keyspace. */
export function prefixOf(store: NotificationStore): string {
  const prefix = prefixes.get(store);
  if (prefix === undefined) throw new Error('the store was not opened by keyspaceStores');
  return prefix;
}

const prefixes = new WeakMap<NotificationStore, string>();

/** `open(prefix)` for a fresh prefix per store (`<name>-1`, `<name>-2`, …), and again for a reopen. */
export function keyspaceStores(name: string, open: (prefix: string) => Promise<RedisStore>): KeyspaceStores {
  let count = 0;
  const opened = async (prefix: string): Promise<NotificationStore> => {
    const store = await open(prefix);
    prefixes.set(store, prefix);
    return store;
  };
  return {
    createStore: () => opened(`${name}-${(count += 1)}`),
    reopenStore: async (store) => {
      const prefix = prefixOf(store);
      await store.close();
      return opened(prefix);
    },
  };
}
