/**
 * Subscriptions (endpoints). Every change takes the user's lock (users.ts), and its
 * statement moves the user's recipient version (migration 4's trigger), so a send's plan
 * never reads them half-changed and a plan made from an older copy is refused at its write; deleting one ends its open deliveries in the same
 * transaction (core's `stateAfterEnd`, reason `cancelReasons.subscriptionDeleted`).
 */
import { cancellation, cancelReasons, newId, stateAfterEnd } from '@herald/core/store';
import type { NewSubscription, StoredSubscription, SubscriptionPatch } from '@herald/core/store';
import type { Database, Transaction } from './database.js';
import { writeStates } from './delivery-writes.js';
import { deliveryColumns, deliveryOf, subscriptionColumns, subscriptionOf, type DeliveryRow, type SubscriptionDetails, type SubscriptionRow } from './rows.js';
import { lockUser } from './users.js';

/** The user's subscriptions, oldest first (creation order breaks ties), read in `tx`. */
export async function subscriptionsOf(tx: Pick<Transaction, 'rows' | 'names'>, userId: string): Promise<StoredSubscription[]> {
  const rows = await tx.rows<SubscriptionRow>(`SELECT ${subscriptionColumns} FROM ${tx.names.subscriptions} s WHERE s.user_id = $1 ORDER BY s.serial`, [userId]);
  return rows.map(subscriptionOf);
}

/** See `NotificationStore.createSubscription`. */
export function createSubscription(db: Database, subscription: NewSubscription, now: number): Promise<StoredSubscription> {
  return db.transaction('createSubscription', async (tx) => {
    await lockUser(tx, subscription.userId);
    const details: SubscriptionDetails = { address: subscription.address, ...(subscription.secret === undefined ? {} : { secret: subscription.secret }) };
    const [row] = await tx.rows<SubscriptionRow>(
      `INSERT INTO ${tx.names.subscriptions} AS s (id, user_id, target_host_name, platform_type, transport, status, created_at, modified_at, expires_at, details)
       VALUES ($1, $2, $3, $4, $5, 'active', $6, $6, $7, $8::json) RETURNING ${subscriptionColumns}`,
      [newId(), subscription.userId, subscription.targetHostName, subscription.platformType, subscription.transport, now, subscription.expiresAt, JSON.stringify(details)],
    );
    return subscriptionOf(row as SubscriptionRow);
  });
}

/** See `NotificationStore.getSubscription`. */
export async function getSubscription(db: Database, subscriptionId: string): Promise<StoredSubscription | undefined> {
  const [row] = await db.rows<SubscriptionRow>('getSubscription', `SELECT ${subscriptionColumns} FROM ${db.names.subscriptions} s WHERE s.id = $1`, [subscriptionId]);
  return row === undefined ? undefined : subscriptionOf(row);
}

/** See `NotificationStore.listSubscriptions`. */
export function listSubscriptions(db: Database, userId: string): Promise<StoredSubscription[]> {
  return subscriptionsOf({ names: db.names, rows: (text, values) => db.rows('listSubscriptions', text, values) }, userId);
}

/** The user of a subscription, to take their lock before changing it. */
async function ownerOf(tx: Transaction, subscriptionId: string): Promise<string | undefined> {
  const [row] = await tx.rows<{ user_id: string }>(`SELECT user_id FROM ${tx.names.subscriptions} WHERE id = $1`, [subscriptionId]);
  return row?.user_id;
}

/** Applies `patch` to the subscription in `tx` (its user locked); `undefined` when missing. */
export async function patchSubscription(tx: Transaction, subscriptionId: string, patch: SubscriptionPatch, now: number): Promise<StoredSubscription | undefined> {
  const [row] = await tx.rows<SubscriptionRow>(`SELECT ${subscriptionColumns} FROM ${tx.names.subscriptions} s WHERE s.id = $1 FOR UPDATE`, [subscriptionId]);
  if (row === undefined) return undefined;
  const { statusReason: previous, ...kept } = row.details;
  const reason = patch.statusReason === undefined ? previous : (patch.statusReason ?? undefined);
  const details: SubscriptionDetails = { ...kept, ...(reason === undefined ? {} : { statusReason: reason }) };
  const [updated] = await tx.rows<SubscriptionRow>(
    `UPDATE ${tx.names.subscriptions} AS s SET status = $2, expires_at = $3, modified_at = $4, details = $5::json WHERE s.id = $1 RETURNING ${subscriptionColumns}`,
    [subscriptionId, patch.status ?? row.status, patch.expiresAt ?? row.expires_at, now, JSON.stringify(details)],
  );
  return subscriptionOf(updated as SubscriptionRow);
}

/** See `NotificationStore.updateSubscription`. */
export function updateSubscription(db: Database, subscriptionId: string, patch: SubscriptionPatch, now: number): Promise<StoredSubscription | undefined> {
  return db.transaction('updateSubscription', async (tx) => {
    const userId = await ownerOf(tx, subscriptionId);
    if (userId === undefined) return undefined;
    await lockUser(tx, userId);
    return patchSubscription(tx, subscriptionId, patch, now);
  });
}

/** See `NotificationStore.deleteSubscription`. */
export function deleteSubscription(db: Database, subscriptionId: string, now: number): Promise<boolean> {
  return db.transaction('deleteSubscription', async (tx) => {
    const userId = await ownerOf(tx, subscriptionId);
    if (userId === undefined) return false;
    await lockUser(tx, userId);
    const deleted = await tx.rows(`DELETE FROM ${tx.names.subscriptions} WHERE id = $1 RETURNING id`, [subscriptionId]);
    if (deleted.length === 0) return false;
    const open = await tx.rows<DeliveryRow>(
      `SELECT ${deliveryColumns} FROM ${tx.names.deliveries} d WHERE d.subscription_id = $1 AND d.claimable_at IS NOT NULL FOR UPDATE`,
      [subscriptionId],
    );
    const error = cancellation(cancelReasons.subscriptionDeleted);
    await writeStates(tx, open.map((row) => ({ userId: row.user_id, id: row.id, state: stateAfterEnd(deliveryOf(row), error, now) })));
    return true;
  });
}
