/**
 * Claims: due deliveries leased to a dispatcher with `FOR UPDATE SKIP LOCKED`, so
 * concurrent claimers (in any process) take different rows and never wait on each other;
 * renewing a lease and completing under one. Who holds a lease, what a lease is and what
 * an outcome leaves are core's rules (`holdsLease`, `newLease`, `renewedLease`,
 * `stateAfterOutcome`); the `claimable_at` column is core's `claimableAt`, kept with every
 * state, so a lapsed lease is claimable again with no sweep.
 */
import { holdsLease, newLease, renewedLease, stateAfterOutcome } from '@herald/core/store';
import type { ClaimedDelivery, ClaimRequest, DeliveryOutcome, DeliveryRecord, LeaseRef, LeaseTokens, StoredNotification, StoredSubscription } from '@herald/core/store';
import type { Database, Transaction } from './database.js';
import { writeStates } from './delivery-writes.js';
import { big, deliveryColumns, deliveryOf, notificationColumns, notificationOf, subscriptionColumns, subscriptionOf, type DeliveryRow, type NotificationRow, type SubscriptionRow } from './rows.js';

/** See `NotificationStore.claimDeliveries`: earliest claimable first, across users. */
export function claimDeliveries(db: Database, request: ClaimRequest, leaseTokens: LeaseTokens): Promise<ClaimedDelivery[]> {
  return db.transaction('claimDeliveries', async (tx) => {
    const { owner, now, leaseMs, limit } = request;
    const rows = await tx.rows<DeliveryRow>(
      `SELECT ${deliveryColumns} FROM ${tx.names.deliveries} d WHERE d.claimable_at <= $1 ORDER BY d.claimable_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [now, limit],
    );
    if (rows.length === 0) return [];
    const tokens = leaseTokens(rows.length);
    const claimed = rows.map((row, index) => {
      const delivery = deliveryOf(row);
      return { ...delivery, lease: newLease(owner, tokens[index] as string, now, leaseMs) };
    });
    await writeStates(tx, claimed.map((delivery) => ({ userId: delivery.userId, id: delivery.id, state: delivery })));
    const [notifications, subscriptions] = await Promise.all([notificationsOf(tx, claimed), subscriptionsById(tx, claimed)]);
    return claimed.map((delivery): ClaimedDelivery => {
      // A deletion's sync is claimed without its notification: the dispatcher sends it as removed.
      const notification = notifications.get(`${delivery.userId}\u0000${delivery.notificationId}`);
      const subscription = subscriptions.get(delivery.subscriptionId);
      return { delivery, ...(notification === undefined ? {} : { notification }), ...(subscription === undefined ? {} : { subscription }) };
    });
  });
}

async function notificationsOf(tx: Transaction, deliveries: readonly DeliveryRecord[]): Promise<Map<string, StoredNotification>> {
  const rows = await tx.rows<NotificationRow>(
    `SELECT ${notificationColumns} FROM ${tx.names.notifications} n JOIN unnest($1::text[], $2::text[]) AS k(user_id, id) ON n.user_id = k.user_id AND n.id = k.id`,
    [deliveries.map((delivery) => delivery.userId), deliveries.map((delivery) => delivery.notificationId)],
  );
  return new Map(rows.map((row) => [`${row.user_id}\u0000${row.id}`, notificationOf(row)]));
}

async function subscriptionsById(tx: Transaction, deliveries: readonly DeliveryRecord[]): Promise<Map<string, StoredSubscription>> {
  const rows = await tx.rows<SubscriptionRow>(`SELECT ${subscriptionColumns} FROM ${tx.names.subscriptions} s WHERE s.id = ANY($1::text[])`, [
    [...new Set(deliveries.map((delivery) => delivery.subscriptionId))],
  ]);
  return new Map(rows.map((row) => [row.id, subscriptionOf(row)]));
}

/** The delivery `ref` names, locked, if `ref.token` holds its lease (expired or not). */
async function held(tx: Transaction, ref: LeaseRef): Promise<DeliveryRecord | undefined> {
  const [row] = await tx.rows<DeliveryRow>(`SELECT ${deliveryColumns} FROM ${tx.names.deliveries} d WHERE d.user_id = $1 AND d.id = $2 FOR UPDATE`, [ref.userId, ref.deliveryId]);
  const delivery = row === undefined ? undefined : deliveryOf(row);
  return delivery !== undefined && holdsLease(delivery, ref.token) ? delivery : undefined;
}

/** See `NotificationStore.renewLease`. */
export function renewLease(db: Database, ref: LeaseRef, now: number, leaseMs: number): Promise<boolean> {
  return db.transaction('renewLease', async (tx) => {
    const delivery = await held(tx, ref);
    if (delivery?.lease === undefined) return false;
    await writeStates(tx, [{ userId: ref.userId, id: ref.deliveryId, state: { ...delivery, lease: renewedLease(delivery.lease, now, leaseMs) } }]);
    return true;
  });
}

/** See `NotificationStore.completeDelivery`. */
export function completeDelivery(db: Database, ref: LeaseRef, outcome: DeliveryOutcome, now: number): Promise<boolean> {
  return db.transaction('completeDelivery', async (tx) => {
    const delivery = await held(tx, ref);
    if (delivery === undefined) return false;
    await writeStates(tx, [{ userId: ref.userId, id: ref.deliveryId, state: stateAfterOutcome(delivery, outcome, now) }]);
    return true;
  });
}

/** See `NotificationStore.nextDueAt`: the least `claimable_at`, read from its index. */
export async function nextDueAt(db: Database): Promise<number | undefined> {
  const [row] = await db.rows<{ due: string | null }>('nextDueAt', `SELECT min(claimable_at) AS due FROM ${db.names.deliveries}`);
  return row?.due === null || row?.due === undefined ? undefined : big(row.due);
}
