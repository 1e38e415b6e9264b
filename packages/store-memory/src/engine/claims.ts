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

/** The lease tokens of a claim: a list (a replay's, recorded), or a function minting `count` of them. */
export type ClaimTokens = readonly string[] | ((count: number) => readonly string[]);

/**
 * See `NotificationStore.claimDeliveries`. Claims at most `request.limit` deliveries (and
 * at most `tokens.length` of a list), giving the n-th the n-th token. A function is
 * asked for exactly as many tokens as were taken, so the due queue is walked once.
 */
export function claimDeliveries(parts: EngineParts, request: ClaimRequest, tokens: ClaimTokens): ClaimedDelivery[] {
  const { owner, now, leaseMs } = request;
  const limit = typeof tokens === 'function' ? request.limit : Math.min(request.limit, tokens.length);
  const taken: OpenDelivery[] = [];
  // Take them all before leasing any: a lease of zero length must not make one claimable twice.
  while (taken.length < limit) {
    const delivery = parts.due.takeDue(now);
    if (delivery === undefined) break;
    taken.push(delivery);
  }
  const leaseTokens = typeof tokens === 'function' ? (taken.length === 0 ? [] : tokens(taken.length)) : tokens;
  const leaseOwner = flat(owner);
  const claimed: ClaimedDelivery[] = new Array(taken.length);
  for (let index = 0; index < taken.length; index += 1) {
    const delivery = taken[index] as OpenDelivery;
    delivery.lease = Object.freeze(newLease(leaseOwner, flat(leaseTokens[index] as string), now, leaseMs));
    parts.due.schedule(delivery);
    claimed[index] = claimOf(parts, delivery);
  }
  return claimed;
}

/**
 * The claim of a just-leased delivery, frozen. Built with no spread of optional parts: an
 * absent notification (a deletion's sync, claimed without it: the dispatcher sends it as
 * removed) or subscription (deleted) is left out, not set to `undefined`.
 */
function claimOf(parts: EngineParts, delivery: OpenDelivery): ClaimedDelivery {
  const record = delivery.toRecord() as ClaimedDelivery['delivery'];
  const subscription = parts.subscriptions.get(delivery.subscriptionId);
  const entry = delivery.notification;
  if (entry.stored) {
    return Object.freeze(subscription === undefined ? { delivery: record, notification: entry.record } : { delivery: record, notification: entry.record, subscription });
  }
  return Object.freeze(subscription === undefined ? { delivery: record } : { delivery: record, subscription });
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
  const user = parts.users.get(ref.userId);
  const delivery = user?.deliveries.get(ref.deliveryId);
  if (user === undefined || !(delivery instanceof OpenDelivery) || !holdsLease(delivery, ref.token)) return false;
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
