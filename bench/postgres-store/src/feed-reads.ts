/**
 * Scenario 2: feed reads of a user with 100,000 notifications (every third one read): the
 * first page of 20 and the unread count, through the service (argument checks and
 * cursors included), one call at a time, p99 of many calls.
 */
import { p99Result, timeCalls, type BenchResult } from '@herald/bench-support';
import type { NotificationService } from '@herald/core';
import pg from 'pg';
import { heraldService } from './herald-sends.js';
import { referenceRequest } from './reference.js';

/**
 * Fills alice's feed: one notification sent through the service, then copied in SQL into
 * `notifications` − 1 more rows of the store's own table (ids, app ids and feed positions
 * of their own; every third one read), her change sequence moved past them and her unread
 * counters set to match. Sending
 * 100,000 notifications to one user one at a time would take many minutes (each waits for
 * her row lock and a commit); the copy takes seconds. The reads below go through the
 * service and check what they get, so a copy that the store would not read as its own
 * fails the benchmark instead of timing something else.
 */
async function fill(service: NotificationService, pool: pg.Pool, schema: string, notifications: number): Promise<void> {
  const { notification } = await service.send(referenceRequest('n-0'), { userId: 'alice' });
  await service.feed.markRead('alice', notification.id);
  const s = `"${schema}"`;
  await pool.query(
    `INSERT INTO ${s}.notifications (user_id, id, target_host_name, app_notification_id, group_name, position, created_sequence, sequence,
       read_state, user_action_state, expires_at, created_at, modified_at, content)
     SELECT user_id, id || '-' || n, target_host_name, app_notification_id || '-' || n, group_name, seq.base + n, seq.base + n, seq.base + n,
       CASE WHEN n % 3 = 0 THEN 'read' ELSE 'unread' END, user_action_state, expires_at, created_at, modified_at, content
     FROM ${s}.notifications, (SELECT sequence AS base FROM ${s}.users WHERE user_id = 'alice') AS seq, generate_series(1, $2::integer - 1) AS n
     WHERE user_id = 'alice' AND id = $1`,
    [notification.id, notifications],
  );
  await pool.query(`UPDATE ${s}.users SET sequence = sequence + $1::integer - 1 WHERE user_id = 'alice'`, [notifications]);
  // The store's unread counters (per app and group; '' without a group, '=' and the name with one), set to what the copy holds.
  await pool.query(
    `INSERT INTO ${s}.unread_counts AS c (user_id, target_host_name, group_key, unread)
     SELECT user_id, target_host_name, coalesce('=' || group_name, ''), count(*) FROM ${s}.notifications
     WHERE user_id = 'alice' AND read_state = 'unread' GROUP BY 1, 2, 3
     ON CONFLICT (user_id, target_host_name, group_key) DO UPDATE SET unread = excluded.unread`,
  );
  await pool.query(`VACUUM ANALYZE ${s}.notifications`);
}

/** Fills the feed, then times `calls` first pages and `calls` unread counts. */
export async function feedReads(connectionString: string, notifications: number, calls: number): Promise<BenchResult[]> {
  const service = await heraldService(connectionString, 'bench_feed');
  // For the copy only: the reads go through the service.
  const pool = new pg.Pool({ connectionString, max: 1 });
  pool.on('error', () => undefined); // an idle connection told of the server's shutdown at the end
  try {
    await fill(service, pool, 'bench_feed', notifications);
    const expectedUnread = notifications - 1 - Math.floor((notifications - 1) / 3);
    const counted = await service.feed.unreadCount('alice');
    if (counted !== expectedUnread) throw new Error(`the store counted ${counted} unread notifications, not ${expectedUnread}: the copy is not the store's own`);
    const first = await service.feed.list('alice', { limit: 20 });
    if (first.items.length !== 20) throw new Error(`the first page held ${first.items.length} notifications, not 20`);
    const page = await timeCalls(() => service.feed.list('alice', { limit: 20 }), calls);
    const unread = await timeCalls(() => service.feed.unreadCount('alice'), calls);
    return [
      p99Result(`first feed page of 20 (PostgreSQL store), user with ${notifications.toLocaleString('en-US')} notifications, ${calls.toLocaleString('en-US')} sequential calls`, page, 2),
      p99Result('unread count (PostgreSQL store), same user', unread, 2),
    ];
  } finally {
    await service.close();
    await pool.end();
  }
}
