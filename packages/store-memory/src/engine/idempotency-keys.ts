/**
 * Idempotency keys, per user: a repeated send with a recorded key replays the first
 * result instead of writing again. Keys expire; a heap by expiry lets a purge drop
 * them without a scan.
 */
import type { StoredNotification } from '@herald/core/store';
import { flat } from './flat-string.js';
import { MinHeap } from './min-heap.js';

/** A recorded key and the result of the send that recorded it. */
export interface IdempotencyEntry {
  /** The user the key belongs to. */
  readonly userId: string;
  /** The caller's key. */
  readonly key: string;
  /** The digest of the first request. */
  readonly fingerprint: string;
  /** When the key may be forgotten (epoch ms). */
  readonly expiresAt: number;
  /** The notification as the first call stored it. */
  readonly notification: StoredNotification;
  /** Whether the first call created the notification. */
  readonly created: boolean;
}

/** The idempotency keys of all users. */
export class IdempotencyKeys {
  readonly #byUser = new Map<string, Map<string, IdempotencyEntry>>();
  readonly #expiry = new MinHeap<IdempotencyEntry>();

  /** The user's entry for `key`, unless missing or expired at `now`. */
  find(userId: string, key: string, now: number): IdempotencyEntry | undefined {
    const entry = this.#byUser.get(userId)?.get(key);
    return entry !== undefined && entry.expiresAt > now ? entry : undefined;
  }

  /** Records `entry`, replacing an expired one with the same key. */
  record(entry: IdempotencyEntry): void {
    let mine = this.#byUser.get(entry.userId);
    if (mine === undefined) {
      mine = new Map();
      this.#byUser.set(entry.userId, mine);
    }
    mine.set(entry.key, Object.freeze({ ...entry, key: flat(entry.key), fingerprint: flat(entry.fingerprint) }));
    this.#expiry.push(entry.expiresAt, mine.get(entry.key) as IdempotencyEntry);
  }

  /** Forgets keys expired at `now`; returns how many. */
  purge(now: number): number {
    let purged = 0;
    for (let key = this.#expiry.peekKey(); key !== undefined && key <= now; key = this.#expiry.peekKey()) {
      const entry = this.#expiry.peekValue() as IdempotencyEntry;
      this.#expiry.pop();
      const mine = this.#byUser.get(entry.userId);
      // A key recorded again since holds a newer entry: this node is stale.
      if (mine?.get(entry.key) !== entry) continue;
      mine.delete(entry.key);
      if (mine.size === 0) this.#byUser.delete(entry.userId);
      purged++;
    }
    return purged;
  }

  /** The users with a recorded key. */
  userIds(): IterableIterator<string> {
    return this.#byUser.keys();
  }

  /** Every entry, by user then by recording order (for state images and the logical state). */
  all(): IdempotencyEntry[] {
    return [...this.#byUser.values()].flatMap((mine) => [...mine.values()]);
  }
}
