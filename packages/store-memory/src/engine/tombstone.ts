/**
 * What a deleted notification leaves behind for the change feed: its id, the user's
 * sequence at the deletion, and the time (old tombstones are purged by time); and, for a
 * deletion that told the user's other endpoints, the deleted entry holding those sync
 * deliveries (they outlive the notification and go with the tombstone).
 */
import type { FeedEntry } from './feed-entry.js';

/** A deleted notification, as the change feed reports it. */
export class Tombstone {
  /** True once purged: the change feed no longer knows this deletion. */
  purged = false;
  /** The deleted notification's entry (out of the feed) holding the deletion's sync deliveries, when it made any. */
  syncs: FeedEntry | undefined = undefined;

  constructor(
    /** The user whose feed it was in (the user's shared string). */
    readonly userId: string,
    /** The deleted notification's id. */
    readonly notificationId: string,
    /** The user's change sequence at the deletion. */
    readonly sequence: number,
    /** When it was deleted (epoch ms). */
    readonly deletedAt: number,
  ) {}
}
