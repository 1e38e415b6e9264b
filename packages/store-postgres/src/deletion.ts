/**
 * Deleting a notification or a group, with each deletion's sync deliveries (planned from
 * the notification as it was), in one transaction. A deletion removes the notification with
 * all its deliveries — a waiting sync included, so an endpoint gets one message: removed —
 * and its own syncs stay beside the tombstone (`tombstone_sequence`) until it is purged.
 */
import type { StoredSubscription, SyncPlan } from '@herald/core/store';
import { wakePayload } from './announcements.js';
import type { Database } from './database.js';
import { insertDeliveries } from './delivery-writes.js';
import { removeNotifications } from './removal.js';
import { notificationColumns, notificationOf, type NotificationRow } from './rows.js';
import { subscriptionsOf } from './subscriptions.js';
import { lockUser, setSequence } from './users.js';

/** Which of the user's live notifications a deletion takes. */
export type DeletionTarget = { readonly notificationId: string } | { readonly groupName: string; readonly targetHostName: string | undefined };

/**
 * See `NotificationStore.deleteNotification` and `deleteGroup`: deletes the target's live
 * notifications, oldest position first, and returns how many.
 */
export function deleteNotifications(db: Database, instance: string, userId: string, target: DeletionTarget, now: number, syncs: SyncPlan | undefined): Promise<number> {
  return db.transaction('notificationId' in target ? 'deleteNotification' : 'deleteGroup', async (tx) => {
    const { sequence } = await lockUser(tx, userId);
    const values: unknown[] = [userId, now];
    const condition =
      'notificationId' in target
        ? `n.id = $${values.push(target.notificationId)}`
        : `n.group_name = $${values.push(target.groupName)}${target.targetHostName === undefined ? '' : ` AND n.target_host_name = $${values.push(target.targetHostName)}`}`;
    const doomed = await tx.rows<NotificationRow>(
      `SELECT ${notificationColumns} FROM ${tx.names.notifications} n WHERE n.user_id = $1 AND n.expires_at > $2 AND ${condition} ORDER BY n.position`,
      values,
    );
    if (doomed.length === 0) return 0;
    const records = doomed.map(notificationOf);
    let subscriptions: readonly StoredSubscription[] = [];
    if (syncs !== undefined) subscriptions = await subscriptionsOf(tx, userId);
    const planned = records.map((record) => (syncs === undefined ? [] : syncs(subscriptions, record)));
    const tombstones = await removeNotifications(tx, userId, records.map((record) => record.id), sequence, now);
    let made = 0;
    for (const [index, record] of records.entries()) {
      made += (await insertDeliveries(tx, userId, record.id, planned[index] ?? [], now, tombstones[index] ?? null)).length;
    }
    await setSequence(tx, userId, tombstones.at(-1) as number);
    if (made > 0) await tx.notify(wakePayload(instance));
    return records.length;
  });
}
