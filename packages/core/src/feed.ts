/**
 * The service's feed calls: what a user's app clients read and change.
 */
import { checkBoolean, checkId, checkLimit, checkOptions, checkText } from './arguments.js';
import type { UserActionState } from './contract/types.js';
import { validateNotificationState } from './contract/validate.js';
import type { ServiceContext } from './context.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { HeraldError } from './errors.js';
import { watchFeed, type FeedWatch, type FeedWatchOptions } from './feed-watch.js';
import type { StoredNotification } from './records.js';
import type { NotificationStatePatch, StoredChange, UnreadFilter } from './store/interface.js';
import { checkStateChangeOptions, syncPlanOf, type StateChangeOptions } from './sync.js';

/** Options of `feed.list`. */
export interface FeedListOptions {
  /** Only unread notifications. */
  readonly unread?: boolean;
  /** Only notifications of this group. */
  readonly groupName?: string;
  /** Only notifications of this app. */
  readonly targetHostName?: string;
  /**
   * Most notifications on the page (1–1000).
   * @default 20
   */
  readonly limit?: number;
  /** The `nextCursor` of the previous page. */
  readonly cursor?: string;
}

/** A page of a feed, newest first. */
export interface FeedListPage {
  /** The notifications. */
  readonly items: readonly StoredNotification[];
  /** Pass as `cursor` for the next page; absent on the last page. */
  readonly nextCursor?: string;
}

/** Options of `feed.changesSince`. */
export interface ChangesOptions {
  /**
   * Most changes to return (1–1000).
   * @default 100
   */
  readonly limit?: number;
}

/** What changed in a feed since a cursor. */
export interface FeedChanges {
  /** The changes, oldest first. */
  readonly changes: readonly StoredChange[];
  /** Pass to the next `changesSince` call. */
  readonly cursor: string;
  /** True when more changes are waiting: call again at once. */
  readonly hasMore: boolean;
}

/** Options of `feed.deleteGroup`. */
export interface DeleteGroupOptions extends StateChangeOptions {
  /** Only this app's notifications of the group. */
  readonly targetHostName?: string;
}

