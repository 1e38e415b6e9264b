/**
 * Users' preferences and the delivery decisions kept with notifications. Preferences live
 * on the user's row, which every send locks before it plans (users.ts), so a send after a
 * `setPreferences` that resolved decides with them (one planned from an older copy of them
 * is refused at its write: setting them moves the user's recipient version, migration 4's trigger).
 */
import type { NotificationPreferences } from '@herald/core/store';
import type { Database } from './database.js';

/** The user's preferences, or `undefined` when never set. */
export async function getPreferences(db: Database, userId: string): Promise<NotificationPreferences | undefined> {
  const [row] = await db.rows<{ preferences: NotificationPreferences | null }>('getPreferences', `SELECT preferences FROM ${db.names.users} WHERE user_id = $1`, [userId]);
  return row?.preferences ?? undefined;
}

/** Replaces the user's preferences (making the user's row when missing), under the row's lock; the write moves the user's recipient version (migration 4's trigger). */
export async function setPreferences(db: Database, userId: string, preferences: NotificationPreferences): Promise<void> {
  await db.rows(
    'setPreferences',
    `INSERT INTO ${db.names.users} (user_id, preferences) VALUES ($1, $2::json) ON CONFLICT (user_id) DO UPDATE SET preferences = excluded.preferences`,
    [userId, JSON.stringify(preferences)],
  );
}

/** The decisions kept with one of the user's notifications, or `undefined` when none or missing. */
export async function getDeliveryDecisions(db: Database, userId: string, notificationId: string): Promise<string | undefined> {
  const [row] = await db.rows<{ decisions: string | null }>('getDeliveryDecisions', `SELECT decisions FROM ${db.names.notifications} WHERE user_id = $1 AND id = $2`, [userId, notificationId]);
  return row?.decisions ?? undefined;
}
