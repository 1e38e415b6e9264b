/**
 * Feed announcements across processes: how a store shared by several processes tells
 * each one's live feeds (`feed.watch`) that a user's feed changed elsewhere. They carry
 * no data: a watcher that hears one reads the change feed again, so a lost or repeated
 * announcement costs a read, never a change.
 */

/**
 * Hears feed changes another process announced (`NotificationStore.feedChanged`): a user's
 * id, or `undefined` when any user's feed may have changed (a purge, or a reconnect during
 * which announcements may have been lost). A store instance does not repeat its own
 * announcements to its listeners: its service already woke its own watchers.
 */
export type FeedChangeListener = (userId: string | undefined) => void;

/** A listener's hold on a store's feed announcements (`NotificationStore.onFeedChange`). */
export interface FeedChangeSubscription {
  /**
   * Resolves once announcements made from now on reach the listener (for Redis: the
   * SUBSCRIBE was acknowledged), so a reader that waits for it and then reads the change
   * feed misses nothing. Never rejects; it stays pending while the store cannot subscribe.
   */
  readonly ready: Promise<void>;
  /** Stops the listener. Idempotent. */
  stop(): void;
}
