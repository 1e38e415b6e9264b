/**
 * Saving a notification with its deliveries in one transaction (the outbox): create, update
 * (superseding its open deliveries, leased or not), or replace an expired one; replay an
 * idempotency key. The user's lock is taken first, so the plan reads the subscriptions as
 * they stand at the write and the user's sequence moves by one writer at a time.
 */
import { expiryOf, listedWrite, pickContent, stateAfterEnd, supersededDeliveryError } from '@herald/core/store';
import type { NewDelivery, PlannedNotificationWrite, SaveResult, StoredNotification } from '@herald/core/store';
import { feedPayload, wakePayload } from './announcements.js';
import { appClientOf } from './app-transaction.js';
import type { Database, Transaction } from './database.js';
import { insertDeliveries, writeStates } from './delivery-writes.js';
import { storeError } from './errors.js';
import { removeNotifications } from './removal.js';
import { big, deliveryColumns, deliveryOf, notificationRecord, type DeliveryRow } from './rows.js';
import { subscriptionsOf } from './subscriptions.js';
import { adjustUnread } from './unread-counts.js';
import { lockUser, setSequence } from './users.js';

/** A notification with the same app and app id, as the save finds it. */
interface ExistingRow {
  readonly id: string;
  readonly expires_at: string;
  readonly created_at: string;
  readonly group_name: string | null;
  readonly read_state: string;
}

/**
 * See `NotificationStore.saveNotification`. `instance` names this store instance in the
 * wake-up it sends at commit; a write in the app's transaction sends an unnamed one (and a
 * feed announcement), since it commits after this instance's service has looked.
 */
export function saveNotification(db: Database, write: PlannedNotificationWrite, instance: string): Promise<SaveResult> {
  const client = appClientOf(write);
  if (client === undefined) return db.transaction('saveNotification', (tx) => save(tx, write, instance, false));
  return db.transaction('saveNotification', (tx) => save(tx, write, '', true), { client });
}

/** @throws HeraldError `INVALID_ARGUMENT` when one write lists a delivery id twice. */
export function checkRepeatedIds(deliveries: readonly NewDelivery[]): void {
  const seen = new Set<string>();
  for (const { id } of deliveries) {
    if (seen.has(id)) throw storeError('INVALID_ARGUMENT', `the delivery id ${JSON.stringify(id)} appears twice in one write; the service mints a fresh one per delivery`);
    seen.add(id);
  }
}

