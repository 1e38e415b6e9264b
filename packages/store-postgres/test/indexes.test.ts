/**
 * What serves each read, from the plans PostgreSQL itself chose (auto_explain logs the
 * plan of every statement the store runs) over tables big enough that a scan would show:
 * a feed page reads the feed index by keyset (no sort, no OFFSET), and paging goes through
 * 20,000 notifications exactly; the unread count reads its counters and the partial index
 * of unread notifications by expiry (only the expired ones); the change feed, claims, nextDueAt and the dead list read their indexes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStore, type PostgresStore } from '../src/index.js';
import { startPostgresServer, type PostgresServer } from './postgres-server.js';

const feedSize = 20_000;
const now = Date.parse('2026-01-01T00:00:00.000Z');
let server: PostgresServer;
let store: PostgresStore;

beforeAll(async () => {
  server = await startPostgresServer({
    settings: { session_preload_libraries: 'auto_explain', 'auto_explain.log_min_duration': '0', 'auto_explain.log_format': 'text' },
  });
  store = await createPostgresStore({ connectionString: server.connectionString, schema: 'indexes', migrate: true });
  const admin = new pg.Client({ connectionString: server.connectionString });
  await admin.connect();
  try {
    // alice's feed and 9 other users' of the same size, written directly: the plans, not the writes, are under test.
    await admin.query(`
      INSERT INTO indexes.notifications (user_id, id, target_host_name, app_notification_id, group_name, position, created_sequence, sequence,
        read_state, user_action_state, expires_at, created_at, modified_at, content)
      SELECT u.user_id, u.user_id || '-n' || i, 'app.example.com', 'a' || i, 'g' || (i % 10), i, i, i,
        CASE WHEN i % 3 = 0 THEN 'read' ELSE 'unread' END, 'noInteraction', ${now + 86_400_000}, ${now}, ${now},
        json_build_object('targetHostName', 'app.example.com', 'appNotificationId', 'a' || i, 'expirationDateTime', '2026-01-02T00:00:00.000Z',
          'groupName', 'g' || (i % 10), 'payload', json_build_object('rawContent', 'r' || i))
      FROM (SELECT CASE WHEN k = 0 THEN 'alice' ELSE 'user-' || k END AS user_id FROM generate_series(0, 9) k) u, generate_series(1, ${feedSize}) i`);
    await admin.query(`INSERT INTO indexes.users (user_id, sequence) SELECT DISTINCT user_id, ${feedSize} FROM indexes.notifications`);
    // The unread counters, as the store's writes would have kept them.
    await admin.query(`
      INSERT INTO indexes.unread_counts (user_id, target_host_name, group_key, unread)
      SELECT user_id, target_host_name, CASE WHEN group_name IS NULL THEN '' ELSE '=' || group_name END, count(*)
      FROM indexes.notifications WHERE read_state = 'unread' GROUP BY 1, 2, 3`);
    // And some expired but not purged, which the count takes off.
    await admin.query(`UPDATE indexes.notifications SET expires_at = ${now - 1} WHERE user_id = 'alice' AND position <= 30`);
    // Finished deliveries by the hundred thousand, a few open and a few dead.
    await admin.query(`
      INSERT INTO indexes.deliveries (user_id, id, notification_id, subscription_id, transport, platform_type, kind, status, attempts,
        next_attempt_at, created_at, updated_at, claimable_at, died_at, dead_serial)
      SELECT 'alice', 'd' || i, 'alice-n' || (i % ${feedSize} + 1), 's', 't', 'windows', 'notification',
        CASE WHEN i % 10000 = 0 THEN 'pending' WHEN i % 10000 = 1 THEN 'dead' ELSE 'delivered' END, 1,
        CASE WHEN i % 10000 = 0 THEN ${now} END, ${now}, ${now},
        CASE WHEN i % 10000 = 0 THEN ${now} END, CASE WHEN i % 10000 = 1 THEN ${now} END, CASE WHEN i % 10000 = 1 THEN i END
      FROM generate_series(1, 200000) i`);
    await admin.query('ANALYZE');
  } finally {
    await admin.end();
  }
}, 120_000);

afterAll(async () => {
  await store?.close();
  await server?.stop();
});

/** The plans auto_explain logged for statements whose text contains `marker`, newest last. */
function plansOf(marker: string): string[] {
  const log = readFileSync(join(server.dir, 'postgres.log'), 'utf8');
  // Each log entry starts with its timestamp; a plan's entry holds the query text and the plan.
  const entries = log.split(/\n(?=\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)/);
  return entries.filter((entry) => entry.includes('plan:') && entry.includes(marker));
}

