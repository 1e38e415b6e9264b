/**
 * The anchor: the same records written to SQLite through better-sqlite3, as a careful
 * application would — WAL, synchronous=FULL (every commit is fsync'ed, as the file
 * store's default), prepared statements, one transaction per 256 notifications (each
 * with its three delivery rows), indexes for the look-ups a store needs.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { NewDelivery, NewNotification } from '@herald/core/store';

const schema = `
CREATE TABLE notifications (
  id TEXT PRIMARY KEY, user_id TEXT NOT NULL, target_host_name TEXT NOT NULL, app_notification_id TEXT NOT NULL,
  payload TEXT NOT NULL, expiration_date_time TEXT NOT NULL, target_policy TEXT, priority TEXT, group_name TEXT,
  display_time_to_live INTEGER, created_date_time TEXT NOT NULL, last_modified_date_time TEXT NOT NULL,
  read_state TEXT NOT NULL, user_action_state TEXT NOT NULL, sequence INTEGER NOT NULL);
CREATE UNIQUE INDEX notifications_by_app_id ON notifications (user_id, target_host_name, app_notification_id);
CREATE INDEX notifications_by_feed ON notifications (user_id, sequence);
CREATE TABLE deliveries (
  id TEXT PRIMARY KEY, user_id TEXT NOT NULL, notification_id TEXT NOT NULL, subscription_id TEXT NOT NULL,
  transport TEXT NOT NULL, platform_type TEXT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL,
  attempts INTEGER NOT NULL, next_attempt_at INTEGER, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
CREATE INDEX deliveries_by_notification ON deliveries (notification_id);
`;

/** A notification and its deliveries, as both sides get them. */
export interface SendRecord {
  readonly notification: NewNotification;
  readonly deliveries: readonly NewDelivery[];
  readonly now: number;
}

/** Writes `records` to a fresh database in `directory`, 256 per transaction; returns the seconds taken. */
export function sqliteSends(directory: string, records: readonly SendRecord[], rowsPerTransaction = 256): number {
  const db = new Database(join(directory, 'anchor.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(schema);
  const insertNotification = db.prepare('INSERT INTO notifications VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const insertDelivery = db.prepare('INSERT INTO deliveries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const sequences = new Map<string, number>();
  const commit = db.transaction((batch: readonly SendRecord[]) => {
    for (const { notification: n, deliveries, now } of batch) {
      const sequence = (sequences.get(n.userId) ?? 0) + 1;
      sequences.set(n.userId, sequence);
      const at = new Date(now).toISOString();
      insertNotification.run(n.id, n.userId, n.targetHostName, n.appNotificationId, JSON.stringify(n.payload), n.expirationDateTime ?? null, JSON.stringify(n.targetPolicy), n.priority ?? null, n.groupName ?? null, n.displayTimeToLive ?? null, at, at, 'unread', 'noInteraction', sequence);
      for (const d of deliveries) insertDelivery.run(d.id, n.userId, n.id, d.subscriptionId, d.transport, d.platformType, d.kind, 'pending', 0, d.nextAttemptAt, now, now);
    }
  });
  const started = performance.now();
  for (let index = 0; index < records.length; index += rowsPerTransaction) commit(records.slice(index, index + rowsPerTransaction));
  const seconds = (performance.now() - started) / 1000;
  db.close();
  return seconds;
}
