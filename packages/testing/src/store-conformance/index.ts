/**
 * The store conformance suite: every rule of docs/stores.md as vitest tests, in groups a
 * store can switch off. A store runs it from one test file:
 *
 * ```ts
 * import { runStoreConformance } from '@herald/testing';
 * import { createMyStore } from '../src/index.js';
 * runStoreConformance({ name: 'my-store', createStore: () => createMyStore() });
 * ```
 */
import { describe } from 'vitest';
import { unknownOptionMessage, type NotificationStore } from '@herald/core';
import { changeTests } from './changes.js';
import { concurrencyTests } from './concurrency.js';
import { deliveryTests } from './deliveries.js';
import { expiryTests } from './expiry.js';
import { feedTests } from './feed.js';
import { storeHarness, type StoreHarness } from './harness.js';
import { idempotencyTests } from './idempotency.js';
import { inFlightTests } from './in-flight.js';
import { isolationTests } from './isolation.js';
import { leaseTests } from './leases.js';
import { lifecycleTests } from './lifecycle.js';
import { notificationTests } from './notifications.js';
import { schedulingTests } from './scheduling.js';
import { subscriptionTests } from './subscriptions.js';
import { forgottenUserTests } from './forgotten-users.js';
import { textTests } from './text.js';

/** The groups of the store suite, in the order they run. */
export const storeConformanceGroups = [
  'notifications',
  'feed',
  'changes',
  'subscriptions',
  'deliveries',
  'leases',
  'inFlight',
  'scheduling',
  'expiry',
  'idempotency',
  'isolation',
  'lifecycle',
  'concurrency',
  'text',
  'forgottenUsers',
] as const;

/** A group of the store suite. */
export type StoreConformanceGroup = (typeof storeConformanceGroups)[number];

/** What the store suite needs. */
export interface StoreConformanceOptions {
  /** The store's name, shown in the suite's `describe`. */
  readonly name: string;
  /** A fresh, empty store; called before every test. */
  readonly createStore: () => NotificationStore | Promise<NotificationStore>;
  /**
   * Cleans up after a test's store was closed (deletes its files, flushes its keys).
   * @default nothing
   */
  readonly destroyStore?: (store: NotificationStore) => void | Promise<void>;
  /**
   * For a durable store: closes `store` and opens the same data again, so the suite can
   * check that what was acknowledged survives (group `text` reads every string back).
   * @default none: the reopen tests do not run
   */
  readonly reopenStore?: (store: NotificationStore) => NotificationStore | Promise<NotificationStore>;
  /**
   * For a store with a compact form (a snapshot): rewrites `store`'s data in it; the
   * reopen tests compact before they reopen.
   * @default none
   */
  readonly compactStore?: (store: NotificationStore) => void | Promise<void>;
  /**
   * Groups to switch off, e.g. `{ concurrency: true }`; a skipped group shows as skipped.
   * @default every group runs
   */
  readonly skip?: Partial<Record<StoreConformanceGroup, boolean>>;
  /**
   * Store-specific tests, registered inside the suite's `describe`. Stores from
   * `createStore` are closed and destroyed after each test like the suite's own.
   * @default none
   */
  readonly additionalTests?: (context: { createStore: () => Promise<NotificationStore> }) => void;
}

const groupTests: Record<StoreConformanceGroup, (harness: StoreHarness) => void> = {
  notifications: notificationTests,
  feed: feedTests,
  changes: changeTests,
  subscriptions: subscriptionTests,
  deliveries: deliveryTests,
  leases: leaseTests,
  inFlight: inFlightTests,
  scheduling: schedulingTests,
  expiry: expiryTests,
  idempotency: idempotencyTests,
  isolation: isolationTests,
  lifecycle: lifecycleTests,
  concurrency: concurrencyTests,
  text: textTests,
  forgottenUsers: forgottenUserTests,
};

function checkOptions(options: StoreConformanceOptions): void {
  if (options === null || typeof options !== 'object') throw new TypeError('[herald] [testing] runStoreConformance needs an options object');
  if (typeof options.name !== 'string' || options.name.length === 0) throw new TypeError('[herald] [testing] runStoreConformance: `name` must be a non-empty string');
  if (typeof options.createStore !== 'function') throw new TypeError('[herald] [testing] runStoreConformance: `createStore` must be a function that returns a fresh store');
  for (const hook of ['destroyStore', 'reopenStore', 'compactStore'] as const) {
    if (options[hook] !== undefined && typeof options[hook] !== 'function') throw new TypeError(`[herald] [testing] runStoreConformance: \`${hook}\` must be a function`);
  }
  const known = ['name', 'createStore', 'destroyStore', 'reopenStore', 'compactStore', 'skip', 'additionalTests'];
  const unknown = unknownOptionMessage(options, known);
  if (unknown !== undefined) throw new TypeError(`[herald] [testing] runStoreConformance: ${unknown}`);
  for (const group of Object.keys(options.skip ?? {})) {
    if (!(storeConformanceGroups as readonly string[]).includes(group)) {
      throw new TypeError(`[herald] [testing] runStoreConformance: skip names an unknown group ${JSON.stringify(group)}; the groups are ${storeConformanceGroups.join(', ')}`);
    }
  }
}

/**
 * Registers the store conformance suite with vitest: one `describe` named after the
 * store, a nested `describe` per group, a fresh store per test (closed and destroyed
 * after it). Call it at the top level of a test file.
 */
export function runStoreConformance(options: StoreConformanceOptions): void {
  checkOptions(options);
  describe(`${options.name} store conformance`, () => {
    for (const group of storeConformanceGroups) {
      // Each group's hooks live inside it, so a skipped group opens no store at all.
      const register = (): void => groupTests[group](storeHarness(options));
      if (options.skip?.[group] === true) describe.skip(group, register);
      else describe(group, register);
    }
    if (options.additionalTests !== undefined) {
      const harness = storeHarness(options, false);
      options.additionalTests({ createStore: harness.open });
    }
  });
}
