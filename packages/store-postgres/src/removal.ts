/**
 * Taking notifications out of a feed — a delete, the replacement of an expired one, a
 * purge — with all their deliveries, leaving one tombstone each for the change feed.
 * The caller holds the user's lock and owns the sequence.
 */
import type { Transaction } from './database.js';
import { adjustUnread } from './unread-counts.js';

/**
 * Removes the user's notifications `ids` (in that order) and their deliveries, and writes
 * their tombstones at `sequence + 1`, `sequence + 2`, …, deleted at `now`. Returns the
 * tombstones' sequences, in the order of `ids`.
 */
export async function removeNotifications(tx: Transaction, userId: string, ids: readonly string[], sequence: number, now: number): Promise<number[]> {
  if (ids.length === 0) return [];
  const sequences = ids.map((_, index) => sequence + index + 1);
  const { notifications, deliveries, tombstones } = tx.names;
  await tx.rows(`DELETE FROM ${deliveries} WHERE user_id = $1 AND notification_id = ANY($2::text[])`, [userId, ids]);
  const removed = await tx.rows<{ target_host_name: string; group_name: string | null; read_state: string }>(
    `DELETE FROM ${notifications} WHERE user_id = $1 AND id = ANY($2::text[]) RETURNING target_host_name, group_name, read_state`,
    [userId, ids],
  );
  await adjustUnread(
    tx,
    userId,
    removed.filter((row) => row.read_state === 'unread').map((row) => ({ targetHostName: row.target_host_name, groupName: row.group_name, delta: -1 })),
  );
  await tx.rows(
    `INSERT INTO ${tombstones} (user_id, sequence, notification_id, deleted_at) SELECT $1, v.sequence, v.id, $4 FROM unnest($2::text[], $3::bigint[]) AS v(id, sequence)`,
    [userId, ids, sequences, now],
  );
  return sequences;
}