function lastPlanOf(marker: string): string {
  const plans = plansOf(marker);
  expect(plans.length, `a logged plan for ${marker}`).toBeGreaterThan(0);
  return plans.at(-1) as string;
}

describe('indexes', () => {
  it('reads a first page of a feed of 20,000 from the feed index by keyset: no sort, no OFFSET', async () => {
    const first = await store.listFeed('alice', { limit: 50 }, now);
    expect(first.items.map((item) => item.sequence)).toEqual(Array.from({ length: 50 }, (_, index) => feedSize - index));
    const second = await store.listFeed('alice', { limit: 50, before: first.next as number }, now);
    expect(second.items[0]?.sequence, 'the next page starts below the last position').toBe(feedSize - 50);
    for (const plan of plansOf('ORDER BY n.position DESC')) {
      expect(plan).toMatch(/Index Scan using notifications_feed on notifications/);
      expect(plan, 'the index gives the order: no sort').not.toMatch(/\bSort\b/);
      expect(plan).not.toMatch(/OFFSET/i);
    }
  });

  it('pages through a feed of 20,000, every item once', async () => {
    const seen: number[] = [];
    let before: number | undefined;
    for (let pages = 0; pages < 100; pages++) {
      const page = await store.listFeed('alice', { limit: 1000, ...(before === undefined ? {} : { before }) }, now);
      seen.push(...page.items.map((item) => item.sequence));
      if (page.next === undefined) break;
      before = page.next;
    }
    // The 30 oldest expired (set up for the unread count): the feed skips them.
    expect(seen, 'newest first, each live position once').toEqual(Array.from({ length: feedSize - 30 }, (_, index) => feedSize - index));
  });

  it('counts unread notifications from the counters, less the expired ones not purged yet, without reading the feed', async () => {
    // 20 of the 30 expired are unread (every third is read); 2 of those are in group g1.
    expect(await store.countUnread('alice', {}, now)).toBe(feedSize - Math.floor(feedSize / 3) - 20);
    expect(await store.countUnread('alice', { targetHostName: 'app.example.com', groupName: 'g1' }, now)).toBe(1334 - 2);
    expect(await store.countUnread('alice', { groupName: 'g1' }, now)).toBe(1334 - 2);
    expect(await store.countUnread('nobody', {}, now)).toBe(0);
    for (const plan of plansOf('coalesce(sum(c.unread), 0)')) {
      expect(plan, 'the counters (a scan of its few pages, or its key)').toMatch(/ on unread_counts c/);
      expect(plan, 'only the expired notifications, by an expiry index').toMatch(/Index (Only )?Scan using notifications_(unread_)?expiry on notifications/);
      expect(plan, 'the feed itself is not read').not.toMatch(/Seq Scan on notifications|notifications_feed|Bitmap/);
    }
  });

  it('reads the change feed by sequence, claims and nextDueAt from the open deliveries, the dead list by time of death', async () => {
    const changes = await store.listChanges('alice', feedSize - 5, 100, now);
    expect(changes.changes.map((change) => change.sequence)).toEqual([feedSize - 4, feedSize - 3, feedSize - 2, feedSize - 1, feedSize]);
    expect(lastPlanOf('n.sequence > $2')).toMatch(/notifications_changes/);
    expect(await store.nextDueAt()).toBe(now);
    expect(lastPlanOf('min(claimable_at)')).toMatch(/deliveries_due/);
    const claimed = await store.claimDeliveries({ owner: 'o', now, leaseMs: 60_000, limit: 100 });
    expect(claimed).toHaveLength(20);
    const claim = lastPlanOf('FOR UPDATE SKIP LOCKED');
    // Either partial index of open deliveries: the 200,000 finished ones are never read.
    expect(claim).toMatch(/Index (Only )?Scan using deliveries_(due|open_by_subscription)/);
    expect(claim).not.toMatch(/Seq Scan/);
    const dead = await store.listDeadDeliveries(100, undefined);
    expect(dead.items).toHaveLength(20);
    const plan = lastPlanOf('ORDER BY d.died_at, d.dead_serial');
    expect(plan).toMatch(/deliveries_dead/);
    expect(plan).not.toMatch(/Seq Scan/);
  });
});
