/**
 * `createPostgresStore`: Herald's store in the app's PostgreSQL, built on the store kit
 * (`defineStore` owns the closed guard, lease tokens and the write's plan). Each method is
 * one transaction (or one statement) of the module of its concern.
 */
import pg from 'pg';
import type { Client, Pool } from 'pg';
import { defineStore, newId, processWarningLogger, type Logger, type NotificationStore } from '@herald/core/store';
import { Announcer } from './announcer.js';
import * as claims from './claims.js';
import { Database } from './database.js';
import * as deliveries from './deliveries.js';
import * as preferences from './preferences.js';
import { deleteNotifications } from './deletion.js';
import { errorSource } from './errors.js';
import * as reads from './feed-reads.js';
import { ChannelListener } from './listener.js';
import { checkSchemaVersion, migrateSchema, type MigrationResult } from './migrate.js';
import { NotificationBatches } from './notification-batches.js';
import { saveNotification } from './notification-writes.js';
import { checkPostgresStoreOptions, type CheckedPostgresStoreOptions, type PostgresStoreOptions } from './options.js';
import { purgeExpired } from './purge.js';
import { RecipientCache } from './recipients.js';
import { updateNotificationState } from './state-change.js';
import { countUnread } from './unread-counts.js';
import * as subscriptions from './subscriptions.js';

/** What the PostgreSQL store adds to the `NotificationStore` interface. */
export interface PostgresStoreExtras {
  /** The schema that holds its tables. */
  readonly schema: string;
}

/** A Herald store in PostgreSQL: a `NotificationStore`, `AsyncDisposable`, with its schema. */
export type PostgresStore = NotificationStore & AsyncDisposable & PostgresStoreExtras;

/** The pool to use and the client for LISTEN, made from the checked options. */
interface Connections {
  readonly pool: Pool;
  readonly ownsPool: boolean;
  readonly newClient: () => Client;
}

function connections(options: CheckedPostgresStoreOptions, log: Logger): Connections {
  if (options.pool !== undefined) {
    const { pool } = options;
    return { pool, ownsPool: false, newClient: () => new pg.Client(pool.options) };
  }
  const config = {
    connectionString: options.connectionString,
    connectionTimeoutMillis: options.connectTimeoutMs,
    statement_timeout: options.statementTimeoutMs,
    keepAlive: true,
    application_name: 'herald',
  };
  // Its own connections pipeline: a transaction's independent statements share a round trip.
  const pool = new pg.Pool({ ...config, max: options.maxConnections, pipeline: true });
  // An idle connection that fails is dropped by the pool; without a listener it would crash the process.
  pool.on('error', (error) => {
    // pg-pool hangs the whole client on the error (its user, host, database and state): not for a log.
    delete (error as Error & { client?: unknown }).client;
    log.error({ err: error }, 'an idle PostgreSQL connection failed; the pool drops it');
  });
  return { pool, ownsPool: true, newClient: () => new pg.Client(config) };
}

function implementation(db: Database, listener: ChannelListener, instance: string, close: () => Promise<void>) {
  const announcer = new Announcer(db, instance);
  const recipients = new RecipientCache(db);
  // A send in the app's transaction is written on the app's client, alone; the others are batched.
  const alone = (write: Parameters<typeof saveNotification>[1]) => saveNotification(db, write, instance);
  const batches = new NotificationBatches(db, instance, recipients, alone);
  return {
    name: 'postgres',
    capabilities: { durable: true, shared: true, wakeups: true, feedWakeups: true, sync: true, transactions: true },
    closedMessage: `[herald] [${errorSource}] the postgres store is closed`,
    schema: db.names.schema,
    saveNotification: (write: Parameters<typeof saveNotification>[1]) => (write.transaction === undefined ? batches.save(write) : alone(write)),
    getNotification: (userId: string, id: string, now: number) => reads.getNotification(db, userId, id, now),
    listFeed: (userId: string, query: Parameters<typeof reads.listFeed>[2], now: number) => reads.listFeed(db, userId, query, now),
    countUnread: (userId: string, filter: Parameters<typeof countUnread>[2], now: number) => countUnread(db, userId, filter, now),
    updateNotificationState: (userId: string, id: string, patch: Parameters<typeof updateNotificationState>[4], now: number, syncs?: Parameters<typeof updateNotificationState>[6]) =>
      updateNotificationState(db, instance, userId, id, patch, now, syncs),
    deleteNotification: async (userId: string, notificationId: string, now: number, syncs?: Parameters<typeof deleteNotifications>[5]) =>
      (await deleteNotifications(db, instance, userId, { notificationId }, now, syncs)) > 0,
    deleteGroup: (userId: string, groupName: string, targetHostName: string | undefined, now: number, syncs?: Parameters<typeof deleteNotifications>[5]) =>
      deleteNotifications(db, instance, userId, { groupName, targetHostName }, now, syncs),
    listChanges: (userId: string, since: number, limit: number, now: number) => reads.listChanges(db, userId, since, limit, now),
    createSubscription: async (subscription: Parameters<typeof subscriptions.createSubscription>[1], now: number) => {
      const created = await subscriptions.createSubscription(db, subscription, now);
      recipients.forget(subscription.userId);
      return created;
    },
    getSubscription: (id: string) => subscriptions.getSubscription(db, id),
    listSubscriptions: (userId: string) => subscriptions.listSubscriptions(db, userId),
    updateSubscription: (id: string, patch: Parameters<typeof subscriptions.updateSubscription>[2], now: number) => subscriptions.updateSubscription(db, id, patch, now),
    deleteSubscription: (id: string, now: number) => subscriptions.deleteSubscription(db, id, now),
    getPreferences: (userId: string) => preferences.getPreferences(db, userId),
    setPreferences: async (userId: string, given: Parameters<typeof preferences.setPreferences>[2]) => {
      await preferences.setPreferences(db, userId, given);
      recipients.forget(userId);
    },
    getDeliveryDecisions: (userId: string, notificationId: string) => preferences.getDeliveryDecisions(db, userId, notificationId),
    listDeliveries: (userId: string, notificationId: string) => deliveries.listDeliveries(db, userId, notificationId),
    getDelivery: (userId: string, deliveryId: string) => deliveries.getDelivery(db, userId, deliveryId),
    listDeadDeliveries: (limit: number, after: string | undefined) => deliveries.listDeadDeliveries(db, limit, after),
    retryDelivery: (userId: string, deliveryId: string, now: number) => deliveries.retryDelivery(db, instance, userId, deliveryId, now),
    cancelDeliveries: (userId: string, notificationId: string, reason: string, now: number) => deliveries.cancelDeliveries(db, userId, notificationId, reason, now),
    claimDeliveries: (request: Parameters<typeof claims.claimDeliveries>[1], tokens: Parameters<typeof claims.claimDeliveries>[2]) => claims.claimDeliveries(db, request, tokens),
    renewLease: (ref: Parameters<typeof claims.renewLease>[1], now: number, leaseMs: number) => claims.renewLease(db, ref, now, leaseMs),
    completeDelivery: (ref: Parameters<typeof claims.completeDelivery>[1], outcome: Parameters<typeof claims.completeDelivery>[2], now: number) =>
      claims.completeDelivery(db, ref, outcome, now),
    nextDueAt: () => claims.nextDueAt(db),
    purgeExpired: (request: Parameters<typeof purgeExpired>[1]) => purgeExpired(db, request),
    onWake: (listen: () => void) => listener.onWake(listen),
    wake: () => announcer.wake(),
    onFeedChange: (listen: Parameters<ChannelListener['onFeedChange']>[0]) => listener.onFeedChange(listen),
    feedChanged: (userIds: readonly string[] | undefined) => announcer.feedChanged(userIds),
    close,
  };
}