/** The feed calls of a service. */
export interface FeedApi {
  /** A page of the user's feed, newest first. @throws HeraldError `INVALID_CURSOR`, `INVALID_ARGUMENT` */
  list(userId: string, options?: FeedListOptions): Promise<FeedListPage>;
  /** One notification of the user; `undefined` when missing, expired or another user's. */
  get(userId: string, notificationId: string): Promise<StoredNotification | undefined>;
  /** How many of the user's notifications are unread (optionally of one group or app). */
  unreadCount(userId: string, filter?: UnreadFilter): Promise<number>;
  /**
   * Changes read and action state together. A change that changes something is sent to
   * the user's other endpoints as a `sync` delivery (see docs/sync.md), except to
   * `options.origin`, the endpoint that made it.
   * @throws HeraldError `NOTIFICATION_NOT_FOUND`, `CONTRACT_MISMATCH`, `INVALID_ARGUMENT` (a malformed origin)
   */
  update(userId: string, notificationId: string, patch: NotificationStatePatch, options?: StateChangeOptions): Promise<StoredNotification>;
  /** Marks a notification read (synced as `update` is). @throws HeraldError `NOTIFICATION_NOT_FOUND` */
  markRead(userId: string, notificationId: string, options?: StateChangeOptions): Promise<StoredNotification>;
  /** Marks a notification unread (synced as `update` is). @throws HeraldError `NOTIFICATION_NOT_FOUND` */
  markUnread(userId: string, notificationId: string, options?: StateChangeOptions): Promise<StoredNotification>;
  /** Records what the user did: activated, dismissed, snoozed (synced as `update` is). @throws HeraldError `NOTIFICATION_NOT_FOUND` */
  setUserActionState(userId: string, notificationId: string, state: UserActionState, options?: StateChangeOptions): Promise<StoredNotification>;
  /**
   * Deletes one notification (and its deliveries). False when there was none. The user's
   * other endpoints are told it is gone (a sync of `type: 'deleted'`, docs/sync.md), all
   * but `options.origin`, the endpoint that deleted it.
   * @throws HeraldError `INVALID_ARGUMENT` (a malformed origin)
   */
  delete(userId: string, notificationId: string, options?: StateChangeOptions): Promise<boolean>;
  /**
   * Deletes the user's notifications of a group, within one app when given; returns how
   * many. Each is synced as `delete` is, all but to `options.origin`.
   * @throws HeraldError `INVALID_ARGUMENT` (a malformed origin)
   */
  deleteGroup(userId: string, groupName: string, options?: DeleteGroupOptions): Promise<number>;
  /**
   * What changed in the user's feed since `cursor` (everything, as `created`, without
   * one). Keep the returned cursor for the next call, as a reconnecting client does.
   * @throws HeraldError `INVALID_CURSOR`, `CURSOR_EXPIRED` (read the whole feed again)
   */
  changesSince(userId: string, cursor?: string, options?: ChangesOptions): Promise<FeedChanges>;
  /**
   * Follows the user's feed live: every change after `options.since` (everything, as
   * `created`, without it), then each change as it happens, in this process or — with a
   * store that has `feedWakeups` (Redis) — any other, each exactly once, with the unread
   * count and a cursor to resume from. A cursor older than the change retention yields one
   * `resync` event and ends. `return()`, `options.signal` or closing the service ends it.
   * A failed store read rejects `next()` and ends it (resume from the last event's cursor).
   *
   * ```ts
   * for await (const event of service.feed.watch('alice', { since: savedCursor })) {
   *   if (event.type === 'resync') break; // drop the local copy and watch again without since
   *   render(event);
   *   savedCursor = event.cursor;
   * }
   * ```
   * @throws HeraldError at once: `INVALID_ARGUMENT`, `INVALID_CURSOR`, `SERVICE_CLOSED`
   */
  watch(userId: string, options?: FeedWatchOptions): FeedWatch;
}

const maxPage = 1000;

function optionalText(value: unknown, what: string): string | undefined {
  return value === undefined ? undefined : checkText(value, what, 256);
}

function checkFilter(filter: unknown): UnreadFilter {
  const value = checkOptions(filter, 'the filter', ['groupName', 'targetHostName']);
  const groupName = optionalText(value['groupName'], 'groupName');
  const targetHostName = optionalText(value['targetHostName'], 'targetHostName');
  return { ...(groupName === undefined ? {} : { groupName }), ...(targetHostName === undefined ? {} : { targetHostName }) };
}

