/**
 * The purge, in bounded batches: at most `limit` of each kind per call — tombstones older
 * than the change feed keeps (with a deletion's syncs), expired notifications (with their
 * deliveries, leaving tombstones), expired idempotency keys, and expired subscriptions
 * (marked inactive) — and `more` when a batch was full, so the caller calls again.
 */
import type { PurgeRequest, PurgeResult, StoredSubscription } from '@herald/core/store';
import type { Database, Transaction } from './database.js';
import { removeNotifications } from './removal.js';
import { big } from './rows.js';
import { patchSubscription } from './subscriptions.js';
import { lockUser, lockUsers, setSequence } from './users.js';

/** See `NotificationStore.purgeExpired`. */
export function purgeExpired(db: Database, request: PurgeRequest): Promise<PurgeResult> {
  return db.transaction('purgeExpired', async (tx) => {
    const { now, tombstonesBefore, limit } = request;
    // Old tombstones first, so the ones this purge leaves are not purged at once.
    const tombstonesFull = await purgeTombstones(tx, tombstonesBefore, limit);
    const expired = await purgeNotifications(tx, now, limit);
    const keys = await tx.rows(
      `DELETE FROM ${tx.names.idempotencyKeys} WHERE (user_id, key) IN (SELECT user_id, key FROM ${tx.names.idempotencyKeys} WHERE expires_at <= $1 LIMIT $2) RETURNING 1`,
      [now, limit],
    );
    const subscriptions = await expireSubscriptions(tx, now, limit);
    const more = tombstonesFull || expired.more || keys.length === limit || subscriptions.length === limit;
    return { notifications: expired.removed, subscriptions, more };
  });
}

/** Purges up to `limit` tombstones deleted before `before`, with their deletions' syncs; true when the batch was full. */
async function purgeTombstones(tx: Transaction, before: number, limit: number): Promise<boolean> {
  const { tombstones, deliveries, users } = tx.names;
  const [row] = await tx.rows<{ purged: string }>(
    `WITH gone AS (
       DELETE FROM ${tombstones} t WHERE (t.user_id, t.sequence) IN (SELECT user_id, sequence FROM ${tombstones} WHERE deleted_at < $1 ORDER BY deleted_at LIMIT $2)
       RETURNING t.user_id, t.sequence
     ), syncs AS (
       DELETE FROM ${deliveries} d USING gone WHERE d.user_id = gone.user_id AND d.tombstone_sequence = gone.sequence
     ), marks AS (
       UPDATE ${users} u SET purged_through = greatest(u.purged_through, m.sequence)
       FROM (SELECT user_id, max(sequence) AS sequence FROM gone GROUP BY user_id) m WHERE u.user_id = m.user_id
     )
     SELECT count(*) AS purged FROM gone`,
    [before, limit],
  );
  return big(row?.purged ?? 0) === limit;
}

/** Removes up to `limit` notifications expired at `now`, earliest expiry first, each leaving a tombstone. */
async function purgeNotifications(tx: Transaction, now: number, limit: number): Promise<{ removed: number; more: boolean }> {
  const found = await tx.rows<{ user_id: string; id: string }>(
    `SELECT user_id, id FROM ${tx.names.notifications} WHERE expires_at <= $1 ORDER BY expires_at, user_id, position LIMIT $2`,
    [now, limit + 1],
  );
  const batch = found.slice(0, limit);
  const byUser = new Map<string, string[]>();
  for (const { user_id: userId, id } of batch) byUser.set(userId, [...(byUser.get(userId) ?? []), id]);
  await lockUsers(tx, byUser.keys());
  let removed = 0;
  for (const [userId, ids] of byUser) {
    const { sequence } = await lockUser(tx, userId);
    // Read again under the lock: an update may have renewed one since the first read.
    const still = await tx.rows<{ id: string }>(
      `SELECT id FROM ${tx.names.notifications} WHERE user_id = $1 AND id = ANY($2::text[]) AND expires_at <= $3 ORDER BY position`,
      [userId, ids, now],
    );
    if (still.length === 0) continue;
    const tombstones = await removeNotifications(tx, userId, still.map((row) => row.id), sequence, now);
    await setSequence(tx, userId, tombstones.at(-1) as number);
    removed += still.length;
  }
  return { removed, more: found.length > limit };
}

/** What an expired subscription becomes. */
const expiredPatch = { status: 'inactive', statusReason: 'expired' } as const;

/** Marks up to `limit` active subscriptions expired by `now` inactive, reason `expired`, and returns them. */
async function expireSubscriptions(tx: Transaction, now: number, limit: number): Promise<StoredSubscription[]> {
  const found = await tx.rows<{ id: string; user_id: string }>(
    `SELECT id, user_id FROM ${tx.names.subscriptions} WHERE status = 'active' AND expires_at <= $1 ORDER BY expires_at, serial LIMIT $2`,
    [now, limit],
  );
  await lockUsers(tx, found.map((row) => row.user_id));
  const marked: (StoredSubscription | undefined)[] = [];
  for (const row of found) marked.push(await patchSubscription(tx, row.id, expiredPatch, now));
  return marked.filter((subscription) => subscription !== undefined);
}
