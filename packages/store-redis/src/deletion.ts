/**
 * A deletion (one notification, or a group) with its sync deliveries (cross-device
 * sync), as one script. The notifications to delete are read first (the plan needs
 * them), the syncs are planned from the subscriptions this instance knows, and the script
 * writes nothing when they changed (it answers with them) or when the notifications to
 * delete are no longer those read: then they are read and planned again.
 */
import type { NewDelivery, SyncPlan } from '@herald/core/store';
import { storeError } from './errors.js';
import { listOf, notificationFromRow, numberOf, textOf } from './records.js';
import { scripts } from './scripts/index.js';
import { knownSubscriptions, maxPlans } from './subscription-cache.js';
import { readSubscriptions } from './subscription-calls.js';
import type { StoreContext } from './store-context.js';

/** What a deletion removes: one notification, or a group's (of one app when given). */
export type DeletionTarget =
  | { readonly notificationId: string }
  | { readonly groupName: string; readonly targetHostName: string | undefined };

/** See `NotificationStore.deleteNotification` and `deleteGroup` with a plan; returns how many were deleted. */
export async function deleteWithSyncs(context: StoreContext, userId: string, target: DeletionTarget, now: number, plan: SyncPlan): Promise<number> {
  const { link, keyspace, subscriptionCache } = context;
  const route = keyspace.user(userId);
  const what =
    'notificationId' in target
      ? ['one', target.notificationId, '0', '']
      : ['group', target.groupName, target.targetHostName === undefined ? '0' : '1', target.targetHostName ?? ''];
  const selection = [route.tag, userId, now, ...what];

  let known = subscriptionCache.get(userId) ?? (await readSubscriptions(context, userId));
  for (let plans = 1; ; plans++) {
    const rows = listOf(await link.run(scripts.deletionTargets, route.key, selection), 'deletionTargets');
    const args: (string | number)[] = [...selection, known.version, rows.length];
    for (const row of rows) {
      const current = notificationFromRow(row, userId);
      if (current === undefined) throw storeError('STORE_CORRUPT', 'deletionTargets answered a missing notification');
      const syncs: readonly NewDelivery[] = plan(known.subscriptions, current.notification);
      args.push(current.notification.id, current.position, syncs.length);
      for (const sync of syncs) args.push(sync.id, sync.subscriptionId, sync.transport, sync.platformType, sync.nextAttemptAt);
    }
    const reply = listOf(await link.run(scripts.deleteWithSyncs, route.key, args), 'deleteWithSyncs');
    switch (reply[0]) {
      case 'deleted':
        return numberOf(reply[1], 'deleteWithSyncs');
      case 'taken':
        throw storeError('INVALID_ARGUMENT', `the delivery id ${JSON.stringify(textOf(reply[1], 'a delivery id'))} is already taken; the service mints a fresh one per delivery`);
      case 'stale':
        known = knownSubscriptions(reply.slice(1));
        subscriptionCache.set(userId, known);
        break;
      case 'moved':
        break;
      default:
        throw storeError('STORE_CORRUPT', `deleteWithSyncs answered ${JSON.stringify(reply[0])}`);
    }
    if (plans === maxPlans) {
      throw storeError('STORE_UNAVAILABLE', `the subscriptions or the notifications of user ${JSON.stringify(userId)} changed during each of ${maxPlans} tries to delete; nothing was deleted, try again`);
    }
  }
}
