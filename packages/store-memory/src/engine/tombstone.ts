/**
 * What a deleted notification leaves behind for the change feed: its id, the user's
 * sequence at the deletion, and the time (old tombstones are purged by time).
 */

/** A deleted notification, as the change feed reports it. */
export class Tombstone {
  /** True once purged: the change feed no longer knows this deletion. */
  purged = false;

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
