/**
 * A store seen through a counter of its calls in flight, so the test kit's fake clock can
 * end a step only when the store has answered everything the step asked of it: on a
 * store doing real I/O (a file, Redis), a machine under load can answer later than any
 * fixed quiet time, and a step that ended early would leave a due timer unset.
 */
import type { NotificationStore } from '@herald/core';

/** The counted store, and whether any of its calls is still unanswered. */
export interface CountedStore {
  /** The store, each call of which is counted while its promise is pending. */
  readonly store: NotificationStore;
  /** True while a call made through {@link CountedStore.store} has not settled. */
  readonly busy: () => boolean;
}

/** Wraps `store` so that every call returning a promise counts until it settles. */
export function countStoreCalls(store: NotificationStore): CountedStore {
  let pending = 0;
  const settled = (): void => {
    pending -= 1;
  };
  // One wrapper per method, so the store's methods keep their identity across reads.
  const wrappers = new Map<PropertyKey, unknown>();
  const counted = new Proxy(store, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
      let wrapper = wrappers.get(key);
      if (wrapper === undefined) {
        wrapper = (...args: unknown[]): unknown => {
          const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
          if (result instanceof Promise) {
            pending += 1;
            result.then(settled, settled);
          }
          return result;
        };
        wrappers.set(key, wrapper);
      }
      return wrapper;
    },
  });
  return { store: counted, busy: () => pending > 0 };
}
