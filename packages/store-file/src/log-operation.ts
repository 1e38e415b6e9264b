/**
 * The log's records: one per store call that changed something, holding the operation
 * and every input it was applied with — ids and lease tokens the store minted, and `now`
 * — so replaying the log into a fresh engine rebuilds exactly the same state.
 *
 * Claims and purges are logged by what they chose (which deliveries, which expired
 * notifications) rather than by their limits: a restored engine's heaps may break ties
 * in another order, and a replay must pick the same ones.
 */
import type {
  DeliveryOutcome,
  LeaseRef,
  ListedNotificationWrite,
  NewDelivery,
  NewSubscription,
  NotificationPreferences,
  NotificationStatePatch,
  PurgeRequest,
  SubscriptionPatch,
} from '@herald/core/store';
import { leaseDeliveries, purgeListed, releaseAllLeases } from '@herald/store-memory/engine';
import type { MemoryState } from '@herald/store-memory/engine';

/**
 * The sync deliveries a deletion made, as listed, by deleted notification (only those
 * that made some): a replay makes the same ones. Logs from before deletions made syncs
 * have none, and replay as before.
 */
export type LoggedDeletionSyncs = readonly (readonly [notificationId: string, syncs: readonly NewDelivery[]])[];

/** The listing a deletion's replay takes its syncs from. */
function replayedSyncs(syncs: LoggedDeletionSyncs | undefined): ((notification: { readonly id: string }) => readonly NewDelivery[]) | undefined {
  if (syncs === undefined) return undefined;
  const byNotification = new Map(syncs);
  return (notification) => byNotification.get(notification.id) ?? [];
}

/** A deletion's syncs to log: those of the notifications that made some, or `undefined` when none did. */
export function loggedSyncs(deletion: LoggedDeletionSyncs): LoggedDeletionSyncs | undefined {
  const made = deletion.filter(([, syncs]) => syncs.length > 0);
  return made.length === 0 ? undefined : made;
}

/** One logged operation. */
export type LogOperation =
  | { readonly op: 'save'; readonly write: ListedNotificationWrite }
  | { readonly op: 'state'; readonly userId: string; readonly notificationId: string; readonly patch: NotificationStatePatch; readonly now: number; readonly syncs?: readonly NewDelivery[] }
  | { readonly op: 'delete'; readonly userId: string; readonly notificationId: string; readonly now: number; readonly syncs?: LoggedDeletionSyncs }
  | { readonly op: 'deleteGroup'; readonly userId: string; readonly groupName: string; readonly targetHostName?: string; readonly now: number; readonly syncs?: LoggedDeletionSyncs }
  | { readonly op: 'subscribe'; readonly id: string; readonly subscription: NewSubscription; readonly now: number }
  | { readonly op: 'updateSubscription'; readonly subscriptionId: string; readonly patch: SubscriptionPatch; readonly now: number }
  // `now` is absent from records written before a delete ended the subscription's deliveries: they replay as they ran.
  | { readonly op: 'unsubscribe'; readonly subscriptionId: string; readonly now?: number }
  | { readonly op: 'retry'; readonly userId: string; readonly deliveryId: string; readonly now: number }
  | { readonly op: 'cancel'; readonly userId: string; readonly notificationId: string; readonly reason: string; readonly now: number }
  | { readonly op: 'claim'; readonly owner: string; readonly now: number; readonly leaseMs: number; readonly claims: readonly (readonly [userId: string, deliveryId: string, token: string])[] }
  | { readonly op: 'renew'; readonly ref: LeaseRef; readonly now: number; readonly leaseMs: number }
  | { readonly op: 'complete'; readonly ref: LeaseRef; readonly outcome: DeliveryOutcome; readonly now: number }
  | { readonly op: 'purge'; readonly request: PurgeRequest; readonly removed: readonly (readonly [userId: string, notificationId: string])[] }
  | { readonly op: 'restart' }
  // Logs written before preferences existed have none of these, and replay as they ran.
  | { readonly op: 'preferences'; readonly userId: string; readonly preferences: NotificationPreferences; readonly now: number };

/**
 * Applies a logged operation to `state` during replay. Throws when the operation does
 * not apply (it did when it was logged, so the log and the snapshot under it disagree).
 */
export function replayOperation(state: MemoryState, operation: LogOperation): void {
  switch (operation.op) {
    case 'save':
      state.saveNotification(operation.write);
      return;
    case 'state':
      state.updateNotificationState(operation.userId, operation.notificationId, operation.patch, operation.now, operation.syncs);
      return;
    case 'delete':
      state.deleteNotification(operation.userId, operation.notificationId, operation.now, replayedSyncs(operation.syncs));
      return;
    case 'deleteGroup':
      state.deleteGroup(operation.userId, operation.groupName, operation.targetHostName, operation.now, replayedSyncs(operation.syncs));
      return;
    case 'subscribe':
      state.createSubscription(operation.id, operation.subscription, operation.now);
      return;
    case 'updateSubscription':
      state.updateSubscription(operation.subscriptionId, operation.patch, operation.now);
      return;
    case 'unsubscribe':
      state.deleteSubscription(operation.subscriptionId, operation.now);
      return;
    case 'retry':
      state.retryDelivery(operation.userId, operation.deliveryId, operation.now);
      return;
    case 'cancel':
      state.cancelDeliveries(operation.userId, operation.notificationId, operation.reason, operation.now);
      return;
    case 'claim':
      leaseDeliveries(state, operation.owner, operation.now, operation.leaseMs, operation.claims);
      return;
    case 'renew':
      state.renewLease(operation.ref, operation.now, operation.leaseMs);
      return;
    case 'complete':
      state.completeDelivery(operation.ref, operation.outcome, operation.now);
      return;
    case 'purge':
      purgeListed(state, operation.request, operation.removed);
      return;
    case 'restart':
      releaseAllLeases(state);
      return;
    case 'preferences':
      state.setPreferences(operation.userId, operation.preferences);
      return;
    default:
      throw new RangeError(`an unknown operation ${JSON.stringify((operation as { op?: unknown }).op)}`);
  }
}
