/**
 * Feed announcements across processes (the store's `feedWakeups`): after a write, a
 * service announces whose feed changed on the keyspace's feed channel, and every other
 * store instance tells its service's live feeds (`feed.watch`), which read the change feed
 * again. A message is JSON: `{"from": instance, "users": [ids]}`, or without `users` when
 * any user's feed may have changed (a purge). Announcements made while one is sent go out
 * together in the next; past `maxUsersPerMessage` users, as "any user".
 */
import { randomUUID } from 'node:crypto';
import type { FeedChangeListener, FeedChangeSubscription, Logger } from '@herald/core/store';
import type { RedisLink } from './redis-link.js';
import type { SubscriberConnection } from './subscriber.js';
import { Publisher } from './wakeups.js';

/** Most user ids one message names; more are announced as "any user" (one re-read per watcher). */
const maxUsersPerMessage = 1000;

interface Announcement {
  readonly from: string;
  readonly users?: readonly string[];
}

function parse(message: string): Announcement | undefined {
  try {
    const value: unknown = JSON.parse(message);
    if (value === null || typeof value !== 'object' || typeof (value as Announcement).from !== 'string') return undefined;
    const { users } = value as Announcement;
    if (users !== undefined && (!Array.isArray(users) || users.some((user) => typeof user !== 'string'))) return undefined;
    return value as Announcement;
  } catch {
    return undefined;
  }
}

/** One store instance's end of the feed channel. */
export class FeedAnnouncements {
  readonly #subscriber: SubscriberConnection;
  readonly #channel: string;
  readonly #publisher: Publisher;
  readonly #log: Logger;
  /** Tells this instance's own messages apart: its service already woke its own watchers. */
  readonly #instance = randomUUID();
  /** Users to name in the next message; `undefined` once it is to say "any user". */
  #pending: Set<string> | undefined = new Set();

  constructor(link: RedisLink, subscriber: SubscriberConnection, channel: string, timeoutMs: number, log: Logger) {
    this.#subscriber = subscriber;
    this.#channel = channel;
    this.#log = log;
    this.#publisher = new Publisher(link, channel, timeoutMs, 'feedChanged');
  }

  /** See `NotificationStore.onFeedChange`. */
  listen(listener: FeedChangeListener): FeedChangeSubscription {
    return this.#subscriber.listen(this.#channel, {
      source: 'feed listener',
      message: (message) => {
        const announcement = parse(message);
        if (announcement === undefined) {
          this.#log.warn({ code: 'INVALID_MESSAGE', channel: this.#channel }, 'a message on the feed channel is not an announcement; ignored');
          return;
        }
        if (announcement.from === this.#instance) return;
        if (announcement.users === undefined) listener(undefined);
        else for (const user of announcement.users) listener(user);
      },
      reconnected: () => listener(undefined),
    });
  }

  /** See `NotificationStore.feedChanged`. */
  announce(userIds: readonly string[] | undefined): Promise<void> {
    if (userIds === undefined) this.#pending = undefined;
    else if (this.#pending !== undefined) {
      for (const user of userIds) this.#pending.add(user);
      if (this.#pending.size > maxUsersPerMessage) this.#pending = undefined;
    }
    return this.#publisher.publish(() => {
      const users = this.#pending;
      this.#pending = new Set();
      const announcement: Announcement = users === undefined ? { from: this.#instance } : { from: this.#instance, users: [...users] };
      return JSON.stringify(announcement);
    });
  }
}
