/**
 * Anchor (a): the floor of a PostgreSQL store. A bare `pg` pool writes the rows Herald
 * writes for a new notification with three deliveries, into the same tables with the same
 * indexes (Herald's schema, migrated), in one transaction per send: the user's sequence
 * bumped in the statement that inserts the notification, then the three deliveries in one
 * multi-row INSERT. None of Herald's reads and checks (no upsert look-up, no endpoint
 * look-up inside the write, no idempotency key, no argument validation) and no NOTIFY.
 * Its connections pipeline, as the store's own do: the four statements (BEGIN, the two
 * INSERTs, COMMIT) go out back to back, one round trip per send.
 */
import { randomUUID } from 'node:crypto';
import { migratePostgresStore } from '@herald/store-postgres';
import { rate } from '@herald/bench-support';
import pg from 'pg';
import { connections, platforms, referenceRequest, senders, unmeasured, userOf, users, type Measured } from './reference.js';

/** The two statements, for the tables of `schema` (quoted: kept as written). */
function statements(schema: string): { notification: string; deliveries: string } {
  const s = `"${schema}"`;
  return {
    notification: `WITH bumped AS (UPDATE ${s}.users SET sequence = sequence + 1 WHERE user_id = $1 RETURNING sequence)
INSERT INTO ${s}.notifications (user_id, id, target_host_name, app_notification_id, group_name, position, created_sequence, sequence,
  read_state, user_action_state, expires_at, created_at, modified_at, content)
SELECT $1, $2, $3, $4, $5, sequence, sequence, sequence, 'unread', 'noInteraction', $6, $7, $7, $8 FROM bumped`,
    deliveries: `INSERT INTO ${s}.deliveries (user_id, id, notification_id, subscription_id, transport, platform_type, kind, status, attempts,
  next_attempt_at, created_at, updated_at, claimable_at)
VALUES ${platforms.map((_, i) => `($1, $${3 + i * 3}, $2, $${4 + i * 3}, 'noop', $${5 + i * 3}, 'notification', 'pending', 0, $${3 + platforms.length * 3}, $${3 + platforms.length * 3}, $${3 + platforms.length * 3}, $${3 + platforms.length * 3})`).join(', ')}`,
  };
}

/** Writes `total` notifications' rows with `senders` concurrent writers after `warmup` (the measured part run by `measured`); returns sends per second. */
export async function bareInserts(connectionString: string, schema: string, total: number, warmup: number, measured: Measured = unmeasured): Promise<number> {
  await migratePostgresStore({ connectionString, schema });
  const pool = new pg.Pool({ connectionString, max: connections, pipeline: true });
  const sql = statements(schema);
  try {
    // The users' rows exist, as Herald's do once the users have subscribed.
    await pool.query(`INSERT INTO "${schema}".users (user_id) SELECT 'user-' || n FROM generate_series(0, $1::integer - 1) AS n`, [users]);
    const one = (tag: string) => async (index: number) => {
      const userId = userOf(index);
      const request = referenceRequest(`${tag}-${index}`);
      const now = Date.now();
      const id = randomUUID();
      const client = await pool.connect();
      try {
        await Promise.all([
          client.query('BEGIN'),
          client.query(sql.notification, [userId, id, request.targetHostName, request.appNotificationId, request.groupName ?? null, Date.parse(request.expirationDateTime ?? ''), now, JSON.stringify(request)]),
          client.query(sql.deliveries, [userId, id, ...platforms.flatMap((platform) => [randomUUID(), `${userId}-${platform}`, platform]), now]),
          client.query('COMMIT'),
        ]);
      } finally {
        client.release();
      }
    };
    await rate(warmup, senders, one('warm'));
    return await measured(() => rate(total, senders, one('n')));
  } finally {
    await pool.end();
  }
}
