/**
 * Saving a notification with its deliveries. Every send is one entry of its shard's next
 * `saveNotifications` script call (group commit, `shard-batches.ts`), which answers it on
 * its own: created, updated, a replay, or refused — a stale subscription version re-plans
 * only that send, which joins a later batch. Everything a send's entry needs is built and
 * checked here, in its caller's turn, before it is queued, so a send that cannot be
 * written fails alone, never a batch.
 */
import { createdDeliveryRecords, formatDateTime, listedWrite } from '@herald/core/store';
import type { ListedNotificationWrite, PlannedNotificationWrite, SaveResult } from '@herald/core/store';
import type { ScriptArgument } from './client.js';
import { storeError } from './errors.js';
import { checkedTime } from './script-arguments.js';
import { contentBody, fieldsOf, listOf, notificationFrom, numberOf, storedNotification, textOf } from './records.js';
import { scripts } from './scripts/index.js';
import { batchArguments, ShardBatches } from './shard-batches.js';
import { knownSubscriptions, maxPlans } from './subscription-cache.js';
import { readSubscriptions } from './subscription-calls.js';
import type { StoreContext } from './store-context.js';

/**
 * How long Redis keeps an idempotency key past its expiry: the key is checked against the
 * service's clock, and Redis's TTL only frees the memory, so a little slack keeps a
 * clock that runs behind Redis's from losing keys early.
 */
const idempotencyGraceMs = 60_000;

/**
 * Most sends in one script call: about 35 µs of Redis time each, so a full batch holds
 * Redis for a few milliseconds at most.
 */
const maxSendsPerCall = 64;

/** Epoch ms of a notification's expiry as a script argument ('inf' when it never expires). */
function expiryArgument(expirationDateTime: string): string | number {
  const time = Date.parse(expirationDateTime);
  return Number.isNaN(time) ? 'inf' : time;
}


/** One send's entry of the save script (see scripts/save.ts); `version` is the subscription version the deliveries were planned at. */
function saveArguments(write: ListedNotificationWrite, body: string, version: string | undefined): ScriptArgument[] {
  const { notification, idempotency } = write;
  const now = checkedTime('saveNotification', write.now, 'now');
  const args: ScriptArgument[] = [
    notification.userId,
    now,
    formatDateTime(now),
    notification.id,
    notification.targetHostName,
    notification.appNotificationId,
    notification.groupName ?? '',
    notification.groupName === undefined ? '0' : '1',
    body,
    expiryArgument(notification.expirationDateTime),
    idempotency === undefined ? '0' : '1',
    idempotency?.key ?? '',
    idempotency?.fingerprint ?? '',
    idempotency === undefined ? '' : checkedTime('saveNotification', idempotency.expiresAt, 'idempotency.expiresAt'),
    idempotency === undefined ? '' : Math.max(1, Math.ceil(idempotency.expiresAt - now + idempotencyGraceMs)),
    version === undefined ? '0' : '1',
    version ?? '',
    write.deliveries.length,
    write.decisions ?? '',
  ];
  for (const delivery of write.deliveries) {
    args.push(delivery.id, delivery.subscriptionId, delivery.transport, delivery.platformType, delivery.kind, checkedTime('saveNotification', delivery.nextAttemptAt, 'a delivery\'s nextAttemptAt'));
  }
  return args;
}

/** What a save wrote, built from the write itself: only the script's decisions come back. */
function savedResult(write: ListedNotificationWrite, body: string, reply: unknown[]): SaveResult {
  const { notification: incoming, now } = write;
  const created = numberOf(reply[1], 'created') === 1;
  const id = textOf(reply[2], 'the notification id');
  // A copy made from the stored JSON: the caller's objects are never shared with the result.
  const notification = storedNotification(body, id, incoming.userId, textOf(reply[3], 'createdDateTime'), formatDateTime(now), 'unread', 'noInteraction', numberOf(reply[4], 'the sequence'));
  return { notification, created, deliveries: createdDeliveryRecords(write, id) };
}

/** The store's `saveNotification` over `context`, with its shards' batches. */
export function saveCall(context: StoreContext): (planned: PlannedNotificationWrite) => Promise<SaveResult> {
  const { link, keyspace, subscriptionCache } = context;
  const batches = new ShardBatches<ScriptArgument[]>('saveNotifications', maxSendsPerCall, async (route, sends) =>
    listOf(await link.run(scripts.saveNotifications, route.key, batchArguments(route.tag, sends)), 'saveNotifications'),
  );
  return async (planned) => {
    const { userId } = planned.notification;
    const route = keyspace.user(userId);
    const body = contentBody(planned.notification);
    // A write is one round trip when this instance knows the user's subscriptions; the
    // script refuses a stale list and answers with the current one, to plan again from.
    let known = subscriptionCache.get(userId) ?? (await readSubscriptions(context, userId));
    let write: ListedNotificationWrite;
    let reply: unknown[];
    for (let plans = 1; ; plans++) {
      write = listedWrite(planned, known);
      reply = listOf(await batches.submit(route, saveArguments(write, body, known.version)), 'a save');
      if (reply[0] !== 'stale') break;
      known = knownSubscriptions(reply.slice(1));
      subscriptionCache.set(userId, known);
      if (plans === maxPlans) {
        throw storeError('STORE_UNAVAILABLE', `the subscriptions of user ${JSON.stringify(userId)} changed during each of ${maxPlans} tries to save; nothing was saved, try again`);
      }
    }
    switch (reply[0]) {
      case 'saved':
        return savedResult(write, body, reply);
      case 'replay': {
        const recorded = fieldsOf(reply[1], 'an idempotency key');
        return {
          notification: notificationFrom(recorded, userId),
          created: recorded['c'] === '1',
          deliveries: [],
          replay: { fingerprint: recorded['f'] ?? '' },
        };
      }
      case 'taken':
        throw storeError('INVALID_ARGUMENT', `the ${textOf(reply[1], 'what')} id ${JSON.stringify(reply[2])} is already taken; the service mints a fresh one per write`);
      case 'invalid':
        throw storeError('INVALID_ARGUMENT', `saveNotification: ${textOf(reply[1], 'what')} is not a number`);
      default:
        throw storeError('STORE_CORRUPT', `saveNotification answered ${JSON.stringify(reply[0])}`);
    }
  };
}
