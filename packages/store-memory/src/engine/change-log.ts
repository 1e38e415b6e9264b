/**
 * One user's changes in sequence order: every live notification at the sequence of its
 * last change, and every tombstone. `listChanges` binary-searches `since` and reads
 * forward, instead of sorting the feed on each call.
 *
 * A notification that changes again leaves a hole at its old sequence; holes are
 * skipped and swept out once they outnumber live slots (as in the feed index).
 */
import { FeedEntry } from './feed-entry.js';
import type { Tombstone } from './tombstone.js';

const minHolesBeforeSweep = 64;

/** A change the log holds: a notification as it is now, or a deletion. */
export type LoggedChange = FeedEntry | Tombstone;

function sequenceOf(change: LoggedChange): number {
  if (change instanceof FeedEntry) return change.stored ? change.record.sequence : -1;
  return change.purged ? -1 : change.sequence;
}

/** A sequence-ordered log of one user's changes. */
export class ChangeLog {
  #sequences: number[] = [];
  #changes: LoggedChange[] = [];
  #holes = 0;

  /** Live slots (notifications and unpurged tombstones). */
  get size(): number {
    return this.#changes.length - this.#holes;
  }

  /** Adds a change at its sequence, the highest so far. */
  append(change: LoggedChange): void {
    this.#sequences.push(sequenceOf(change));
    this.#changes.push(change);
  }

  /** Records that a slot went stale (the notification changed again, left, or a tombstone was purged). */
  vacate(): void {
    this.#holes++;
    if (this.#holes > minHolesBeforeSweep && this.#holes > this.size) this.#sweep();
  }

  /** Calls `visit` for each live change with a sequence above `since`, oldest first, until it returns false. */
  visitAfter(since: number, visit: (change: LoggedChange, sequence: number) => boolean): void {
    const sequences = this.#sequences;
    const changes = this.#changes;
    let low = 0;
    let high = sequences.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((sequences[middle] as number) <= since) low = middle + 1;
      else high = middle;
    }
    for (let index = low; index < changes.length; index++) {
      const change = changes[index] as LoggedChange;
      const sequence = sequences[index] as number;
      if (sequenceOf(change) !== sequence) continue; // a hole
      if (!visit(change, sequence)) return;
    }
  }

  #sweep(): void {
    const sequences: number[] = [];
    const changes: LoggedChange[] = [];
    for (let index = 0; index < this.#changes.length; index++) {
      const change = this.#changes[index] as LoggedChange;
      if (sequenceOf(change) === this.#sequences[index]) {
        sequences.push(this.#sequences[index] as number);
        changes.push(change);
      }
    }
    this.#sequences = sequences;
    this.#changes = changes;
    this.#holes = 0;
  }
}
