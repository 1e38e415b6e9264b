/**
 * The store conformance suite: every rule of docs/stores.md as vitest tests, in groups.
 * A store's declared `capabilities` decide which of the capability groups run
 * ({@link storeConformanceCapabilities}); a store can switch any group off. A store runs
 * it from one test file:
 *
 * ```ts
 * import { runStoreConformance } from '@herald/testing';
 * import { createMyStore } from '../src/index.js';
 * runStoreConformance({ name: 'my-store', createStore: () => createMyStore() });
 * ```
 */
import { beforeEach, describe } from 'vitest';
import { type NotificationStore } from '@herald/core';
import { unknownOptionMessage } from '@herald/core/store';
import type { StoreCapabilities } from '@herald/core';
import { changeTests } from './changes.js';
import { durabilityTests } from './durability.js';
import { concurrencyTests } from './concurrency.js';
import { deliveryTests } from './deliveries.js';
import { expiryTests } from './expiry.js';
import { feedTests } from './feed.js';
import { fieldTests } from './fields.js';
import { storeHarness, type StoreHarness } from './harness.js';
import { idempotencyTests } from './idempotency.js';
import { inFlightTests } from './in-flight.js';
import { isolationTests } from './isolation.js';
import { leaseTests } from './leases.js';
import { lifecycleTests } from './lifecycle.js';
import { notificationTests } from './notifications.js';
import { schedulingTests } from './scheduling.js';
import { subscriptionTests } from './subscriptions.js';
import { syncTests } from './sync.js';
import { forgottenUserTests } from './forgotten-users.js';
import { preferenceTests } from './preferences.js';
import { textTests } from './text.js';
import { feedWakeupTests, wakeupTests } from './wakeups.js';

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
  'fields',
  'forgottenUsers',
  'preferences',
  'durability',
  'wakeups',
  'feedWakeups',
  'sync',
] as const;

/** A group of the store suite. */
export type StoreConformanceGroup = (typeof storeConformanceGroups)[number];

/**
 * The groups that run only for a store declaring a capability, as abstract-level's
 * `supports` decides its tests: read from the store each test opens, so a store that does
 * not declare one shows the group's tests as skipped. Every other group runs for every store.
 * - `durability` needs `durable`: data survives a close and a reopen (the suite needs `reopenStore`).
 * - `wakeups` needs `wakeups`: `onWake` and `wake`.
 * - `feedWakeups` needs `feedWakeups`: `onFeedChange` and `feedChanged`.
 * - `sync` needs `sync`: a state change writes its `SyncPlan`'s sync deliveries with it.
 */
export const storeConformanceCapabilities = {
  durability: 'durable',
  wakeups: 'wakeups',
  feedWakeups: 'feedWakeups',
  sync: 'sync',
} as const satisfies Partial<Record<StoreConformanceGroup, keyof StoreCapabilities>>;

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
   * For a durable store (`capabilities.durable`): closes `store` and opens the same data
   * again, so group `durability` can check that what was acknowledged survives. Required
   * when the store declares `durable`: the group's tests fail without it.
   * @default none
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
   * @default every group runs, the capability groups when the store declares their capability
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
  fields: fieldTests,
  forgottenUsers: forgottenUserTests,
  preferences: preferenceTests,
  durability: durabilityTests,
  wakeups: wakeupTests,
  feedWakeups: feedWakeupTests,
  sync: syncTests,
};

/** Registers `group` with a fresh store per test, skipping each test when the store lacks the group's capability. */
function registerGroup(group: StoreConformanceGroup, options: StoreConformanceOptions): void {
  const harness = storeHarness(options);
  const capability = (storeConformanceCapabilities as Partial<Record<StoreConformanceGroup, keyof StoreCapabilities>>)[group];
  if (capability !== undefined) {
    beforeEach((context) => {
      if (harness.store.capabilities[capability] !== true) context.skip(`the store does not declare capabilities.${capability}`);
    });
  }
  groupTests[group](harness);
}

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
      const register = (): void => registerGroup(group, options);
      if (options.skip?.[group] === true) describe.skip(group, register);
      else describe(group, register);
    }
    if (options.additionalTests !== undefined) {
      const harness = storeHarness(options, false);
      options.additionalTests({ createStore: harness.open });
    }
  });
}
