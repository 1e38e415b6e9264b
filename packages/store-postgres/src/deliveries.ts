/**
 * Deliveries outside a claim: reading them, the dead-delivery list (by time of death, then
 * order of death, so pages do not shift), retrying a dead one, cancelling a notification's
 * open ones. Transitions are core's (`stateAfterRetry`, `stateAfterEnd`).
 */
import { cancellation, stateAfterEnd, stateAfterRetry, withState } from '@herald/core/store';
import type { DeadDeliveryPage, DeliveryRecord } from '@herald/core/store';
import { wakePayload } from './announcements.js';
import type { Database } from './database.js';
import { writeStates } from './delivery-writes.js';
import { storeError } from './errors.js';
import { deliveryColumns, deliveryOf, type DeliveryRow } from './rows.js';

/** See `NotificationStore.listDeliveries`: also a deleted notification's syncs, and an expired one's deliveries. */
export async function listDeliveries(db: Database, userId: string, notificationId: string): Promise<DeliveryRecord[]> {
  const rows = await db.rows<DeliveryRow>(
    'listDeliveries',
    `SELECT ${deliveryColumns} FROM ${db.names.deliveries} d WHERE d.user_id = $1 AND d.notification_id = $2 ORDER BY d.serial`,
    [userId, notificationId],
  );
  return rows.map(deliveryOf);
}

/** See `NotificationStore.getDelivery`. */
export async function getDelivery(db: Database, userId: string, deliveryId: string): Promise<DeliveryRecord | undefined> {
  const [row] = await db.rows<DeliveryRow>('getDelivery', `SELECT ${deliveryColumns} FROM ${db.names.deliveries} d WHERE d.user_id = $1 AND d.id = $2`, [userId, deliveryId]);
  return row === undefined ? undefined : deliveryOf(row);
}

const tokenPattern = /^(\d{1,16})~(\d{1,19})$/;

/** See `NotificationStore.listDeadDeliveries`. A page token is `<died at>~<dead serial>` of the page's last item. */
export async function listDeadDeliveries(db: Database, limit: number, after: string | undefined): Promise<DeadDeliveryPage> {
  let place: [string, string] = ['-1', '0'];
  if (after !== undefined) {
    const match = tokenPattern.exec(after);
    if (match === null) throw storeError('INVALID_CURSOR', 'the dead-delivery page token is not one this store issued; start again without it');
    place = [match[1] as string, match[2] as string];
  }
  const rows = await db.rows<DeliveryRow & { died_at: string; dead_serial: string }>(
    'listDeadDeliveries',
    `SELECT ${deliveryColumns}, d.died_at, d.dead_serial FROM ${db.names.deliveries} d
     WHERE d.died_at IS NOT NULL AND (d.died_at, d.dead_serial) > ($1::bigint, $2::bigint)
     ORDER BY d.died_at, d.dead_serial LIMIT $3`,
    [...place, limit + 1],
  );
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const items = page.map(deliveryOf);
  return rows.length > limit && last !== undefined ? { items, next: `${last.died_at}~${last.dead_serial}` } : { items };
}

/** See `NotificationStore.retryDelivery`. */
export function retryDelivery(db: Database, instance: string, userId: string, deliveryId: string, now: number): Promise<DeliveryRecord | undefined> {
  return db.transaction('retryDelivery', async (tx) => {
    const [row] = await tx.rows<DeliveryRow>(`SELECT ${deliveryColumns} FROM ${tx.names.deliveries} d WHERE d.user_id = $1 AND d.id = $2 FOR UPDATE`, [userId, deliveryId]);
    if (row === undefined) return undefined;
    const delivery = deliveryOf(row);
    const state = stateAfterRetry(delivery, now);
    if (state === delivery) return delivery;
    await writeStates(tx, [{ userId, id: deliveryId, state }]);
    await tx.notify(wakePayload(instance));
    return withState(delivery, state);
  });
}

/** See `NotificationStore.cancelDeliveries`: leased ones too; a deleted notification's syncs too. */
export function cancelDeliveries(db: Database, userId: string, notificationId: string, reason: string, now: number): Promise<number> {
  return db.transaction('cancelDeliveries', async (tx) => {
    const open = await tx.rows<DeliveryRow>(
      `SELECT ${deliveryColumns} FROM ${tx.names.deliveries} d WHERE d.user_id = $1 AND d.notification_id = $2 AND d.claimable_at IS NOT NULL FOR UPDATE`,
      [userId, notificationId],
    );
    const error = cancellation(reason);
    await writeStates(tx, open.map((row) => ({ userId, id: row.id, state: stateAfterEnd(deliveryOf(row), error, now) })));
    return open.length;
  });
}
