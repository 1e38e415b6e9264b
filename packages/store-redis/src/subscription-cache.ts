/**
 * Each store instance keeps the subscriptions of recently sending users, so that a send
 * is one round trip to Redis rather than two. It is never trusted blindly: the save
 * script checks the user's subscription version the list was read at, and a stale list
 * is refused (with the current one in the refusal) and the deliveries are planned again.
 * A subscription changed by any instance, anywhere, therefore never makes a send miss
 * or use an endpoint; the cache only saves the read.
 */
import { deepFreeze, type NotificationPreferences, type StoredSubscription } from '@herald/core/store';
import { storeError } from './errors.js';
import { listOf, subscriptionFromRow, textOf } from './records.js';

/** A user's subscriptions and preferences (the recipient of a send) as read at one version. */
export interface KnownSubscriptions {
  /** The user's subscription version they were read at ('' before the first change). */
  readonly version: string;
  /** The subscriptions, oldest first, frozen. */
  readonly subscriptions: readonly StoredSubscription[];
  /** The user's preferences, parsed once per read; `undefined` when never set. */
  readonly preferences: NotificationPreferences | undefined;
}

/** Reads a `{version, rows, preferences}` reply (see scripts/subscription-lua.ts). */
export function knownSubscriptions(reply: unknown): KnownSubscriptions {
  const [version, rows, preferences] = listOf(reply, 'a subscription list');
  return Object.freeze({
    version: textOf(version, 'a subscription version'),
    subscriptions: Object.freeze(listOf(rows, 'a subscription list').map((row) => Object.freeze(subscriptionFromRow(row)))),
    preferences: preferencesFrom(preferences),
  });
}

/** Stored preferences ('' or nil when never set) as the frozen object they were given as. */
export function preferencesFrom(stored: unknown): NotificationPreferences | undefined {
  if (stored === null || stored === undefined || stored === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(textOf(stored, 'preferences'));
  } catch {
    throw storeError('STORE_CORRUPT', 'the stored preferences are not JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw storeError('STORE_CORRUPT', 'the stored preferences are not an object');
  return deepFreeze(parsed as NotificationPreferences);
}

/** The subscriptions of the users who sent last, at most `capacity` users, least recently used out first. */
export class SubscriptionCache {
  readonly #entries = new Map<string, KnownSubscriptions>();
  readonly #capacity: number;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** Users held. */
  get size(): number {
    return this.#entries.size;
  }

  /** What is known of `userId`'s subscriptions, if anything. */
  get(userId: string): KnownSubscriptions | undefined {
    const known = this.#entries.get(userId);
    if (known !== undefined) {
      // Most recently used last: Map keeps insertion order.
      this.#entries.delete(userId);
      this.#entries.set(userId, known);
    }
    return known;
  }

  /** Remembers `known` for `userId`, forgetting the least recently used user beyond capacity. */
  set(userId: string, known: KnownSubscriptions): void {
    if (this.#capacity === 0) return;
    this.#entries.delete(userId);
    this.#entries.set(userId, known);
    if (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
  }

  /** Forgets `userId`: this instance just changed their subscriptions. */
  forget(userId: string): void {
    this.#entries.delete(userId);
  }
}

/**
 * Most times one write plans its deliveries (a save's, a state change's syncs): each new
 * plan follows a change to the user's subscriptions during the write, so more than a few
 * means they change without pause.
 */
export const maxPlans = 8;
