/**
 * This process's live feeds (`feed.watch`), by user, and what wakes them: every write
 * of this service that changes a feed (sends, state changes, deletes, purges) wakes the
 * user's watchers here and, through a store with `feedWakeups`, in the other processes.
 * A wake-up carries nothing: the watcher reads the change feed from its cursor, so
 * wake-ups may be merged, repeated or (rarely, across processes) lost — a watcher's
 * periodic re-read covers the last case.
 */
import type { FeedChangeSubscription, NotificationStore } from './store/interface.js';

/** A watcher's hold on its wake-ups. */
export interface WatcherRegistration {
  /** Resolves when wake-ups from every process reach the watcher (see `FeedChangeSubscription.ready`). */
  readonly ready: Promise<void>;
  /** Stops the wake-ups. Idempotent. */
  stop(): void;
}

/** Something that is woken, and ended when the service closes. */
export interface Watcher {
  wake(): void;
  end(): void;
}

/** The registry of a service's watchers and its announcements to other processes. */
export class FeedWatchers {
  readonly #store: NotificationStore;
  readonly #reportError: (error: unknown) => void;
  readonly #byUser = new Map<string, Set<Watcher>>();
  #count = 0;
  /** The store's announcements, heard while at least one watcher is registered. */
  #remote: FeedChangeSubscription | undefined;
  /** Announcements being sent: closing waits for them, so none meets a closed store. */
  readonly #sending = new Set<Promise<void>>();

  constructor(store: NotificationStore, reportError: (error: unknown) => void) {
    this.#store = store;
    this.#reportError = reportError;
  }

  /** Registers a watcher of `userId`'s feed. */
  register(userId: string, watcher: Watcher): WatcherRegistration {
    // The store first: when it throws (closed, unreachable), nothing is left registered,
    // so the count stays true and the last watcher's end still stops the announcements.
    if (this.#remote === undefined && this.#store.onFeedChange !== undefined) {
      this.#remote = this.#store.onFeedChange((changed) => this.#wakeHere(changed));
    }
    let watchers = this.#byUser.get(userId);
    if (watchers === undefined) this.#byUser.set(userId, (watchers = new Set()));
    watchers.add(watcher);
    this.#count++;
    let stopped = false;
    return {
      ready: this.#remote?.ready ?? Promise.resolve(),
      stop: () => {
        if (stopped) return;
        stopped = true;
        watchers.delete(watcher);
        if (watchers.size === 0 && this.#byUser.get(userId) === watchers) this.#byUser.delete(userId);
        // The last watcher gone: stop hearing the store (for Redis, its subscriber connection stays open).
        if (--this.#count === 0 && this.#remote !== undefined) {
          this.#remote.stop();
          this.#remote = undefined;
        }
      },
    };
  }

  /** A write of this service changed these users' feeds (`undefined`: any user's, as a purge does). */
  changed(userIds: readonly string[] | undefined): void {
    if (userIds === undefined) this.#wakeHere(undefined);
    else for (const userId of userIds) this.#wakeHere(userId);
    if (this.#store.feedChanged === undefined) return;
    const sent: Promise<void> = this.#store
      .feedChanged(userIds)
      .catch((error: unknown) => this.#reportError(error))
      .finally(() => this.#sending.delete(sent));
    this.#sending.add(sent);
  }

  /** How many watchers are registered (for tests and metrics). */
  get size(): number {
    return this.#count;
  }

  /** Ends every watcher and waits for announcements under way. */
  async close(): Promise<void> {
    for (const watchers of [...this.#byUser.values()]) for (const watcher of [...watchers]) watcher.end();
    await Promise.allSettled([...this.#sending]);
  }

  #wakeHere(userId: string | undefined): void {
    const targets = userId === undefined ? [...this.#byUser.values()] : [this.#byUser.get(userId)];
    for (const watchers of targets) if (watchers !== undefined) for (const watcher of watchers) watcher.wake();
  }
}
