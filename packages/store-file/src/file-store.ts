/**
 * The file store: the engine's state in memory, kept durable by an append-only log.
 *
 * Every store call runs synchronously against the engine, and a call that changed
 * something appends one log record (the operation with all its inputs) in the same
 * synchronous step — so the log holds changes in exactly the order they were applied.
 * The call then resolves when the log is durable up to that record (group commit: see
 * log-writer.ts). Reads wait the same way for the records they could see, so nothing a
 * call ever returned can be taken back by a crash.
 *
 * Leases (claims and renewals) are logged too, but their calls do not wait for their own
 * record: a lease lost in a crash only makes a delivery claimable sooner. On open every
 * lease is dropped (a `restart` record marks the point for later replays), so a token
 * from before a restart can never complete or renew a delivery after it.
 */
import { defineStore, isHeraldError, listedWrite, messageOfThrown, newId } from '@herald/core/store';
import type { HeraldError, NotificationStore, StoreCapabilities, StoredNotification, SyncPlan } from '@herald/core/store';
import { resolve } from 'node:path';
import { compact } from './compaction.js';
import { releaseAllLeases } from '@herald/store-memory/engine';
import type { DeletionSyncListing, MemoryState } from '@herald/store-memory/engine';
import { storeError } from './errors.js';
import { afterFailedCompaction, environmentError } from './environment-error.js';
import { watchDirectoryIdentity } from './directory-identity.js';
import type { DirectoryIdentity } from './directory-identity.js';
import { acquireLock } from './lock.js';
import type { DirectoryLock } from './lock.js';
import { loggedSyncs } from './log-operation.js';
import type { LogOperation } from './log-operation.js';
import { frameRecord } from './log-record.js';
import { LogWriter } from './log-writer.js';
import { checkFileStoreOptions } from './options.js';
import type { FileStoreOptions, FileStoreWarning } from './options.js';
import { prepareDirectory, recoverStore } from './recovery.js';
import type { RecoveredStore } from './recovery.js';
import { SnapshotAborted } from './snapshot.js';

/** A warning's fields for a log record: its code, and the file and offset when it has them. */
function warningFields(warning: FileStoreWarning): Record<string, unknown> {
  const fields: Record<string, unknown> = { code: warning.code };
  if (warning.file !== undefined) fields['file'] = warning.file;
  if (warning.offset !== undefined) fields['offset'] = warning.offset;
  return fields;
}

/** The file store's name, as `store.name` reports it. */
export const NAME = 'file';

/** Durable, but one process at a time (the lock), and no cross-process wake-ups. */
const capabilities: StoreCapabilities = Object.freeze({ durable: true, shared: false, wakeups: false, feedWakeups: false, sync: true, transactions: false });

/**
 * A file store: a `NotificationStore` with a few file-specific extras. It is
 * `AsyncDisposable`: `await using store = await createFileStore(…)` closes it (and
 * releases the directory's lock) when the block ends.
 */
export interface FileStore extends NotificationStore, AsyncDisposable {
  /** The store's directory, as an absolute path. */
  readonly directory: string;
  /**
   * Writes a snapshot now and deletes the log segments it covers (compaction also runs
   * by itself once the log passes `compactAfterBytes`). Resolves when the snapshot is on disk.
   * @throws HeraldError `STORE_UNAVAILABLE` when the file system fails it (the message names
   * the system call; a failed new log segment also stops the store), `STORE_LOCKED` when
   * the store lost its lock, `STORE_CLOSED` after `close()`.
   */
  compact(): Promise<void>;
}

/**
 * Opens (or creates) the file store in `options.directory`: takes the directory's lock,
 * reads the snapshot and replays the log, cutting off a torn tail with a warning.
 * @throws TypeError when an option is invalid.
 * @throws HeraldError `STORE_LOCKED` when another process has the directory open (or
 * its lock was removed while that process runs), `STORE_CORRUPT` when a file is damaged
 * or not Herald's, `STORE_VERSION_MISMATCH` when it was written by a newer format,
 * `STORE_INACCESSIBLE` when the path cannot be used as it is (permission denied,
 * read-only file system, a file in the way, a name too long), `STORE_UNAVAILABLE` when
 * the environment fails otherwise (disk full, I/O error, too many open files). Later
 * calls reject with `STORE_UNAVAILABLE` after a failed write, `STORE_LOCKED` after the
 * lock was lost, `STORE_CLOSED` after `close()`.
 */
