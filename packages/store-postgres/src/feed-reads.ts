/**
 * Reads of a user's feed, each served by an index: a page by keyset on the feed position
 * (`position < before ORDER BY position DESC`, never OFFSET), the change feed by sequence
 * (the unread count is unread-counts.ts). Expired
 * notifications not purged yet are skipped.
 */
import type { ChangePage, FeedPage, FeedQuery, StoredChange, StoredNotification, UnreadFilter } from '@herald/core/store';
import type { Database } from './database.js';
import { storeError } from './errors.js';
import { big, notificationColumns, notificationOf, type NotificationRow } from './rows.js';

/** See `NotificationStore.getNotification`. */
export async function getNotification(db: Database, userId: string, notificationId: string, now: number): Promise<StoredNotification | undefined> {
  const [row] = await db.rows<NotificationRow>(
    'getNotification',
    `SELECT ${notificationColumns} FROM ${db.names.notifications} n WHERE n.user_id = $1 AND n.id = $2 AND n.expires_at > $3`,
    [userId, notificationId, now],
  );
  return row === undefined ? undefined : notificationOf(row);
}

/** The SQL conditions and values of a feed filter, numbered after `values`. */
function filterOf(filter: UnreadFilter & { readonly unread?: boolean | undefined }, values: unknown[]): string {
  let conditions = '';
  if (filter.unread === true) conditions += ` AND n.read_state = 'unread'`;
  if (filter.groupName !== undefined) conditions += ` AND n.group_name = $${values.push(filter.groupName)}`;
  if (filter.targetHostName !== undefined) conditions += ` AND n.target_host_name = $${values.push(filter.targetHostName)}`;
  return conditions;
}

/** See `NotificationStore.listFeed`. */
export async function listFeed(db: Database, userId: string, query: FeedQuery, now: number): Promise<FeedPage> {
  const values: unknown[] = [userId, now, query.before ?? Number.MAX_SAFE_INTEGER, query.limit + 1];
  const rows = await db.rows<NotificationRow>(
    'listFeed',
    `SELECT ${notificationColumns} FROM ${db.names.notifications} n
     WHERE n.user_id = $1 AND n.position < $3 AND n.expires_at > $2${filterOf(query, values)}
     ORDER BY n.position DESC LIMIT $4`,
    values,
  );
  // One row beyond the page says whether a matching item follows.
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  const items = page.map(notificationOf);
  return rows.length > query.limit && last !== undefined ? { items, next: big(last.position) } : { items };
}

/** See `NotificationStore.listChanges`. One snapshot (REPEATABLE READ), so a purge between two reads cannot hide a deletion. */
export function listChanges(db: Database, userId: string, since: number, limit: number, now: number): Promise<ChangePage> {
  return db.transaction(
    'listChanges',
    async (tx) => {
      const { users, notifications, tombstones } = tx.names;
      const [user] = await tx.rows<{ sequence: string; purged_through: string }>(`SELECT sequence, purged_through FROM ${users} WHERE user_id = $1`, [userId]);
      const current = big(user?.sequence ?? 0);
      if (since > current) throw storeError('CURSOR_EXPIRED', `the change cursor (${since}) is ahead of this user's feed (${current}); read the feed again`);
      if (since > 0 && since < big(user?.purged_through ?? 0)) throw storeError('CURSOR_EXPIRED', `deletions after the change cursor (${since}) were already purged; read the feed again`);
      const live = await tx.rows<NotificationRow>(
        `SELECT ${notificationColumns} FROM ${notifications} n WHERE n.user_id = $1 AND n.sequence > $2 AND n.expires_at > $3 ORDER BY n.sequence LIMIT $4`,
        [userId, since, now, limit + 1],
      );
      // A full sync (since 0) has nothing to delete.
      const deleted =
        since === 0
          ? []
          : await tx.rows<{ sequence: string; notification_id: string }>(
              `SELECT sequence, notification_id FROM ${tombstones} WHERE user_id = $1 AND sequence > $2 ORDER BY sequence LIMIT $3`,
              [userId, since, limit + 1],
            );
      const changes: StoredChange[] = [
        ...live.map((row): StoredChange => {
          const sequence = big(row.sequence);
          const type = since === 0 || big(row.created_sequence) > since ? 'created' : big(row.position) > since ? 'updated' : 'stateChanged';
          return { type, notificationId: row.id, sequence, notification: notificationOf(row) };
        }),
        ...deleted.map((row): StoredChange => ({ type: 'deleted', notificationId: row.notification_id, sequence: big(row.sequence) })),
      ].sort((a, b) => a.sequence - b.sequence);
      const hasMore = changes.length > limit;
      const page = changes.slice(0, limit);
      return { changes: page, cursor: hasMore ? (page.at(-1) as StoredChange).sequence : current, hasMore };
    },
    { isolation: 'REPEATABLE READ, READ ONLY' },
  );
}
