/**
 * `feed.watch`: a user's change feed, followed live. It reads the change feed from a
 * cursor, then waits for a wake-up (a write of this or, through the store, another
 * process) and reads again from where it stopped. The wake-ups are registered before the
 * first read, so nothing written between the catch-up and the following is missed; each
 * read starts at the last cursor, so nothing is yielded twice.
 *
 * Memory stays bounded whatever the consumer's pace: changes are read a page at a time
 * only when the consumer asks for more, and wake-ups merge into one flag.
 */
import { checkId, checkLimit, checkOptions } from './arguments.js';
import type { ClockTimer } from './clock.js';
import type { ServiceContext } from './context.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { HeraldError, isHeraldError } from './errors.js';
import type { FeedWatchers, WatcherRegistration } from './feed-watchers.js';
import type { StoredChange } from './store/interface.js';

/** Options of `feed.watch`. */
export interface FeedWatchOptions {
  /**
   * Follow the changes after this cursor: the `cursor` of an event (or of
   * `changesSince`). Without it, the watch starts with a full sync: every live
   * notification as `created`, then what follows.
   */
  readonly since?: string;
  /** Ends the watch when aborted (as `return()` does). */
  readonly signal?: AbortSignal;
  /**
   * Most changes read from the store at a time (1–1000).
   * @default 100
   */
  readonly pageSize?: number;
  /**
   * Longest wait, in milliseconds, before the change feed is read again when no wake-up
   * came: a safety net for a wake-up lost between processes (pub/sub is fire-and-forget)
   * and for changes no write of a service announces (a memory store's eviction).
   * @default 30_000
   */
  readonly pollIntervalMs?: number;
}

/**
 * A change of the user's feed: the change feed's own record (`created`, `updated`,
 * `stateChanged`, `deleted`) with the unread count and a cursor to resume after it.
 */
export type FeedWatchChange = StoredChange & {
  /**
   * The user's unread count, read from the store after the page holding this change:
   * it counts this change and every earlier one (and may count changes the next events
   * bring; the last event of a burst carries the count as it stands).
   */
  readonly unreadCount: number;
  /** Pass as `since` to resume after this change. */
  readonly cursor: string;
};

/**
 * The watch cannot go on from its cursor: it is older than the change retention
 * (deletions after it were purged) or ahead of the feed (the store was emptied). The
 * consumer drops what it holds of the feed and watches again without `since`. It is the
 * watch's last event.
 */
export interface FeedWatchResync {
  readonly type: 'resync';
  /** Why: `cursorExpired`. */
  readonly reason: 'cursorExpired';
  /** What the store said. */
  readonly message: string;
}

/** What a watch yields. */
export type FeedWatchEvent = FeedWatchChange | FeedWatchResync;

/** A watch: an async iterable of events that `return()` (or the signal, or closing the service) ends. */
export interface FeedWatch extends AsyncIterableIterator<FeedWatchEvent> {
  /** Ends the watch at once: a pending `next()` resolves done, and its wake-ups are released. */
  return(): Promise<IteratorResult<FeedWatchEvent, undefined>>;
}

const watchOptionNames = ['since', 'signal', 'pageSize', 'pollIntervalMs'] as const satisfies readonly (keyof FeedWatchOptions)[];
/** The longest `pollIntervalMs` of a watch, in milliseconds: one day. */
export const maxWatchPollIntervalMs = 24 * 60 * 60 * 1000;
const done: IteratorResult<FeedWatchEvent, undefined> = Object.freeze({ done: true, value: undefined });

function checkSignal(value: unknown): AbortSignal | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof AbortSignal)) throw new HeraldError('INVALID_ARGUMENT', 'signal must be an AbortSignal (from an AbortController)');
  return value;
}

function checkPollInterval(value: unknown): number {
  if (value === undefined) return 30_000;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > maxWatchPollIntervalMs) {
    throw new HeraldError('INVALID_ARGUMENT', `pollIntervalMs must be a whole number of milliseconds from 1 to ${maxWatchPollIntervalMs}`);
  }
  return value;
}

/**
 * Starts a watch of `userId`'s feed.
 * @throws HeraldError at once: `INVALID_ARGUMENT` (a bad user id or option, an unknown
 *   option), `INVALID_CURSOR` (`since` is not a change cursor), `SERVICE_CLOSED`.
 */
export function watchFeed(context: ServiceContext, watchers: FeedWatchers, userId: unknown, options: unknown): FeedWatch {
  context.assertOpen();
  const user = checkId(userId, 'userId');
  const value = checkOptions(options, 'the watch options', watchOptionNames);
  const since = value['since'] === undefined ? 0 : decodeCursor('changes', value['since'] as string);
  const signal = checkSignal(value['signal']);
  const pageSize = checkLimit(value['pageSize'], 100, 1000, 'pageSize');
  const pollIntervalMs = checkPollInterval(value['pollIntervalMs']);
  return new Watch(context, watchers, user, since, signal, pageSize, pollIntervalMs);
}