export async function createFileStore(options: FileStoreOptions): Promise<FileStore> {
  const settings = checkFileStoreOptions(options);
  const directory = resolve(settings.directory);
  const log = settings.logger?.child({ component: 'store-file', directory });
  const warn = (warning: FileStoreWarning): void => {
    // A throwing listener or logger must not break the store, nor keep the other from hearing it.
    try {
      settings.onWarning?.(warning);
    } catch {}
    try {
      log?.warn(warningFields(warning), warning.message);
    } catch {}
  };
  let failure: HeraldError | undefined;
  const fail = (error: HeraldError): void => {
    if (failure !== undefined) return;
    failure = error;
    try {
      log?.error({ code: error.code, err: error }, `[herald] [store-file] the store in ${directory} stopped: ${error.message}`);
    } catch {
      // As above: the store's own failure is reported to its calls whatever the logger does.
    }
  };

  let lock: DirectoryLock;
  let identity: DirectoryIdentity;
  let recovered: RecoveredStore;
  try {
    await prepareDirectory(directory);
    lock = await acquireLock({ directory, staleLockMs: settings.staleLockMs, onWarning: warn, onLost: (error) => fail(error as HeraldError) });
  } catch (error) {
    throw environmentError(error, directory, 'open');
  }
  try {
    // The directory as locked: from now on, what the writer writes must stay its files.
    identity = watchDirectoryIdentity(directory, (error) => fail(error as HeraldError));
  } catch (error) {
    await lock.release().catch(() => undefined);
    throw environmentError(error, directory, 'open');
  }
  try {
    recovered = await recoverStore(directory, warn);
  } catch (error) {
    // The open failed: its own error is the one to report, not a failure to clean up after it.
    await lock.release().catch(() => undefined);
    throw environmentError(error, directory, 'open');
  }

  const { state } = recovered;
  const writer = new LogWriter({
    segment: recovered.segment,
    size: recovered.segment.size,
    fsync: settings.fsync,
    fsyncIntervalMs: settings.fsyncIntervalMs,
    // The directory first: when it was moved or replaced, that is what to report, not the
    // lock records missing from the new one.
    verify: (segment) => {
      identity.verifySegment(segment);
      lock.verify();
    },
    onFailure: (error) => {
      const mapped = environmentError(error, directory, 'write');
      fail(isHeraldError(mapped) ? mapped : storeError('STORE_UNAVAILABLE', `writing the log in ${directory} failed (${messageOfThrown(error)}); nothing after it was acknowledged. Close the store and open it again`, { cause: error }));
    },
  });
  // Leases from before the restart: nobody holds them any more.
  if (releaseAllLeases(state) > 0) writer.append(frameRecord(JSON.stringify({ op: 'restart' } satisfies LogOperation)));

  const abort = { aborted: false };
  let compaction: Promise<void> | undefined;

  const startCompaction = (): Promise<void> => {
    const verify = (): void => {
      identity.verifyDirectory();
      lock.verify();
    };
    const done = compact({ directory, state, writer, abort, verify }).then(
      () => undefined,
      (error: unknown) => {
        if (error instanceof SnapshotAborted) return;
        const mapped = environmentError(error, directory, 'compaction');
        const said = messageOfThrown(mapped).replace(/^\[herald\] \[store-file\] /, '');
        // A failure of the environment already names the directory and what it leaves.
        const line = mapped === error ? `compaction of ${directory} failed: ${said}; ${afterFailedCompaction}` : said;
        warn({ code: 'COMPACTION_FAILED', message: `[herald] [store-file] ${line}` });
        throw mapped;
      },
    );
    compaction = done.catch(() => undefined).finally(() => {
      compaction = undefined;
    });
    return done;
  };

  /** The engine, or the error every call gets once the store has failed (the kit refuses calls once closed). */
  const live = (): MemoryState => {
    if (failure !== undefined) throw failure;
    return state;
  };

  /** Resolves with `result` once the log is durable up to `ticket`. */
  const settle = <T>(ticket: number, result: T): T | Promise<T> => {
    const wait = writer.whenDurable(ticket);
    if (wait === undefined) return result;
    return wait.then(
      () => result,
      (error: unknown) => {
        throw failure ?? error;
      },
    );
  };

  /** Appends `operation`'s record (if any), compacts when the log is long, and settles. */
  const logged = <T>(result: T, operation: LogOperation | undefined, waitForOwnRecord = true): T | Promise<T> => {
    const before = writer.appended;
    if (operation !== undefined) writer.append(frameRecord(JSON.stringify(operation)));
    if (compaction === undefined && writer.bytesSinceRotation >= settings.compactAfterBytes) startCompaction().catch(() => undefined);
    return settle(waitForOwnRecord ? writer.appended : before, result);
  };

  /** Settles a read: it waits for every record it could have seen. */
  const read = <T>(result: T): T | Promise<T> => settle(writer.appended, result);

  return defineStore({
    name: NAME,
    capabilities,
    closedMessage: `[herald] [store-file] the file store in ${directory} is closed`,
    directory,

    async saveNotification(planned) {
      const engine = live();
      // The log holds the deliveries as listed, so a replay makes the same ones.
      const { userId } = planned.notification;
      const write = listedWrite(planned, { subscriptions: engine.listSubscriptions(userId), preferences: engine.getPreferences(userId) });
      // Encoded before it is applied: an input that cannot be logged changes nothing.
      const frame = frameRecord(JSON.stringify({ op: 'save', write } satisfies LogOperation));
      const result = engine.saveNotification(write);
      if (result.replay !== undefined) return read(result);
      writer.append(frame);
      return logged(result, undefined);
    },
    async getNotification(userId, notificationId, now) {
      return read(live().getNotification(userId, notificationId, now));
    },
    async listFeed(userId, query, now) {
      return read(live().listFeed(userId, query, now));
    },
    async countUnread(userId, filter, now) {
      return read(live().countUnread(userId, filter, now));
    },
    async updateNotificationState(userId, notificationId, patch, now, plan) {
      const engine = live();
      const before = engine.getNotification(userId, notificationId, now);
      const syncs = plan === undefined ? undefined : (notification: StoredNotification) => plan(engine.listSubscriptions(userId), notification);
      const change = engine.changeState(userId, notificationId, patch, now, syncs);
      const after = change?.notification;
      if (change === undefined || after === before) return logged(after, undefined);
      // The syncs as listed, so a replay makes the same ones; a log from before syncs has none.
      const operation: LogOperation = change.syncs.length === 0
        ? { op: 'state', userId, notificationId, patch: { ...patch }, now }
        : { op: 'state', userId, notificationId, patch: { ...patch }, now, syncs: change.syncs };
      return logged(after, operation);
    },
    async deleteNotification(userId, notificationId, now, plan) {
      const engine = live();
      const deletion = engine.deletion(userId, { notificationId }, now, deletionSyncs(engine, userId, plan));
      const syncs = loggedSyncs(deletion);
      const operation: LogOperation = syncs === undefined ? { op: 'delete', userId, notificationId, now } : { op: 'delete', userId, notificationId, now, syncs };
      return logged(deletion.length > 0, deletion.length > 0 ? operation : undefined);
    },
    async deleteGroup(userId, groupName, targetHostName, now, plan) {
      const engine = live();
      const deletion = engine.deletion(userId, { groupName, targetHostName }, now, deletionSyncs(engine, userId, plan));
      const syncs = loggedSyncs(deletion);
      const operation: LogOperation = {
        op: 'deleteGroup',
        userId,
        groupName,
        ...(targetHostName === undefined ? {} : { targetHostName }),
        now,
        ...(syncs === undefined ? {} : { syncs }),
      };
      return logged(deletion.length, deletion.length > 0 ? operation : undefined);
    },
    async listChanges(userId, since, limit, now) {
      return read(live().listChanges(userId, since, limit, now));
    },
    async createSubscription(subscription, now) {
      const engine = live();
      const id = newId();
      const frame = frameRecord(JSON.stringify({ op: 'subscribe', id, subscription, now } satisfies LogOperation));
      const created = engine.createSubscription(id, subscription, now);
      writer.append(frame);
      return logged(created, undefined);
    },
    async getSubscription(subscriptionId) {
      return read(live().getSubscription(subscriptionId));
    },
    async listSubscriptions(userId) {
      return read(live().listSubscriptions(userId));
    },
    async updateSubscription(subscriptionId, patch, now) {
      const updated = live().updateSubscription(subscriptionId, patch, now);
      return logged(updated, updated !== undefined ? { op: 'updateSubscription', subscriptionId, patch: { ...patch }, now } : undefined);
    },
    async deleteSubscription(subscriptionId, now) {
      const deleted = live().deleteSubscription(subscriptionId, now);
      return logged(deleted, deleted ? { op: 'unsubscribe', subscriptionId, now } : undefined);
    },
    async getPreferences(userId) {
      return read(live().getPreferences(userId));
    },
    async setPreferences(userId, preferences, now) {
      const engine = live();
      // Encoded before it is applied: preferences that cannot be logged change nothing.
      const frame = frameRecord(JSON.stringify({ op: 'preferences', userId, preferences, now } satisfies LogOperation));
      engine.setPreferences(userId, preferences);
      writer.append(frame);
      return logged(undefined, undefined);
    },
    async getDeliveryDecisions(userId, notificationId) {
      return read(live().getDeliveryDecisions(userId, notificationId));
    },
    async listDeliveries(userId, notificationId) {
      return read(live().listDeliveries(userId, notificationId));
    },
    async getDelivery(userId, deliveryId) {
      return read(live().getDelivery(userId, deliveryId));
    },
    async listDeadDeliveries(limit, after) {
      return read(live().listDeadDeliveries(limit, after));
    },
    async retryDelivery(userId, deliveryId, now) {
      const engine = live();
      const wasDead = engine.getDelivery(userId, deliveryId)?.status === 'dead';
      const delivery = engine.retryDelivery(userId, deliveryId, now);
      return logged(delivery, wasDead ? { op: 'retry', userId, deliveryId, now } : undefined);
    },
    async cancelDeliveries(userId, notificationId, reason, now) {
      const count = live().cancelDeliveries(userId, notificationId, reason, now);
      return logged(count, count > 0 ? { op: 'cancel', userId, notificationId, reason, now } : undefined);
    },
    async claimDeliveries(request, leaseTokens) {
      const engine = live();
      const claims = engine.claimDeliveries(request, leaseTokens);
      const operation: LogOperation | undefined =
        claims.length === 0
          ? undefined
          : {
              op: 'claim',
              owner: request.owner,
              now: request.now,
              leaseMs: request.leaseMs,
              claims: claims.map(({ delivery }) => [delivery.userId, delivery.id, delivery.lease.token] as const),
            };
      // A claim need not be durable itself, but what it hands out must be.
      return logged(claims, operation, false);
    },
    async renewLease(ref, now, leaseMs) {
      const renewed = live().renewLease(ref, now, leaseMs);
      return logged(renewed, renewed ? { op: 'renew', ref: { userId: ref.userId, deliveryId: ref.deliveryId, token: ref.token }, now, leaseMs } : undefined, false);
    },
    async completeDelivery(ref, outcome, now) {
      const completed = live().completeDelivery(ref, outcome, now);
      return logged(completed, completed ? { op: 'complete', ref: { userId: ref.userId, deliveryId: ref.deliveryId, token: ref.token }, outcome, now } : undefined);
    },
    async nextDueAt() {
      return read(live().nextDueAt());
    },
    async purgeExpired(request) {
      const removed: [string, string][] = [];
      const result = live().purgeExpired(request, (userId, notificationId) => removed.push([userId, notificationId]));
      const { now, tombstonesBefore, limit } = request;
      // Always logged: tombstones and idempotency keys it dropped are not counted in its result.
      return logged(result, { op: 'purge', request: { now, tombstonesBefore, limit }, removed });
    },
    async compact() {
      live();
      if (compaction !== undefined) await compaction;
      await startCompaction();
    },
    async close() {
      abort.aborted = true;
      await compaction;
      let error: unknown;
      try {
        await writer.close();
      } catch (closeError) {
        // A failure already reported to the calls it concerned is not news.
        if (!isHeraldError(failure)) error = environmentError(closeError, directory, 'close');
      }
      try {
        await lock.release();
      } catch (releaseError) {
        error ??= environmentError(releaseError, directory, 'close');
      }
      if (error !== undefined) throw error;
    },
  });
}

/** A deletion's plan bound to the user's subscriptions as the engine holds them at the write. */
function deletionSyncs(engine: MemoryState, userId: string, plan: SyncPlan | undefined): DeletionSyncListing | undefined {
  return plan === undefined ? undefined : (notification) => plan(engine.listSubscriptions(userId), notification);
}
