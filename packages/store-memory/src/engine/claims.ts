/**
 * Claims: leasing due deliveries to a dispatcher, renewing a lease, and recording the
 * outcome of an attempt under one. The rules (who holds a lease, what a lease and an
 * outcome leave) are core's `delivery-transitions.ts`; this is where the engine keeps them.
 */
import { holdsLease, newLease, renewedLease, stateAfterOutcome } from '@herald/core/store';
import type { ClaimedDelivery, ClaimRequest, DeliveryOutcome, LeaseRef } from '@herald/core/store';
import { OpenDelivery } from './delivery-record.js';
import { settleDelivery } from './deliveries.js';
import { flat } from './flat-string.js';
import type { EngineParts } from './parts.js';

/** How many deliveries `claimDeliveries` would claim at `now`, at most `limit`: how many tokens to mint. */
export function countDue(parts: EngineParts, now: number, limit: number): number {
  return parts.due.countDue(now, limit);
}

/**
 * See `NotificationStore.claimDeliveries`. Claims at most `tokens.length` deliveries,
 * giving the n-th the n-th token.
 */
export function claimDeliveries(parts: EngineParts, request: ClaimRequest, tokens: readonly string[]): ClaimedDelivery[] {
  const { owner, now, leaseMs } = request;
  const limit = Math.min(request.limit, tokens.length);
  const taken: OpenDelivery[] = [];
  // Take them all before leasing any: a lease of zero length must not make one claimable twice.
  while (taken.length < limit) {
    const delivery = parts.due.takeDue(now);
    if (delivery === undefined) break;
    taken.push(delivery);
  }
  return taken.map((delivery, index) => {
    delivery.lease = Object.freeze(newLease(flat(owner), flat(tokens[index] as string), now, leaseMs));
    parts.due.schedule(delivery);
    const record = delivery.toRecord() as ClaimedDelivery['delivery'];
    const subscription = parts.subscriptions.get(delivery.subscriptionId);
    // A deletion's sync is claimed without its notification: the dispatcher sends it as removed.
    const notification = delivery.notification.stored ? { notification: delivery.notification.record } : {};
    const claim: ClaimedDelivery = subscription === undefined ? { delivery: record, ...notification } : { delivery: record, ...notification, subscription };
    return Object.freeze(claim);
  });
}

/** See `NotificationStore.renewLease`. */
export function renewLease(parts: EngineParts, ref: LeaseRef, now: number, leaseMs: number): boolean {
  const delivery = held(parts, ref);
  if (delivery === undefined) return false;
  delivery.lease = Object.freeze(renewedLease(delivery.lease as NonNullable<OpenDelivery['lease']>, now, leaseMs));
  parts.due.schedule(delivery);
  return true;
}

/** See `NotificationStore.completeDelivery`. */
export function completeDelivery(parts: EngineParts, ref: LeaseRef, outcome: DeliveryOutcome, now: number): boolean {
  const delivery = held(parts, ref);
  const user = parts.users.get(ref.userId);
  if (delivery === undefined || user === undefined) return false;
  settleDelivery(parts, user, delivery, stateAfterOutcome(delivery, outcome, now));
  return true;
}

/** See `NotificationStore.nextDueAt`. */
export function nextDueAt(parts: EngineParts): number | undefined {
  return parts.due.nextDueAt();
}

/** The open delivery `ref` names, if `ref.token` holds its lease (expired or not). */
function held(parts: EngineParts, ref: LeaseRef): OpenDelivery | undefined {
  const delivery = parts.users.get(ref.userId)?.deliveries.get(ref.deliveryId);
  return delivery instanceof OpenDelivery && holdsLease(delivery, ref.token) ? delivery : undefined;
}
