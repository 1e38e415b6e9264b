/**
 * Coalescing of sync deliveries, the store's side of cross-device sync: a sync delivery
 * carries a notification's state as it stands when attempted, so while one to an
 * endpoint waits (open, not yet claimed), a further change needs no second one.
 */
import type { DeliveryKind, DeliveryLease, DeliveryStatus, StoredNotification, StoredSubscription } from '../records.js';
import type { NewDelivery } from './interface.js';

/**
 * Decides the `sync` deliveries of a change of a notification's read or action state, or
 * of its deletion: one per other endpoint of the user that carries sync messages, from
 * the user's subscriptions (oldest first) and the notification (after the change; as it
 * was, for a deletion) as they stand at the write. Like a {@link DeliveryPlan} it is called inside the write's atomicity, has no
 * side effects and returns fresh ids (each with `kind: 'sync'`) on every call.
 */
export type SyncPlan = (subscriptions: readonly StoredSubscription[], notification: StoredNotification) => readonly NewDelivery[];

/** The parts of a delivery that coalescing reads. */
export interface SyncCandidate {
  readonly kind: DeliveryKind;
  readonly status: DeliveryStatus;
  readonly subscriptionId: string;
  readonly lease?: DeliveryLease | undefined;
}

/**
 * True for a sync delivery that no attempt has taken up: pending or failed (waiting for
 * a retry) and without a lease. It will send the state as it is when attempted. A leased
 * one may already have read an older state, so a change after its claim gets a new one.
 */
export function isWaitingSync(delivery: SyncCandidate): boolean {
  return delivery.kind === 'sync' && (delivery.status === 'pending' || delivery.status === 'failed') && delivery.lease === undefined;
}

/**
 * The planned sync deliveries a store creates: those to subscriptions that have no
 * waiting sync among `existing` (the notification's deliveries).
 */
export function coalescedSyncs(planned: readonly NewDelivery[], existing: Iterable<SyncCandidate>): readonly NewDelivery[] {
  if (planned.length === 0) return planned;
  const waiting = new Set<string>();
  for (const delivery of existing) if (isWaitingSync(delivery)) waiting.add(delivery.subscriptionId);
  return waiting.size === 0 ? planned : planned.filter((delivery) => !waiting.has(delivery.subscriptionId));
}
