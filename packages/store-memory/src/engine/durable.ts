/**
 * What a durable store built on the engine needs beyond the store operations (the file
 * store uses all of it): state images to write snapshots from and to rebuild an engine
 * from, and the replay of claims and purges by what they chose rather than by heap order,
 * because a restored heap breaks ties in another order than the original. The log and
 * its replay belong to the durable store; these are the engine's side of them.
 */
import type { PurgeRequest } from '@herald/core/store';
import { OpenDelivery } from './delivery-record.js';
import { removeNotification } from './feed-writes.js';
import { flat } from './flat-string.js';
import { engineParts } from './memory-state.js';
import type { MemoryState } from './memory-state.js';
import { purgeTombstones } from './purge.js';
import { captureState } from './state-capture.js';
import type { StateImage } from './state-image.js';

export { stateRestorer } from './state-restorer.js';

/** The whole state of `state` at this instant, as an image a snapshot can be written from (see `captureState`). */
export function captureImage(state: MemoryState): StateImage {
  return captureState(engineParts(state));
}

/**
 * Replays a purge: the same as `state.purgeExpired(request)`, except that the expired
 * notifications removed are the listed ones, in the listed order (a restored engine's
 * heaps may order ties differently).
 */
export function purgeListed(state: MemoryState, request: PurgeRequest, removed: readonly (readonly [userId: string, notificationId: string])[]): void {
  const parts = engineParts(state);
  const { now, tombstonesBefore } = request;
  purgeTombstones(parts, tombstonesBefore);
  for (const [userId, notificationId] of removed) {
    const user = parts.users.get(userId);
    const entry = user?.notifications.get(notificationId);
    if (user !== undefined && entry !== undefined) removeNotification(parts, user, entry, now);
  }
  parts.idempotency.purge(now);
  parts.subscriptions.expire(now);
}

/**
 * Replays a claim: leases the listed open deliveries with the listed tokens, as
 * `claimDeliveries` leased them (a restored due queue may order ties differently).
 */
export function leaseDeliveries(
  state: MemoryState,
  owner: string,
  now: number,
  leaseMs: number,
  claims: readonly (readonly [userId: string, deliveryId: string, token: string])[],
): void {
  const parts = engineParts(state);
  for (const [userId, deliveryId, token] of claims) {
    const delivery = parts.users.get(userId)?.deliveries.get(deliveryId);
    if (!(delivery instanceof OpenDelivery)) continue;
    delivery.lease = Object.freeze({ owner: flat(owner), token: flat(token), expiresAt: now + leaseMs });
    parts.due.schedule(delivery);
  }
}

/**
 * Drops every lease: after a restart no instance holds a claim any more, so leased
 * deliveries are claimable again at once and tokens from before are refused.
 * Returns how many leases it dropped.
 */
export function releaseAllLeases(state: MemoryState): number {
  const { due } = engineParts(state);
  let released = 0;
  for (const delivery of due.queued()) {
    if (delivery.lease === undefined) continue;
    delivery.lease = undefined;
    due.schedule(delivery);
    released++;
  }
  return released;
}
