/**
 * Changing a notification's read and action state, with the sync deliveries that tell the
 * user's other endpoints, in one transaction: the plan's syncs less those core's
 * `coalescedSyncs` drops (an endpoint whose sync of the notification still waits).
 */
import { coalescedSyncs, formatDateTime } from '@herald/core/store';
import type { NotificationStatePatch, StoredNotification, SyncPlan } from '@herald/core/store';
import { wakePayload } from './announcements.js';
import type { Database } from './database.js';
import { insertDeliveries } from './delivery-writes.js';
import { deliveryColumns, deliveryOf, notificationColumns, notificationOf, type DeliveryRow, type NotificationRow } from './rows.js';
import { subscriptionsOf } from './subscriptions.js';
import { adjustUnread } from './unread-counts.js';
import { lockUser, setSequence } from './users.js';

/** See `NotificationStore.updateNotificationState`. */
export function updateNotificationState(
  db: Database,
  instance: string,
  userId: string,
  notificationId: string,
  patch: NotificationStatePatch,
  now: number,
  syncs: SyncPlan | undefined,
): Promise<StoredNotification | undefined> {
  return db.transaction('updateNotificationState', async (tx) => {
    const { sequence } = await lockUser(tx, userId);
    const [row] = await tx.rows<NotificationRow>(
      `SELECT ${notificationColumns} FROM ${tx.names.notifications} n WHERE n.user_id = $1 AND n.id = $2 AND n.expires_at > $3`,
      [userId, notificationId, now],
    );
    if (row === undefined) return undefined;
    const record = notificationOf(row);
    const changes = (patch.readState !== undefined && patch.readState !== record.readState) || (patch.userActionState !== undefined && patch.userActionState !== record.userActionState);
    if (!changes) return record;
    const next: StoredNotification = {
      ...record,
      readState: patch.readState ?? record.readState,
      userActionState: patch.userActionState ?? record.userActionState,
      lastModifiedDateTime: formatDateTime(now),
      sequence: sequence + 1,
    };
    await tx.rows(`UPDATE ${tx.names.notifications} SET read_state = $3, user_action_state = $4, modified_at = $5, sequence = $6 WHERE user_id = $1 AND id = $2`, [
      userId,
      notificationId,
      next.readState,
      next.userActionState,
      now,
      next.sequence,
    ]);
    await setSequence(tx, userId, next.sequence);
    if (next.readState !== record.readState) {
      await adjustUnread(tx, userId, [{ targetHostName: record.targetHostName, groupName: record.groupName, delta: next.readState === 'unread' ? 1 : -1 }]);
    }
    if (syncs === undefined) return next;
    const existing = await tx.rows<DeliveryRow>(`SELECT ${deliveryColumns} FROM ${tx.names.deliveries} d WHERE d.user_id = $1 AND d.notification_id = $2`, [userId, notificationId]);
    const listed = coalescedSyncs(syncs(await subscriptionsOf(tx, userId), next), existing.map(deliveryOf));
    const created = await insertDeliveries(tx, userId, notificationId, listed, now);
    if (created.length > 0) await tx.notify(wakePayload(instance));
    return next;
  });
}
