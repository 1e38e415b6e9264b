/**
 * The unread counters: unread notifications per user, app and group, kept in the same
 * transaction as every change of a notification's existence or read state (under the
 * user's lock, so they never drift). They count notifications that expired but are not
 * purged yet; the count takes those off, read from the partial index of unread
 * notifications by expiry, which holds only them.
 */
import type { UnreadFilter } from '@herald/core/store';
import type { Database, Transaction } from './database.js';
import { big } from './rows.js';

/** A change of one app's and group's unread notifications. */
export interface UnreadChange {
  readonly targetHostName: string;
  /** The group; `null` or `undefined` without one. */
  readonly groupName: string | null | undefined;
  /** +1 for a notification that became unread (or was created), -1 for one that stopped being. */
  readonly delta: number;
}

/** The counter's key of a group: `''` without one, `=` and the name with one (so no name can be taken for "none"). */
export function groupKey(groupName: string | null | undefined): string {
  return groupName === null || groupName === undefined ? '' : `=${groupName}`;
}

/** Adds `changes` to the user's counters, in one statement (nothing when they cancel out). */
export async function adjustUnread(tx: Transaction, userId: string, changes: readonly UnreadChange[]): Promise<void> {
  const sums = new Map<string, { host: string; key: string; delta: number }>();
  for (const change of changes) {
    const key = groupKey(change.groupName);
    const id = JSON.stringify([change.targetHostName, key]);
    const sum = sums.get(id) ?? { host: change.targetHostName, key, delta: 0 };
    sum.delta += change.delta;
    sums.set(id, sum);
  }
  const moved = [...sums.values()].filter((sum) => sum.delta !== 0);
  if (moved.length === 0) return;
  await tx.rows(
    `INSERT INTO ${tx.names.unreadCounts} AS c (user_id, target_host_name, group_key, unread)
     SELECT $1, v.host, v.key, v.delta FROM unnest($2::text[], $3::text[], $4::bigint[]) AS v(host, key, delta)
     ON CONFLICT (user_id, target_host_name, group_key) DO UPDATE SET unread = c.unread + excluded.unread`,
    [userId, moved.map((sum) => sum.host), moved.map((sum) => sum.key), moved.map((sum) => sum.delta)],
  );
}

/** See `NotificationStore.countUnread`: the counters, less the unread notifications expired by `now` and not purged. One statement, one snapshot. */
export async function countUnread(db: Database, userId: string, filter: UnreadFilter, now: number): Promise<number> {
  const values: unknown[] = [userId, now];
  let counters = '';
  let expired = '';
  if (filter.targetHostName !== undefined) {
    const at = values.push(filter.targetHostName);
    counters += ` AND c.target_host_name = $${at}`;
    expired += ` AND n.target_host_name = $${at}`;
  }
  if (filter.groupName !== undefined) {
    counters += ` AND c.group_key = $${values.push(groupKey(filter.groupName))}`;
    expired += ` AND n.group_name = $${values.push(filter.groupName)}`;
  }
  const [row] = await db.rows<{ count: string }>(
    'countUnread',
    `SELECT (SELECT coalesce(sum(c.unread), 0) FROM ${db.names.unreadCounts} c WHERE c.user_id = $1${counters})
          - (SELECT count(*) FROM ${db.names.notifications} n WHERE n.user_id = $1 AND n.read_state = 'unread' AND n.expires_at <= $2${expired}) AS count`,
    values,
  );
  return big(row?.count ?? 0);
}