class Watch implements FeedWatch {
  readonly #context: ServiceContext;
  readonly #userId: string;
  readonly #pageSize: number;
  readonly #pollIntervalMs: number;
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort = (): void => this.#end();
  #cursor: number;
  /** Events read and not yet taken. */
  #buffer: (FeedWatchEvent | undefined)[] = [];
  #bufferIndex = 0;
  /** The store has more changes after the cursor than the last page held. */
  #more = true;
  /** A wake-up came since the last read: read again. Wake-ups merge here. */
  #woken = false;
  #ended = false;
  /** The store's announcements reach this watch (or the wait for them timed out). */
  #ready = false;
  #registration: WatcherRegistration;
  /** Ends a wait for a wake-up. */
  #resume: (() => void) | undefined;
  /** Ends any wait (at the end). */
  #stopWaiting: (() => void) | undefined;
  /** `next()` calls run one after the other. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(context: ServiceContext, watchers: FeedWatchers, userId: string, since: number, signal: AbortSignal | undefined, pageSize: number, pollIntervalMs: number) {
    this.#context = context;
    this.#userId = userId;
    this.#cursor = since;
    this.#pageSize = pageSize;
    this.#pollIntervalMs = pollIntervalMs;
    this.#signal = signal;
    // Before the first read: a write that lands meanwhile is read after it.
    this.#registration = watchers.register(userId, { wake: () => this.#wake(), end: () => this.#end() });
    if (signal?.aborted === true) this.#end();
    else signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<FeedWatchEvent, undefined>> {
    const result = this.#queue.then(() => this.#next());
    this.#queue = result.catch(() => undefined);
    return result;
  }

  async return(): Promise<IteratorResult<FeedWatchEvent, undefined>> {
    this.#end();
    return done;
  }

  async #next(): Promise<IteratorResult<FeedWatchEvent, undefined>> {
    try {
      if (!this.#ready) {
        await this.#wait(this.#registration.ready);
        this.#ready = true;
      }
      for (;;) {
        if (this.#ended) return done;
        const event = this.#buffer[this.#bufferIndex];
        if (event !== undefined) {
          this.#buffer[this.#bufferIndex++] = undefined; // let it go once taken
          if (event.type === 'resync') this.#end();
          return { done: false, value: event };
        }
        if (this.#more || this.#woken) await this.#read();
        else await this.#wait(undefined);
      }
    } catch (error) {
      // A read cut off by the end (the service closing) is no failure of the watch.
      if (this.#ended) return done;
      // A failed read (the store unreachable) ends the watch: resume from the last cursor.
      this.#end();
      throw error;
    }
  }

  /** Reads the next page of changes, and the unread count after it. */
  async #read(): Promise<void> {
    this.#woken = false;
    const { store, clock } = this.#context;
    let page;
    try {
      page = await store.listChanges(this.#userId, this.#cursor, this.#pageSize, clock.now());
    } catch (error) {
      if (!isHeraldError(error, 'CURSOR_EXPIRED')) throw error;
      this.#buffer = [{ type: 'resync', reason: 'cursorExpired', message: error.message }];
      this.#bufferIndex = 0;
      return;
    }
    this.#cursor = page.cursor;
    this.#more = page.hasMore;
    if (page.changes.length === 0) return;
    const unreadCount = await store.countUnread(this.#userId, {}, clock.now());
    this.#buffer = page.changes.map((change) => Object.freeze({ ...change, unreadCount, cursor: encodeCursor('changes', change.sequence) }));
    this.#bufferIndex = 0;
  }

  /**
   * Waits for `promise`, or without one for a wake-up; in both cases at most the poll
   * interval (a store that cannot subscribe still has its feed read), and never past the end.
   */
  async #wait(promise: Promise<void> | undefined): Promise<void> {
    if (this.#ended || (promise === undefined && this.#woken)) return;
    const { clock } = this.#context;
    let timer: ClockTimer | undefined;
    await new Promise<void>((resolve) => {
      // A wake-up ends a wait for a wake-up; the end ends every wait.
      this.#resume = promise === undefined ? resolve : undefined;
      this.#stopWaiting = resolve;
      timer = clock.setTimer(() => {
        this.#woken = true;
        resolve();
      }, this.#pollIntervalMs, 'housekeeping');
      promise?.then(resolve);
    });
    this.#stopWaiting = undefined;
    this.#resume = undefined;
    if (timer !== undefined) clock.clearTimer(timer);
  }

  #wake(): void {
    this.#woken = true;
    this.#resume?.();
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#buffer = [];
    this.#registration.stop();
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#stopWaiting?.();
  }
}
