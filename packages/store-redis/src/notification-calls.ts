/**
 * The feed side of the store: saving notifications with their deliveries, reading the
 * feed, counts, state changes, deletes and the change feed. Each call is one script on
 * the user's shard.
 */
import { formatDateTime, listedWrite } from '@herald/core/store';
import type {
  ChangePage,
  DeliveryRecord,
  FeedPage,
  ListedNotificationWrite,
  SaveResult,
  StoredChange,
  StoreImplementation,
} from '@herald/core/store';
import { storeError } from './errors.js';
import { contentBody, fieldsOf, listOf, notificationFrom, notificationFromRow, numberOf, storedNotification, textOf } from './records.js';
import type { NotificationRow } from './records.js';
import { scripts } from './scripts/index.js';
import { knownSubscriptions, maxPlans } from './subscription-cache.js';
import { readSubscriptions } from './subscription-calls.js';
import { changeState } from './state-change.js';
import { deleteWithSyncs } from './deletion.js';
import type { StoreContext } from './store-context.js';

/** The calls of this module. */
export type NotificationCalls = Pick<
  StoreImplementation,
  'saveNotification' | 'getNotification' | 'listFeed' | 'countUnread' | 'updateNotificationState' | 'deleteNotification' | 'deleteGroup' | 'listChanges'
>;

/**
 * How long Redis keeps an idempotency key past its expiry: the key is checked against the
 * service's clock, and Redis's TTL only frees the memory, so a little slack keeps a
 * clock that runs behind Redis's from losing keys early.
 */
const idempotencyGraceMs = 60_000;

/** Epoch ms of a notification's expiry as a script argument ('inf' when it never expires). */
function expiryArgument(expirationDateTime: string): string | number {
  const time = Date.parse(expirationDateTime);
  return Number.isNaN(time) ? 'inf' : time;
}

