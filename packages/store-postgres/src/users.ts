/**
 * The user's row: the change sequence and the purge mark, and the lock that serializes
 * every write to one user's feed and subscriptions. A send plans its deliveries from the
 * subscriptions it reads after taking this lock, and a subscription change takes it too,
 * so a plan always sees the subscriptions as they stand at the write.
 */
import type { NotificationPreferences } from '@herald/core/store';
import type { Transaction } from './database.js';
import { big } from './rows.js';

/** A locked user's row. */
export interface LockedUser {
  /** The user's preferences, or `undefined` when never set. */
  readonly preferences: NotificationPreferences | undefined;
  /** The user's current change sequence (0 for a new user). */
  readonly sequence: number;
  /** The highest sequence of a purged tombstone. */
  readonly purgedThrough: number;
}

/** Locks the user's row until the transaction ends, making it when missing; returns it. */
export async function lockUser(tx: Transaction, userId: string): Promise<LockedUser> {
  // An upsert that touches the row locks it whether it was made or found, in one round trip.
  const [row] = await tx.rows<{ sequence: string; purged_through: string; preferences: NotificationPreferences | null }>(
    `INSERT INTO ${tx.names.users} AS u (user_id) VALUES ($1)
     ON CONFLICT (user_id) DO UPDATE SET user_id = excluded.user_id
     RETURNING u.sequence, u.purged_through, u.preferences`,
    [userId],
  );
  return { sequence: big(row?.sequence ?? 0), purgedThrough: big(row?.purged_through ?? 0), preferences: row?.preferences ?? undefined };
}

/** Locks the rows of `userIds` (in a fixed order, so two such calls never deadlock). */
export async function lockUsers(tx: Transaction, userIds: Iterable<string>): Promise<void> {
  const sorted = [...new Set(userIds)].sort();
  if (sorted.length === 0) return;
  await tx.rows(`SELECT 1 FROM ${tx.names.users} WHERE user_id = ANY($1::text[]) ORDER BY user_id FOR UPDATE`, [sorted]);
}

/** Records the user's sequence after a write that changed it. */
export async function setSequence(tx: Transaction, userId: string, sequence: number): Promise<void> {
  await tx.rows(`UPDATE ${tx.names.users} SET sequence = $2 WHERE user_id = $1`, [userId, sequence]);
}
