/**
 * Changing a notification's read and action state, with the sync deliveries that tell
 * the user's other endpoints (cross-device sync), in one step: the plan's syncs less the
 * ones coalescing drops (an endpoint with a waiting sync of the notification gets no
 * second one; it will send the state as it is when attempted).
 */
import { coalescedSyncs, formatDateTime } from '@herald/core/store';
import type { NewDelivery, NotificationStatePatch, StoredNotification } from '@herald/core/store';
import { addDeliveries } from './feed-writes.js';
import { withState } from './notification-record.js';
import type { EngineParts } from './parts.js';

/**
 * The sync deliveries of a state change: listed (a replay), or listed from the notification
 * after the change (the store's plan, bound to the user's subscriptions).
 */
export type SyncListing = readonly NewDelivery[] | ((notification: StoredNotification) => readonly NewDelivery[]);

/** What a state change did: the notification after it, and the sync deliveries it created. */
export interface StateChange {
  readonly notification: StoredNotification;
  /** The sync deliveries created, as listed after coalescing: what a log replays. */
  readonly syncs: readonly NewDelivery[];
}

/**
 * See `NotificationStore.updateNotificationState`; `undefined` when the notification is
 * missing or expired. A change that changes nothing writes nothing (and lists no syncs).
 */
export function changeState(
  parts: EngineParts,
  userId: string,
  notificationId: string,
  patch: NotificationStatePatch,
  now: number,
  syncs: SyncListing | undefined,
): StateChange | undefined {
  const user = parts.users.get(userId);
  const entry = user?.notifications.get(notificationId);
  if (user === undefined || entry === undefined || entry.expiredAt(now)) return undefined;
  const { record } = entry;
  const readState = patch.readState ?? record.readState;
  const userActionState = patch.userActionState ?? record.userActionState;
  if (readState === record.readState && userActionState === record.userActionState) return { notification: record, syncs: [] };
  const next = withState(record, readState, userActionState, formatDateTime(now), user.sequence + 1);
  const listed = syncs === undefined ? [] : coalescedSyncs(typeof syncs === 'function' ? syncs(next) : syncs, entry.deliveries ?? []);
  // Checked before the first change: a second record under one id would corrupt the indexes.
  for (const [index, delivery] of listed.entries()) {
    if (user.deliveries.has(delivery.id) || listed.findIndex((other) => other.id === delivery.id) !== index) {
      throw parts.fail('INVALID_ARGUMENT', `the delivery id ${JSON.stringify(delivery.id)} is already taken; the service mints a fresh one per delivery`);
    }
  }
  user.sequence += 1;
  user.restate(entry, next);
  addDeliveries(parts, user, entry, listed, now);
  return { notification: next, syncs: listed };
}
