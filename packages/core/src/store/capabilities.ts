/**
 * What a store can do beyond the interface, declared rather than guessed (as Keyv's
 * adapters declare theirs): the service, the kit and the conformance suite read these.
 */

/** The capabilities every store declares, each `true` or `false`. */
export const storeCapabilityNames = ['durable', 'shared', 'wakeups', 'feedWakeups', 'sync', 'transactions'] as const;

/**
 * - `durable`: data survives the process (a file or a server holds it).
 * - `shared`: several processes may use the store at once (and share its deliveries).
 * - `wakeups`: the store implements `onWake`, so one process's send wakes the others.
 * - `feedWakeups`: it implements `onFeedChange` and `feedChanged`: one process's feed change wakes the others' `feed.watch`.
 * - `sync`: it writes a state change or a deletion with its `SyncPlan`'s sync deliveries in one step (a deletion's kept beside its tombstone); without it, none are made (docs/sync.md).
 * - `transactions`: `saveNotification` writes in the caller's open transaction when the write carries one ({@link StoreTransaction}); without it, the service refuses a send with `transaction` (`TRANSACTION_UNSUPPORTED`).
 */
export type StoreCapabilities = { readonly [K in (typeof storeCapabilityNames)[number]]: boolean };

/**
 * The app's open transaction, in its store's own terms, for a send to join
 * (`SendOptions.transaction`, passed on as `NotificationWrite.transaction`): for
 * `@herald/store-postgres`, a client of the app's pool on which the app ran `BEGIN`.
 * The store writes the notification and its deliveries in it and never commits or rolls
 * it back: they commit or roll back with the app's own change (the outbox pattern). A
 * store with `transactions` sends its wake-ups (`onWake`, `onFeedChange`) so that they
 * arrive only on commit — nothing is delivered or announced before the app commits, and
 * nothing at all after a rollback.
 */
export type StoreTransaction = object;
