/**
 * The store interface's types for the change feed: what changed in a user's feed since a
 * cursor, a page at a time (see `NotificationStore.listChanges` in interface.ts).
 */
import type { StoredNotification } from '../records.js';

/** The kinds of change the change feed reports, relative to the caller's cursor. */
export const changeTypes = ['created', 'updated', 'stateChanged', 'deleted'] as const;
/** The kind of a change. */
export type ChangeType = (typeof changeTypes)[number];

/**
 * The net change of one notification since a cursor: `created` if it did not exist at
 * the cursor, `updated` if its content changed, `stateChanged` if only read or action
 * state changed, `deleted` if it is gone (deleted, evicted or purged after expiry).
 */
export interface StoredChange {
  /** The kind of change. */
  readonly type: ChangeType;
  /** The notification's id. */
  readonly notificationId: string;
  /** The user's change sequence at this change. */
  readonly sequence: number;
  /** The notification as it is now; absent for `deleted`. */
  readonly notification?: StoredNotification;
}

/** A page of the change feed, oldest change first. */
export interface ChangePage {
  /** The changes, by ascending sequence. */
  readonly changes: readonly StoredChange[];
  /** The sequence to pass as `since` next time. */
  readonly cursor: number;
  /** True when more changes follow this page. */
  readonly hasMore: boolean;
}
