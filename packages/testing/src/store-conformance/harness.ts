/**
 * The store each conformance test runs against: created fresh before the test, closed and
 * destroyed after it, with every other store the test opened.
 */
import { afterEach, beforeEach } from 'vitest';
import type { NotificationStore } from '@herald/core';

/** How the suite gets and disposes of stores (the relevant part of the suite's options). */
export interface StoreFactory {
  /** A fresh, empty store. */
  readonly createStore: () => NotificationStore | Promise<NotificationStore>;
  /** Cleans up after a store was closed. */
  readonly destroyStore?: (store: NotificationStore) => void | Promise<void>;
  /** For durable stores: closes a store and opens its data again. */
  readonly reopenStore?: (store: NotificationStore) => NotificationStore | Promise<NotificationStore>;
  /** For stores with a compact form: rewrites the store's data in it. */
  readonly compactStore?: (store: NotificationStore) => void | Promise<void>;
}

/** What a conformance test uses to reach its stores. */
export interface StoreHarness {
  /** The current test's store: fresh and empty when the test starts. */
  readonly store: NotificationStore;
  /** Another fresh, empty store, closed and destroyed after the test like the first. */
  open(): Promise<NotificationStore>;
  /**
   * Closes `store` and opens its data again (the reopened store is closed and destroyed
   * after the test in its place); present when the suite was given `reopenStore`.
   */
  readonly reopen?: (store: NotificationStore) => Promise<NotificationStore>;
  /** Compacts `store`; present when the suite was given `compactStore`. */
  readonly compact?: (store: NotificationStore) => Promise<void>;
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Registers the hooks that give each test of the enclosing `describe` a fresh store (when
 * `eager`; otherwise only the stores it opens) and close them after it. Returns the harness
 * through which tests reach them. Call inside a `describe`.
 */
export function storeHarness(factory: StoreFactory, eager = true): StoreHarness {
  let current: NotificationStore | undefined;
  let opened: NotificationStore[] = [];

  const open = async (): Promise<NotificationStore> => {
    const store = await factory.createStore();
    if (store === null || typeof store !== 'object') {
      throw new TypeError(`[herald] [testing] createStore returned ${String(store)}, not a store`);
    }
    opened.push(store);
    return store;
  };

  if (eager) {
    beforeEach(async () => {
      current = await open();
    });
  }

  afterEach(async () => {
    const stores = opened;
    opened = [];
    current = undefined;
    const problems: string[] = [];
    // Every store is closed even when one fails, so a broken close does not leak the rest.
    for (const store of stores) {
      try {
        await store.close();
      } catch (error) {
        problems.push(`closing the store failed (close must be idempotent and must not reject): ${describeError(error)}`);
      }
      try {
        await factory.destroyStore?.(store);
      } catch (error) {
        problems.push(`destroyStore failed: ${describeError(error)}`);
      }
    }
    if (problems.length > 0) throw new Error(`[herald] [testing] after the test, ${problems.join('; ')}`);
  });

  const { reopenStore, compactStore } = factory;
  const reopen =
    reopenStore === undefined
      ? undefined
      : async (store: NotificationStore): Promise<NotificationStore> => {
          const reopened = await reopenStore(store);
          // The reopened store takes the old one's place, to be closed and destroyed after the test.
          const index = opened.indexOf(store);
          if (index >= 0) opened[index] = reopened;
          else opened.push(reopened);
          return reopened;
        };
  const compact = compactStore === undefined ? undefined : async (store: NotificationStore): Promise<void> => compactStore(store);

  return {
    ...(reopen === undefined ? {} : { reopen }),
    ...(compact === undefined ? {} : { compact }),
    get store(): NotificationStore {
      if (current === undefined) throw new Error('[herald] [testing] the store is only available inside a test (it, beforeEach, afterEach)');
      return current;
    },
    open,
  };
}