/** The save script's arguments; `version` is the subscription version the deliveries were planned at. */
function saveArguments(tag: string, write: ListedNotificationWrite, body: string, version: string | undefined): (string | number)[] {
  const { notification, idempotency, now } = write;
  const args: (string | number)[] = [
    tag,
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
    idempotency?.expiresAt ?? '',
    idempotency === undefined ? '' : Math.max(1, Math.ceil(idempotency.expiresAt - now + idempotencyGraceMs)),
    version === undefined ? '0' : '1',
    version ?? '',
    write.deliveries.length,
  ];
  for (const delivery of write.deliveries) {
    args.push(delivery.id, delivery.subscriptionId, delivery.transport, delivery.platformType, delivery.kind, delivery.nextAttemptAt);
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
  const deliveries = write.deliveries.map(
    (delivery): DeliveryRecord => ({
      id: delivery.id,
      userId: incoming.userId,
      notificationId: id,
      subscriptionId: delivery.subscriptionId,
      transport: delivery.transport,
      platformType: delivery.platformType,
      kind: delivery.kind,
      status: 'pending',
      attempts: 0,
      nextAttemptAt: delivery.nextAttemptAt,
      createdAt: now,
      updatedAt: now,
    }),
  );
  return { notification, created, deliveries };
}

/** Builds the feed calls over `context`. */
export function notificationCalls(context: StoreContext): NotificationCalls {
  const { link, keyspace, subscriptionCache } = context;
  return {
    async saveNotification(planned) {
      const { userId } = planned.notification;
      const route = keyspace.user(userId);
      const body = contentBody(planned.notification);
      // A write is one round trip when this instance knows the user's subscriptions; the
      // script refuses a stale list and answers with the current one, to plan again from.
      let known = subscriptionCache.get(userId) ?? (await readSubscriptions(context, userId));
      let write: ListedNotificationWrite;
      let reply: unknown[];
      for (let plans = 1; ; plans++) {
        write = listedWrite(planned, known.subscriptions);
        reply = listOf(await link.run(scripts.saveNotification, route.key, saveArguments(route.tag, write, body, known.version)), 'saveNotification');
        if (reply[0] !== 'stale') break;
        known = knownSubscriptions([reply[1], reply[2]]);
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
          throw storeError(
            'INVALID_ARGUMENT',
            `the ${textOf(reply[1], 'what')} id ${JSON.stringify(reply[2])} is already taken; the service mints a fresh one per write`,
          );
        default:
          throw storeError('STORE_CORRUPT', `saveNotification answered ${JSON.stringify(reply[0])}`);
      }
    },

    async getNotification(userId, notificationId, now) {
      const route = keyspace.user(userId);
      const reply = await link.run(scripts.getNotification, route.key, [route.tag, userId, notificationId, now]);
      return reply === null ? undefined : notificationFromRow(reply, userId)?.notification;
    },

    async listFeed(userId, query, now) {
      const route = keyspace.user(userId);
      const reply = listOf(
        await link.run(scripts.listFeed, route.key, [
          route.tag,
          userId,
          now,
          query.limit,
          query.before ?? '',
          query.unread === true ? '1' : '0',
          query.groupName === undefined ? '0' : '1',
          query.groupName ?? '',
          query.targetHostName === undefined ? '0' : '1',
          query.targetHostName ?? '',
        ]),
        'listFeed',
      );
      const rows = listOf(reply[1], 'a feed page')
        .map((row) => notificationFromRow(row, userId))
        .filter((row): row is NotificationRow => row !== undefined);
      const items = rows.map((row) => row.notification);
      const last = rows[rows.length - 1];
      const page: FeedPage = reply[0] === 1 && last !== undefined ? { items, next: last.position } : { items };
      return page;
    },

    async countUnread(userId, filter, now) {
      const route = keyspace.user(userId);
      const reply = await link.run(scripts.countUnread, route.key, [
        route.tag,
        userId,
        now,
        filter.groupName === undefined ? '0' : '1',
        filter.groupName ?? '',
        filter.targetHostName === undefined ? '0' : '1',
        filter.targetHostName ?? '',
      ]);
      return numberOf(reply, 'countUnread');
    },

    async updateNotificationState(userId, notificationId, patch, now, plan) {
      return changeState(context, userId, notificationId, patch, now, plan);
    },

    async deleteNotification(userId, notificationId, now, plan) {
      if (plan !== undefined) return (await deleteWithSyncs(context, userId, { notificationId }, now, plan)) > 0;
      const route = keyspace.user(userId);
      return (await link.run(scripts.deleteNotification, route.key, [route.tag, userId, notificationId, now])) === 1;
    },

    async deleteGroup(userId, groupName, targetHostName, now, plan) {
      if (plan !== undefined) return deleteWithSyncs(context, userId, { groupName, targetHostName }, now, plan);
      const route = keyspace.user(userId);
      const reply = await link.run(scripts.deleteGroup, route.key, [
        route.tag,
        userId,
        groupName,
        targetHostName === undefined ? '0' : '1',
        targetHostName ?? '',
        now,
      ]);
      return numberOf(reply, 'deleteGroup');
    },

    async listChanges(userId, since, limit, now) {
      const route = keyspace.user(userId);
      const reply = listOf(await link.run(scripts.listChanges, route.key, [route.tag, userId, since, limit, now]), 'listChanges');
      if (reply[0] === 'ahead') {
        throw storeError('CURSOR_EXPIRED', `the change cursor (${since}) is ahead of this user's feed (${numberOf(reply[1], 'the sequence')}); read the feed again`);
      }
      if (reply[0] === 'purged') {
        throw storeError('CURSOR_EXPIRED', `deletions after the change cursor (${since}) were already purged; read the feed again`);
      }
      const current = numberOf(reply[1], 'the sequence');
      const hasMore = reply[2] === 1;
      const changes = listOf(reply[3], 'the changes').map((item): StoredChange => {
        const [type, notificationId, sequence, row] = listOf(item, 'a change');
        const change = { type: textOf(type, 'a change type') as StoredChange['type'], notificationId: textOf(notificationId, 'a change id'), sequence: numberOf(sequence, 'a change sequence') };
        const notification = row === undefined ? undefined : notificationFromRow(row, userId)?.notification;
        return notification === undefined ? change : { ...change, notification };
      });
      const last = changes[changes.length - 1];
      const page: ChangePage = { changes, cursor: hasMore && last !== undefined ? last.sequence : current, hasMore };
      return page;
    },
  };
}
