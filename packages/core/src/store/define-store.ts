/**
 * The store kit: `defineStore(implementation)` turns a store's storage code into a
 * `NotificationStore`, owning what every store shares so that none writes it again — the
 * public methods check state and normalise, the implementation's act (as abstract-level's
 * `put` calls `_put`):
 * - the closed guard: after `close()` every call rejects with `STORE_CLOSED`, and `close()`
 *   runs the implementation's close once, however often it is called;
 * - lease tokens: the kit mints them (random, unguessable) and hands them to the claim;
 * - the write's deliveries: always a plan, whether the caller listed them or planned them;
 * - the optional methods: each pair exactly when its capability says so
 *   ({@link optionalStoreMethods}).
 */
import { HeraldError, optionError } from '../errors.js';
import { newId } from '../ids.js';
import type { ClaimRequest, ClaimedDelivery } from './claims.js';
import { plannedWrite } from './delivery-plan.js';
import type { NotificationStore, PlannedNotificationWrite, SaveResult } from './interface.js';
import { optionalStoreMethods, storeMethodNames } from './methods.js';

/** Mints `count` fresh lease tokens: one per delivery a claim takes, and no more. */
export type LeaseTokens = (count: number) => readonly string[];

/**
 * What a store implements for {@link defineStore}: the interface's methods, doing storage
 * only. Two differ from the interface: `saveNotification` always receives a planned write,
 * and `claimDeliveries` takes its tokens from the kit. Calls never arrive after `close()`,
 * and `close()` is called once. Further properties (a file store's `directory`, its
 * `compact()`) are kept; further methods are guarded like the interface's.
 */
export interface StoreImplementation extends Omit<NotificationStore, 'saveNotification' | 'claimDeliveries'> {
  /**
   * See `NotificationStore.saveNotification`. The deliveries are always a plan: call it
   * with the user's subscriptions inside the write's atomicity (`listedWrite(write,
   * subscriptions)` does), again after an optimistic conflict.
   */
  saveNotification(write: PlannedNotificationWrite): Promise<SaveResult>;
  /**
   * See `NotificationStore.claimDeliveries`. Take the new leases' tokens from
   * `leaseTokens(count)`, for the `count` deliveries the claim takes.
   */
  claimDeliveries(request: ClaimRequest, leaseTokens: LeaseTokens): Promise<readonly ClaimedDelivery[]>;
  /**
   * The message of the `STORE_CLOSED` errors calls get after `close()`.
   * @default `[herald] [store-<name>] the <name> store is closed`
   */
  readonly closedMessage?: string;
}

/** What {@link defineStore} returns: a store, `AsyncDisposable`, with the implementation's extras. */
export type DefinedStore<I extends StoreImplementation> = NotificationStore & AsyncDisposable & Omit<I, keyof StoreImplementation>;

type Call = (...args: unknown[]) => unknown;

const leaseTokens: LeaseTokens = (count) => Array.from({ length: count }, newId);

/** Names of the implementation that are not guarded calls (listeners register synchronously). */
const unguarded = new Set<PropertyKey>(['name', 'capabilities', 'closedMessage', 'close', ...Object.values(optionalStoreMethods).map(({ listen }) => listen)]);

function checkImplementation(implementation: StoreImplementation): void {
  if (implementation === null || typeof implementation !== 'object') throw optionError('store', 'defineStore needs the store implementation, an object');
  const { name, capabilities } = implementation;
  if (typeof name !== 'string' || name.length === 0) throw optionError('store', 'defineStore: the implementation needs a non-empty name');
  const missing = storeMethodNames.filter((method) => typeof (implementation as unknown as Record<string, unknown>)[method] !== 'function');
  if (missing.length > 0) throw optionError('store', `defineStore: the ${name} store lacks ${missing.join(', ')}`);
  if (capabilities === null || typeof capabilities !== 'object') throw optionError('store', `defineStore: the ${name} store needs its capabilities ({ durable, shared, wakeups })`);
  for (const [capability, { listen, call }] of Object.entries(optionalStoreMethods) as [keyof typeof optionalStoreMethods, { listen: string; call: string }][]) {
    const declared = capabilities[capability] === true;
    const present = [listen, call].filter((method) => typeof (implementation as unknown as Record<string, unknown>)[method] === 'function').length;
    if (declared ? present !== 2 : present !== 0) {
      throw optionError('store', `defineStore: the ${name} store declares ${capability}: ${String(declared)}, so it must ${declared ? 'implement both' : 'implement neither of'} ${listen} and ${call}`);
    }
  }
}

/**
 * Builds a `NotificationStore` from `implementation` (see the module comment for what the
 * kit owns). The result is `AsyncDisposable`: `await using store = …` closes it.
 * @throws TypeError (`INVALID_OPTION`) when the implementation lacks a method, or its
 * optional methods do not match its capabilities (`onWake`/`wake` and `wakeups`,
 * `onFeedChange`/`feedChanged` and `feedWakeups`).
 */
export function defineStore<I extends StoreImplementation>(implementation: I): DefinedStore<I> {
  checkImplementation(implementation);
  const { name, capabilities } = implementation;
  const closedMessage = implementation.closedMessage ?? `[herald] [store-${name}] the ${name} store is closed`;
  let closed = false;
  let closing: Promise<void> | undefined;

  const guard = (call: Call): Call =>
    function guardedCall(...args: unknown[]): Promise<unknown> {
      if (closed) return Promise.reject(new HeraldError('STORE_CLOSED', closedMessage));
      try {
        return Promise.resolve(call.apply(implementation, args));
      } catch (error) {
        return Promise.reject(error);
      }
    };

  const store: Record<PropertyKey, unknown> = {};
  for (const key of Reflect.ownKeys(implementation)) {
    const value: unknown = Reflect.get(implementation, key);
    if (!unguarded.has(key)) store[key] = typeof value === 'function' ? guard(value as Call) : value;
  }
  const save = implementation.saveNotification;
  const claim = implementation.claimDeliveries;
  const close = (): Promise<void> => {
    if (closing === undefined) {
      // Closed before the implementation's close starts, so nothing it awaits lets a call in.
      closed = true;
      closing = new Promise<void>((resolve) => resolve(implementation.close()));
    }
    return closing;
  };
  for (const { listen } of Object.values(optionalStoreMethods)) {
    const listener: unknown = Reflect.get(implementation, listen);
    if (typeof listener === 'function') store[listen] = listener.bind(implementation);
  }
  Object.assign(store, {
    name,
    capabilities,
    saveNotification: guard((write) => save.call(implementation, plannedWrite(write as Parameters<NotificationStore['saveNotification']>[0]))),
    claimDeliveries: guard((request) => claim.call(implementation, request as ClaimRequest, leaseTokens)),
    close,
    [Symbol.asyncDispose]: close,
  });
  return store as DefinedStore<I>;
}
