/**
 * One user's feed in position order: two parallel arrays (positions ascending, entries),
 * so the newest page is read from the end and `before` is a binary search.
 *
 * An entry that moves (an update gives it a new position) or leaves leaves a hole
 * behind; holes are skipped on reads and swept out once they outnumber live slots, so
 * moving and removing stay O(1) amortised instead of an O(n) splice each.
 */
import type { FeedEntry } from './feed-entry.js';

/** Holes tolerated before a sweep, whatever the size. */
const minHolesBeforeSweep = 64;

/** A position-ordered index of one user's notifications. */
export class FeedIndex {
  #positions: number[] = [];
  #entries: FeedEntry[] = [];
  /** Slots before `#head` are all holes (evictions take from the old end). */
  #head = 0;
  /** Holes anywhere, before `#head` included. */
  #holes = 0;

  /** Notifications in the index. */
  get size(): number {
    return this.#entries.length - this.#holes;
  }

  /** Adds an entry at its (new, highest) position. */
  append(entry: FeedEntry): void {
    this.#positions.push(entry.position);
    this.#entries.push(entry);
  }

  /** Records that an entry left its slot (it moved to a new position or left the store). */
  vacate(): void {
    this.#holes++;
    if (this.#holes > minHolesBeforeSweep && this.#holes > this.size) this.#sweep();
  }

  /** The entry with the lowest position: the next to evict. */
  oldest(): FeedEntry | undefined {
    while (this.#head < this.#entries.length) {
      const entry = this.#entries[this.#head] as FeedEntry;
      if (entry.position === this.#positions[this.#head]) return entry;
      // A leading hole is skipped for good: it will never hold an entry again.
      this.#head++;
    }
    return undefined;
  }

  /**
   * Calls `visit` for each entry below `before` (all when undefined), highest position
   * first, until it returns false.
   */
  visitNewestFirst(before: number | undefined, visit: (entry: FeedEntry) => boolean): void {
    const positions = this.#positions;
    const entries = this.#entries;
    let index = before === undefined ? positions.length - 1 : this.#firstAtOrAbove(before) - 1;
    for (; index >= this.#head; index--) {
      const entry = entries[index] as FeedEntry;
      if (entry.position !== positions[index]) continue; // a hole
      if (!visit(entry)) return;
    }
  }

  /** Calls `visit` for each entry, lowest position first. */
  visitOldestFirst(visit: (entry: FeedEntry) => void): void {
    const positions = this.#positions;
    const entries = this.#entries;
    for (let index = this.#head; index < entries.length; index++) {
      const entry = entries[index] as FeedEntry;
      if (entry.position === positions[index]) visit(entry);
    }
  }

  /** The index of the first slot whose position is `>= position`. */
  #firstAtOrAbove(position: number): number {
    let low = this.#head;
    let high = this.#positions.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.#positions[middle] as number) < position) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  #sweep(): void {
    const positions: number[] = [];
    const entries: FeedEntry[] = [];
    this.visitOldestFirst((entry) => {
      positions.push(entry.position);
      entries.push(entry);
    });
    this.#positions = positions;
    this.#entries = entries;
    this.#head = 0;
    this.#holes = 0;
  }
}