/** Builds the feed calls over a service's context. */
export function createFeedApi(context: ServiceContext): FeedApi {
  const { store, clock, events } = context;

  const update = async (userId: string, notificationId: string, patch: unknown, options: unknown): Promise<StoredNotification> => {
    context.assertOpen();
    checkId(userId, 'userId');
    checkId(notificationId, 'notificationId');
    const change = validateNotificationState(patch);
    const syncs = syncPlanOf(context, checkStateChangeOptions(options), clock.now());
    // Only listeners need to know whether anything changed; spare the read otherwise.
    const listening = events.has('notification.stateChanged');
    const before = listening ? await store.getNotification(userId, notificationId, clock.now()) : undefined;
    const now = clock.now();
    const updated = syncs === undefined
      ? await store.updateNotificationState(userId, notificationId, change, now)
      : await store.updateNotificationState(userId, notificationId, change, now, syncs.plan);
    if (updated === undefined) throw new HeraldError('NOTIFICATION_NOT_FOUND', 'this user has no notification with this id (it may have expired)');
    // A patch that changed nothing wrote nothing, but a spare wake-up costs one read.
    context.feedWatchers.changed([userId]);
    if (listening && (before === undefined || before.sequence !== updated.sequence)) events.emit('notification.stateChanged', { notification: updated });
    if (syncs !== undefined && syncs.planned() > 0) context.deliveriesDue();
    return updated;
  };

  return {
    async list(userId, options) {
      context.assertOpen();
      checkId(userId, 'userId');
      const value = checkOptions(options, 'the feed options', ['limit', 'unread', 'groupName', 'targetHostName', 'cursor']);
      const unread = checkBoolean(value['unread'], 'unread');
      const groupName = optionalText(value['groupName'], 'groupName');
      const targetHostName = optionalText(value['targetHostName'], 'targetHostName');
      const cursor = value['cursor'];
      const page = await store.listFeed(
        userId,
        {
          limit: checkLimit(value['limit'], 20, maxPage),
          ...(unread === undefined ? {} : { unread }),
          ...(groupName === undefined ? {} : { groupName }),
          ...(targetHostName === undefined ? {} : { targetHostName }),
          ...(cursor === undefined ? {} : { before: decodeCursor('feed', cursor as string) }),
        },
        clock.now(),
      );
      return page.next === undefined ? { items: page.items } : { items: page.items, nextCursor: encodeCursor('feed', page.next) };
    },

    async get(userId, notificationId) {
      context.assertOpen();
      return store.getNotification(checkId(userId, 'userId'), checkId(notificationId, 'notificationId'), clock.now());
    },

    async unreadCount(userId, filter) {
      context.assertOpen();
      return store.countUnread(checkId(userId, 'userId'), checkFilter(filter), clock.now());
    },

    update,
    markRead: (userId, notificationId, options) => update(userId, notificationId, { readState: 'read' }, options),
    markUnread: (userId, notificationId, options) => update(userId, notificationId, { readState: 'unread' }, options),
    setUserActionState: (userId, notificationId, state, options) => update(userId, notificationId, { userActionState: state }, options),

    async delete(userId, notificationId, options) {
      context.assertOpen();
      checkId(userId, 'userId');
      checkId(notificationId, 'notificationId');
      const now = clock.now();
      const syncs = syncPlanOf(context, checkStateChangeOptions(options), now);
      const deleted = syncs === undefined
        ? await store.deleteNotification(userId, notificationId, now)
        : await store.deleteNotification(userId, notificationId, now, syncs.plan);
      if (deleted) {
        context.feedWatchers.changed([userId]);
        events.emit('notification.deleted', { userId, notificationId });
        if (syncs !== undefined && syncs.planned() > 0) context.deliveriesDue();
      }
      return deleted;
    },

    async deleteGroup(userId, groupName, options) {
      context.assertOpen();
      checkId(userId, 'userId');
      checkText(groupName, 'groupName', 256);
      const value = checkOptions(options, 'the options', ['targetHostName', 'origin']);
      const targetHostName = optionalText(value['targetHostName'], 'targetHostName');
      const now = clock.now();
      const syncs = syncPlanOf(context, checkStateChangeOptions(value['origin'] === undefined ? {} : { origin: value['origin'] }), now);
      const count = syncs === undefined
        ? await store.deleteGroup(userId, groupName, targetHostName, now)
        : await store.deleteGroup(userId, groupName, targetHostName, now, syncs.plan);
      if (syncs !== undefined && syncs.planned() > 0) context.deliveriesDue();
      if (count > 0) {
        context.feedWatchers.changed([userId]);
        events.emit('notification.groupDeleted', { userId, groupName, count, ...(targetHostName === undefined ? {} : { targetHostName }) });
      }
      return count;
    },

    async changesSince(userId, cursor, options) {
      context.assertOpen();
      checkId(userId, 'userId');
      const since = cursor === undefined ? 0 : decodeCursor('changes', cursor);
      const limit = checkLimit(checkOptions(options, 'the options', ['limit'])['limit'], 100, maxPage);
      const page = await store.listChanges(userId, since, limit, clock.now());
      return { changes: page.changes, cursor: encodeCursor('changes', page.cursor), hasMore: page.hasMore };
    },

    watch: (userId, options) => watchFeed(context, context.feedWatchers, userId, options),
  };
}
