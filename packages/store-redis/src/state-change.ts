/**
 * A state change with its sync deliveries (cross-device sync), as one script. Without a
 * plan it is one round trip. With one, the notification is read first (the plan needs
 * it), the syncs are planned from the subscriptions this instance knows, and the script
 * writes nothing when they changed (it answers with them) or when the notification's
 * content changed meanwhile: then it is read and planned again.
 */
import { formatDateTime } from '@herald/core/store';
import type { NotificationStatePatch, StoredNotification, SyncPlan } from '@herald/core/store';
import { storeError } from './errors.js';
import { listOf, notificationFromRow, textOf } from './records.js';
import { scripts } from './scripts/index.js';
import { knownSubscriptions, maxPlans } from './subscription-cache.js';
import { readSubscriptions } from './subscription-calls.js';
import type { StoreContext } from './store-context.js';

/** See `NotificationStore.updateNotificationState`. */
export async function changeState(
  context: StoreContext,
  userId: string,
  notificationId: string,
  patch: NotificationStatePatch,
  now: number,
  plan: SyncPlan | undefined,
): Promise<StoredNotification | undefined> {
  const { link, keyspace, subscriptionCache } = context;
  const route = keyspace.user(userId);
  const change = [route.tag, userId, notificationId, now, formatDateTime(now), patch.readState ?? '', patch.userActionState ?? ''];
  if (plan === undefined) return answer(await link.run(scripts.updateNotificationState, route.key, [...change, '0', '', '', 0]), userId);

  let known = subscriptionCache.get(userId) ?? (await readSubscriptions(context, userId));
  for (let plans = 1; ; plans++) {
    const row = await link.run(scripts.getNotification, route.key, [route.tag, userId, notificationId, now]);
    const current = row === null ? undefined : notificationFromRow(row, userId);
    if (current === undefined) return undefined;
    const { notification } = current;
    const after = { ...notification, readState: patch.readState ?? notification.readState, userActionState: patch.userActionState ?? notification.userActionState };
    const syncs = plan(known.subscriptions, after);
    const args: (string | number)[] = [...change, '1', known.version, current.position, syncs.length];
    for (const sync of syncs) args.push(sync.id, sync.subscriptionId, sync.transport, sync.platformType, sync.nextAttemptAt);
    const reply = listOf(await link.run(scripts.updateNotificationState, route.key, args), 'updateNotificationState');
    if (reply[0] === 'stale') {
      known = knownSubscriptions(reply.slice(1));
      subscriptionCache.set(userId, known);
    } else if (reply[0] !== 'moved') {
      return answer(reply, userId);
    }
    if (plans === maxPlans) {
      throw storeError('STORE_UNAVAILABLE', `the subscriptions or the notification of user ${JSON.stringify(userId)} changed during each of ${maxPlans} tries to change its state; nothing was changed, try again`);
    }
  }
}

/** The notification after the change, from the script's answer. */
function answer(reply: unknown, userId: string): StoredNotification | undefined {
  const [status, row, taken] = listOf(reply, 'updateNotificationState');
  switch (status) {
    case 'missing':
      return undefined;
    case 'row':
      return notificationFromRow(row, userId)?.notification;
    case 'taken':
      throw storeError('INVALID_ARGUMENT', `the delivery id ${JSON.stringify(textOf(taken, 'a delivery id'))} is already taken; the service mints a fresh one per delivery`);
    default:
      throw storeError('STORE_CORRUPT', `updateNotificationState answered ${JSON.stringify(status)}`);
  }
}