async function save(tx: Transaction, write: PlannedNotificationWrite, instance: string, inAppTransaction: boolean): Promise<SaveResult> {
  const { notification: incoming, idempotency, now } = write;
  const { userId } = incoming;
  const { notifications, idempotencyKeys } = tx.names;
  const content = pickContent(incoming);
  const locked = await lockUser(tx, userId);
  let { sequence } = locked;
  // The reads under the lock, issued together (one round trip on a pipelining connection).
  const [recorded, subscriptions, existing] = await tx.together(
    async () =>
      idempotency === undefined
        ? []
        : tx.rows<{ fingerprint: string; created: boolean; notification: StoredNotification }>(
          `SELECT fingerprint, created, notification FROM ${idempotencyKeys} WHERE user_id = $1 AND key = $2 AND expires_at > $3`,
            [userId, idempotency.key, now],
          ),
    () => subscriptionsOf(tx, userId),
    () =>
      tx.rows<ExistingRow>(`SELECT id, expires_at, created_at, group_name, read_state FROM ${notifications} WHERE user_id = $1 AND target_host_name = $2 AND app_notification_id = $3`, [
        userId,
        content.targetHostName,
        content.appNotificationId,
      ]),
  );
  const [replay] = recorded;
  if (replay !== undefined) return { notification: replay.notification, created: replay.created, deliveries: [], replay: { fingerprint: replay.fingerprint } };
  const { deliveries, decisions } = listedWrite(write, { subscriptions, preferences: locked.preferences });
  checkRepeatedIds(deliveries);
  const expiresAt = expiryOf(content);
  const [found] = existing;
  let live = found;
  // An expired notification with the same key counts as absent: it goes, with a tombstone.
  if (found !== undefined && big(found.expires_at) <= now) {
    sequence = (await removeNotifications(tx, userId, [found.id], sequence, now)).at(-1) as number;
    live = undefined;
  }
  sequence += 1;
  const id = live?.id ?? incoming.id;
  const notification = notificationRecord(content, {
    id,
    userId,
    createdAt: live === undefined ? now : big(live.created_at),
    modifiedAt: now,
    readState: 'unread',
    userActionState: 'noInteraction',
    sequence,
  });
  // An update's decisions replace the last write's (NULL when it kept none).
  const fields = [userId, content.groupName ?? null, sequence, expiresAt, now, JSON.stringify(content), id, decisions ?? null];
  if (live !== undefined) {
    await tx.rows(
      `UPDATE ${notifications} SET group_name = $2, position = $3, sequence = $3, expires_at = $4, modified_at = $5, content = $6::json, decisions = $8,
         read_state = 'unread', user_action_state = 'noInteraction'
       WHERE user_id = $1 AND id = $7`,
      fields,
    );
    await supersede(tx, userId, live.id, now);
  }
  // The writes, issued together; the first failure rejects, and the transaction rolls back whole.
  const none = async (): Promise<undefined> => undefined;
  const [created] = await tx.together(
    () => insertDeliveries(tx, userId, id, deliveries, now),
    live === undefined
      ? () =>
          tx.rows(
          `INSERT INTO ${notifications} (user_id, group_name, position, created_sequence, sequence, expires_at, created_at, modified_at, content,
             id, decisions, target_host_name, app_notification_id, read_state, user_action_state)
           VALUES ($1, $2, $3, $3, $3, $4, $5, $5, $6::json, $7, $8, $9, $10, 'unread', 'noInteraction')`,
            [...fields, content.targetHostName, content.appNotificationId],
          )
      : none,
    // A key recorded before and expired since is replaced.
    idempotency === undefined
      ? none
      : () =>
          tx.rows(
          `INSERT INTO ${idempotencyKeys} (user_id, key, fingerprint, expires_at, created, notification) VALUES ($1, $2, $3, $4, $5, $6::json)
           ON CONFLICT (user_id, key) DO UPDATE SET fingerprint = excluded.fingerprint, expires_at = excluded.expires_at, created = excluded.created, notification = excluded.notification`,
            [userId, idempotency.key, idempotency.fingerprint, idempotency.expiresAt, live === undefined, JSON.stringify(notification)],
          ),
    () => setSequence(tx, userId, sequence),
    // Unread again under its (new) group; an updated one that was unread leaves its old group's count.
    () =>
      adjustUnread(tx, userId, [
        { targetHostName: content.targetHostName, groupName: content.groupName, delta: 1 },
        ...(live?.read_state === 'unread' ? [{ targetHostName: content.targetHostName, groupName: live.group_name, delta: -1 }] : []),
      ]),
    deliveries.length > 0 ? () => tx.notify(wakePayload(instance)) : none,
    inAppTransaction ? () => tx.notify(feedPayload('', [userId])) : none,
  );
  return { notification, created: live === undefined, deliveries: created };
}

/** Ends the open deliveries of an updated notification, leased or not, as superseded (core's `stateAfterEnd`). */
async function supersede(tx: Transaction, userId: string, notificationId: string, now: number): Promise<void> {
  const open = await tx.rows<DeliveryRow>(
    `SELECT ${deliveryColumns} FROM ${tx.names.deliveries} d WHERE d.user_id = $1 AND d.notification_id = $2 AND d.claimable_at IS NOT NULL FOR UPDATE`,
    [userId, notificationId],
  );
  await writeStates(tx, open.map((row) => ({ userId, id: row.id, state: stateAfterEnd(deliveryOf(row), supersededDeliveryError, now) })));
}
