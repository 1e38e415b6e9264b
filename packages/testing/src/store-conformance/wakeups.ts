/**
 * Groups `wakeups` and `feedWakeups`, for stores that declare them: the listener methods
 * register synchronously and stop when told (idempotently), the announcing methods resolve,
 * and closing the store ends both (docs/stores.md, "Wake-ups"). That an announcement
 * reaches another process needs two instances on one data set; a store's own tests check it.
 */
import { expect, it } from 'vitest';
import type { NotificationStore } from '@herald/core';
import { expectHeraldError } from './expectations.js';
import type { StoreHarness } from './harness.js';
import { alice } from './steps.js';

/** The store's optional methods, present since the group runs only when it declares them. */
function required<K extends 'onWake' | 'wake' | 'onFeedChange' | 'feedChanged'>(store: NotificationStore, method: K): NonNullable<NotificationStore[K]> {
  const found = store[method];
  if (typeof found !== 'function') throw new Error(`[herald] [testing] the store declares the capability but has no ${method}`);
  return found.bind(store) as NonNullable<NotificationStore[K]>;
}

/** Registers the tests of group `wakeups`. */
export function wakeupTests(h: StoreHarness): void {
  it('registers a wake-up listener at once and stops it, more than once without harm', async () => {
    const stop = required(h.store, 'onWake')(() => undefined);
    expect(typeof stop, 'onWake returns the function that stops the listener').toBe('function');
    await required(h.store, 'wake')();
    stop();
    stop();
  });

  it('refuses wake after close, and registers no listener then', async () => {
    const { store } = h;
    await store.close();
    await expectHeraldError(() => required(store, 'wake')(), 'STORE_CLOSED', 'wake after close()');
    required(store, 'onWake')(() => undefined)();
  });
}

/** Registers the tests of group `feedWakeups`. */
export function feedWakeupTests(h: StoreHarness): void {
  it('holds a feed listener until stopped, ready once announcements reach it', async () => {
    const subscription = required(h.store, 'onFeedChange')(() => undefined);
    await subscription.ready;
    await required(h.store, 'feedChanged')([alice]);
    await required(h.store, 'feedChanged')(undefined);
    subscription.stop();
    subscription.stop();
  });

  it('refuses feedChanged after close', async () => {
    const { store } = h;
    await store.close();
    await expectHeraldError(() => required(store, 'feedChanged')([alice]), 'STORE_CLOSED', 'feedChanged after close()');
  });
}
