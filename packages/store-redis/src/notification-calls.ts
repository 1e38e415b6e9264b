/**
 * The feed side of the store: saving notifications with their deliveries (`save.ts`),
 * reading the feed, counts, state changes, deletes and the change feed. Each call is one
 * script on the user's shard (saves share theirs with the shard's other sends).
 */
import type { ChangePage, FeedPage, StoredChange, StoreImplementation } from '@herald/core/store';
import { storeError } from './errors.js';
import { listOf, notificationFromRow, numberOf, textOf } from './records.js';
import type { NotificationRow } from './records.js';
import { saveCall } from './save.js';
import { scripts } from './scripts/index.js';
import { changeState } from './state-change.js';
import { deleteWithSyncs } from './deletion.js';
import type { StoreContext } from './store-context.js';

/** The calls of this module. */
export type NotificationCalls = Pick<
  StoreImplementation,
  'saveNotification' | 'getNotification' | 'listFeed' | 'countUnread' | 'updateNotificationState' | 'deleteNotification' | 'deleteGroup' | 'listChanges'
>;

/** Builds the feed calls over `context`. */
export function notificationCalls(context: StoreContext): NotificationCalls {
  const { link, keyspace } = context;
  return {
    saveNotification: saveCall(context),

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