/**
 * Checks the options at once (a bad one throws before any promise), opens the pool (or
 * takes the app's); `work` runs with them, and a failure ends the pool it opened.
 */
function opened<T>(options: unknown, work: (db: Database, checked: CheckedPostgresStoreOptions, connected: Connections, log: Logger) => Promise<T>): Promise<T> {
  const checked = checkPostgresStoreOptions(options);
  const log = (checked.logger ?? processWarningLogger(`[herald] [${errorSource}]`)).child({ component: errorSource, schema: checked.names.schema });
  const connected = connections(checked, log);
  const db = new Database(connected.pool, checked.names, checked);
  return work(db, checked, connected, log).catch(async (error: unknown) => {
    if (connected.ownsPool) await connected.pool.end().catch(() => undefined);
    throw error;
  });
}

/**
 * Opens Herald's store in PostgreSQL: checks the options, migrates the schema (with
 * `migrate: true`) or checks its version, and resolves with the store. Its capabilities:
 * `{ durable, shared, wakeups, feedWakeups, sync, transactions }`, all true.
 * @throws TypeError (`INVALID_OPTION`) naming a bad or unknown option, at once (thrown, not a rejection).
 * @throws HeraldError `STORE_VERSION_MISMATCH` when the schema is at another version (the
 * message names the migrations to run, or says the database is newer than the package);
 * `STORE_UNAVAILABLE` when PostgreSQL cannot be reached within `connectTimeoutMs` (ms, default
 * 5000) or does not answer within `statementTimeoutMs` (ms, default 10000);
 * `STORE_INACCESSIBLE` when it refuses the database, the role or a privilege the store needs.
 */
export function createPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  return opened(options, async (db, checked, connected, log) => {
    if (checked.migrate) await migrateSchema(db);
    else await checkSchemaVersion(db);
    const instance = newId();
    const listener = new ChannelListener(connected.newClient, checked.names.channel, instance, log);
    const close = async (): Promise<void> => {
      await listener.close();
      if (connected.ownsPool) await connected.pool.end();
    };
    return defineStore(implementation(db, listener, instance, close));
  });
}

/**
 * Applies the package's migrations to the schema of `options` (the store's options; `migrate`
 * is ignored) and closes what it opened: for a deploy step, before the instances start.
 * Idempotent, and safe while other instances migrate at once (an advisory lock).
 * @returns the migrations it applied, oldest first (`['1 (initial)', '2 (preferences)', '3 (recipient-version)', '4 (version-triggers)']`
 * on an empty schema, `[]` when it was current), and the schema's version.
 * @throws TypeError (`INVALID_OPTION`) naming a bad or unknown option, at once.
 * @throws HeraldError `STORE_VERSION_MISMATCH` when the schema is newer than the package;
 * `STORE_UNAVAILABLE` when PostgreSQL cannot be reached within `connectTimeoutMs` or does
 * not answer within `statementTimeoutMs`;
 * `STORE_INACCESSIBLE` when PostgreSQL refuses the database, the role or a privilege migrating needs.
 */
export function migratePostgresStore(options: PostgresStoreOptions): Promise<MigrationResult> {
  return opened(options, async (db, _checked, connected) => {
    const result = await migrateSchema(db);
    if (connected.ownsPool) await connected.pool.end();
    return result;
  });
}
