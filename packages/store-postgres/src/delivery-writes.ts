/**
 * Writing deliveries: inserting new ones, and keeping the states core's transitions
 * decided — each in one statement however many deliveries it touches (arrays unnested).
 */
import { claimableAt } from '@herald/core/store';
import type { DeliveryRecord, DeliveryState, NewDelivery } from '@herald/core/store';
import type { Transaction } from './database.js';
import { deliveryColumns, deliveryOf, stateColumnNames, stateColumns, type DeliveryRow } from './rows.js';

/** A delivery's new state, by user and id. */
export interface StateChange {
  readonly userId: string;
  readonly id: string;
  readonly state: DeliveryState;
}

/**
 * Writes each change's state (see `stateColumns`); a delivery that died joins the end of
 * the dead list (a fresh `dead_serial`), one that left it leaves it.
 */
export async function writeStates(tx: Transaction, changes: readonly StateChange[]): Promise<void> {
  if (changes.length === 0) return;
  const columns = stateColumnNames.map(([name]) => name);
  const arrays: unknown[][] = [changes.map((change) => change.userId), changes.map((change) => change.id), ...columns.map(() => [])];
  for (const change of changes) stateColumns(change.state).forEach((value, index) => (arrays[index + 2] as unknown[]).push(value));
  const types = stateColumnNames.map(([, type]) => (type === 'json' ? 'text' : type));
  const unnest = ['$1::text[]', '$2::text[]', ...types.map((type, index) => `$${index + 3}::${type}[]`)].join(', ');
  const set = stateColumnNames.map(([name, type]) => `${name} = v.${name}${type === 'json' ? '::json' : ''}`).join(', ');
  await tx.rows(
    `UPDATE ${tx.names.deliveries} AS d SET ${set},
       dead_serial = CASE WHEN v.died_at IS NULL THEN NULL ELSE nextval('${tx.names.deadSerial}') END
     FROM unnest(${unnest}) AS v(user_id, id, ${columns.join(', ')})
     WHERE d.user_id = v.user_id AND d.id = v.id`,
    arrays,
  );
}

/**
 * Inserts `deliveries` of one notification of `userId`, pending and unattempted at `now`,
 * and returns their records; a deletion's syncs carry their tombstone's sequence.
 */
export async function insertDeliveries(
  tx: Transaction,
  userId: string,
  notificationId: string,
  deliveries: readonly NewDelivery[],
  now: number,
  tombstoneSequence: number | null = null,
): Promise<DeliveryRecord[]> {
  if (deliveries.length === 0) return [];
  const rows = await tx.rows<DeliveryRow>(
    `INSERT INTO ${tx.names.deliveries} AS d (user_id, id, notification_id, subscription_id, transport, platform_type, kind, status, attempts,
       next_attempt_at, created_at, updated_at, claimable_at, tombstone_sequence)
     SELECT $1, v.id, $2, v.subscription_id, v.transport, v.platform_type, v.kind, 'pending', 0, v.next_attempt_at, $3, $3, v.claimable_at, $4
     FROM unnest($5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::bigint[], $11::bigint[]) WITH ORDINALITY
       AS v(id, subscription_id, transport, platform_type, kind, next_attempt_at, claimable_at, ordinal)
     ORDER BY v.ordinal
     RETURNING ${deliveryColumns}`,
    [
      userId,
      notificationId,
      now,
      tombstoneSequence,
      deliveries.map((delivery) => delivery.id),
      deliveries.map((delivery) => delivery.subscriptionId),
      deliveries.map((delivery) => delivery.transport),
      deliveries.map((delivery) => delivery.platformType),
      deliveries.map((delivery) => delivery.kind),
      deliveries.map((delivery) => delivery.nextAttemptAt),
      deliveries.map((delivery) => claimableAt({ status: 'pending', attempts: 0, nextAttemptAt: delivery.nextAttemptAt, updatedAt: now }) ?? null),
    ],
  );
  // The records as stored: read back from the insert itself.
  return rows.map(deliveryOf);
}
