/**
 * The optional caps on how many notifications the store keeps, per user and in total,
 * and the order in which they pick what to evict: a user's lowest feed position, or
 * store-wide the notification least recently created or updated.
 */
import type { FeedEntry } from './feed-entry.js';
import type { UserFeed } from './user-feed.js';

const minStaleBeforeSweep = 1024;

/** The caps and the store-wide write order they need. */
export class EvictionBounds {
  /** Stored notifications of all users (expired ones until purged). */
  #stored = 0;
  /** The store-wide write order, kept only with a total cap: parallel arrays, with lazy holes. */
  #serial = 0;
  #orders: number[] = [];
  #entries: FeedEntry[] = [];
  #head = 0;

  constructor(
    /** Most notifications one user keeps. */
    readonly maxPerUser: number | undefined,
    /** Most notifications the store keeps. */
    readonly maxTotal: number | undefined,
  ) {}

  /** Stored notifications of all users. */
  get stored(): number {
    return this.#stored;
  }

  /** Counts a created notification in and places it last in the write order. */
  created(entry: FeedEntry): void {
    this.#stored++;
    this.updated(entry);
  }

  /** Moves an updated notification to the end of the write order. */
  updated(entry: FeedEntry): void {
    if (this.maxTotal === undefined) return;
    entry.writeOrder = ++this.#serial;
    this.#orders.push(entry.writeOrder);
    this.#entries.push(entry);
    const stale = this.#entries.length - this.#stored;
    if (stale > minStaleBeforeSweep && stale > this.#stored) this.#sweep();
  }

  /** Counts a notification out (deleted, evicted or purged). */
  removed(): void {
    this.#stored--;
    if (this.maxTotal === undefined) return;
    // The write order's stale entries hold removed notifications: none is kept once all are gone.
    const stale = this.#entries.length - this.#head - this.#stored;
    if (this.#stored === 0 || (stale > minStaleBeforeSweep && stale > this.#stored)) this.#sweep();
  }

  /** Entries of the write order, live and stale: what its memory follows. */
  get orderEntries(): number {
    return this.#entries.length - this.#head;
  }

  /** The user's notification to evict now, if the user is over the per-user cap. */
  userVictim(user: UserFeed): FeedEntry | undefined {
    if (this.maxPerUser === undefined || user.notifications.size <= this.maxPerUser) return undefined;
    return user.feed.oldest();
  }

  /** The store's notification to evict now, if the store is over the total cap. */
  totalVictim(): FeedEntry | undefined {
    if (this.maxTotal === undefined || this.#stored <= this.maxTotal) return undefined;
    while (this.#head < this.#entries.length) {
      const entry = this.#entries[this.#head] as FeedEntry;
      if (entry.stored && entry.writeOrder === this.#orders[this.#head]) return entry;
      this.#head++;
    }
    return undefined;
  }

  #sweep(): void {
    const orders: number[] = [];
    const entries: FeedEntry[] = [];
    for (let index = this.#head; index < this.#entries.length; index++) {
      const entry = this.#entries[index] as FeedEntry;
      if (entry.stored && entry.writeOrder === this.#orders[index]) {
        orders.push(entry.writeOrder);
        entries.push(entry);
      }
    }
    this.#orders = orders;
    this.#entries = entries;
    this.#head = 0;
  }
}
