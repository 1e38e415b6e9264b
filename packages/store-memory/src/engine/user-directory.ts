/**
 * The users the engine holds a feed for: a user's feed is made at their first write and
 * forgotten once nothing of it is left (no notification, no tombstone the change feed
 * still reports), so memory follows live data rather than every user ever seen.
 *
 * Forgetting a user must not let an old change cursor read a later change as its own,
 * so the directory keeps one number for all forgotten users: the highest sequence any of
 * them reached (the retired sequence). A feed made again starts there, with every cursor
 * below it expired, as if the user's sequence had gone on counting.
 */
import { ExpiryHeap } from './expiry-heap.js';
import { UserFeed } from './user-feed.js';

/** The users with a feed, and their order for the purge. */
export class UserDirectory {
  readonly #users = new Map<string, UserFeed>();
  /** Users by the earliest expiry among their notifications: what a purge visits first. */
  readonly #byExpiry = new ExpiryHeap<UserFeed>();
  #retiredSequence = 0;

  /** Users with a feed. */
  get size(): number {
    return this.#users.size;
  }

  /** The highest sequence a forgotten user reached: where a new feed starts. */
  get retiredSequence(): number {
    return this.#retiredSequence;
  }

  /** The user's feed, if they have one. */
  get(userId: string): UserFeed | undefined {
    return this.#users.get(userId);
  }

  /** Every feed, in the order the users were first written. */
  values(): IterableIterator<UserFeed> {
    return this.#users.values();
  }

  /** The user's feed, made if missing (its sequence continues past every forgotten user's). */
  open(userId: string): UserFeed {
    let user = this.#users.get(userId);
    if (user === undefined) {
      user = new UserFeed(userId);
      user.sequence = this.#retiredSequence;
      user.purgedThrough = this.#retiredSequence;
      this.#users.set(userId, user);
    }
    return user;
  }

  /** Keeps the user's place in the purge order in step with their earliest expiry. */
  expiryChanged(user: UserFeed): void {
    const earliest = user.expiry.earliestKey();
    if (earliest === undefined) this.#byExpiry.delete(user);
    else this.#byExpiry.set(user, earliest);
  }

  /** The earliest expiry of any user's notification. */
  earliestExpiry(): number | undefined {
    return this.#byExpiry.earliestKey();
  }

  /** The user whose notification expires first. */
  earliestToExpire(): UserFeed | undefined {
    return this.#byExpiry.earliest();
  }

  /**
   * Forgets the user when nothing of their feed is left; true when it did. Their
   * sequence is folded into the retired sequence, so their cursors stay refused.
   */
  forgetIfEmpty(user: UserFeed): boolean {
    // The feed holds the same entries as the index by id, which a restored user builds only when used.
    if (user.feed.size > 0 || user.changes.size > 0 || this.#users.get(user.userId) !== user) return false;
    this.#users.delete(user.userId);
    this.#byExpiry.delete(user);
    this.#retiredSequence = Math.max(this.#retiredSequence, user.sequence);
    return true;
  }

  /** Restores the retired sequence from a state image (it only ever grows). */
  restoreRetiredSequence(sequence: number): void {
    this.#retiredSequence = Math.max(this.#retiredSequence, sequence);
  }
}
