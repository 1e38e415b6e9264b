/**
 * The engine's parts: the indexes every operation reads and changes, in one object the
 * operation modules (feed writes, feed reads, deliveries, claims, purge) share. Only the
 * engine's own modules see it; a store sees `MemoryState`, a durable store also the
 * functions of `durable.ts`.
 */
import { errorFactory, type HeraldError, type HeraldErrorCode, type NotificationPreferences } from '@herald/core/store';
import { errorSource } from '../errors.js';
import { DeadLetterIndex } from './dead-letter-index.js';
import { DueQueue } from './due-queue.js';
import { EvictionBounds } from './eviction-bounds.js';
import { IdempotencyKeys } from './idempotency-keys.js';
import { MinHeap } from './min-heap.js';
import { ContentInterner } from './notification-record.js';
import { SubscriptionTable } from './subscription-table.js';
import type { Tombstone } from './tombstone.js';
import { UserDirectory } from './user-directory.js';

/** The engine's settings: the memory store's bounds, already checked. */
export interface MemoryStateOptions {
  /** Most notifications one user keeps; the lowest feed position is evicted beyond it. */
  readonly maxNotificationsPerUser?: number | undefined;
  /** Most notifications the store keeps; the least recently written is evicted beyond it. */
  readonly maxNotifications?: number | undefined;
  /** The package its errors say they come from (`[herald] [<source>] …`); `store-memory` by default. */
  readonly errorSource?: string | undefined;
}

/** Everything the engine holds. */
export class EngineParts {
  /** The users' feeds, notifications and deliveries. */
  readonly users = new UserDirectory();
  /** Open deliveries by when they can next be claimed. */
  readonly due = new DueQueue();
  readonly subscriptions = new SubscriptionTable();
  readonly idempotency = new IdempotencyKeys();
  readonly deadLetters: DeadLetterIndex;
  /** Builds the engine's errors, prefixed with the store they come from. */
  readonly fail: (code: HeraldErrorCode, message: string) => HeraldError;
  /** Tombstones by deletion time, for purging old ones. */
  readonly tombstones = new MinHeap<Tombstone>();
  readonly bounds: EvictionBounds;
  /** Shares equal content values between notifications. */
  readonly interner = new ContentInterner();
  /** Users' preferences, deeply frozen, by user id (in the order they were first set). */
  readonly preferences = new Map<string, NotificationPreferences>();

  constructor(options: MemoryStateOptions) {
    this.bounds = new EvictionBounds(options.maxNotificationsPerUser, options.maxNotifications);
    this.fail = errorFactory(options.errorSource ?? errorSource);
    this.deadLetters = new DeadLetterIndex(this.fail);
  }
}
