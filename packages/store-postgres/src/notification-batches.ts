/**
 * Group commit of sends on the store's own pool, as the Redis store batches its scripts:
 * sends that arrive while batches are in flight (or in the same event-loop turn) wait
 * together and go out as one transaction of one round trip (batch-statement.ts), which
 * answers each send on its own. So PostgreSQL parses, plans, locks and commits once for
 * many sends, and the busier the store, the bigger the batches; a lone send waits for
 * nothing but the end of the current turn.
 *
 * A send is planned from its user's recipient as this instance last read it
 * (recipients.ts), checked by version under the user's lock: a stale plan is made again
 * from a fresh read. What a batch does not do — an update of an existing notification, a
 * user without a row, a plan that stays stale — goes to the one-send path
 * (notification-writes.ts), which reads everything under the lock. A batch that fails
 * for another reason than an unreachable server is not any one send's failure: each of
 * its sends runs again on its own, so one send's fault never fails or half-applies another.
 */
import { createdDeliveryRecords, expiryOf, listedWrite, pickContent } from '@herald/core/store';
import type { PlannedNotificationWrite, SaveResult } from '@herald/core/store';
import { batchOutcomes, batchStatements, type BatchedSend, type BatchOutcome } from './batch-statement.js';
import type { Database } from './database.js';
import { isUnavailable } from './errors.js';
import { checkRepeatedIds } from './notification-writes.js';
import type { RecipientCache } from './recipients.js';
import { notificationRecord, type NotificationState } from './rows.js';

/** Most sends in one batch: its statement's arrays stay small, and a batch holds its users' locks briefly. */
const maxBatch = 64;

/**
 * Batches in flight at once, each on a connection of its own: enough to keep the server's
 * cores busy while Node prepares the next, few enough that sends wait to join a batch.
 */
const maxInFlight = 4;

/** Most plans of one send before it goes to the one-send path: each new one follows a change of the user's subscriptions or preferences. */
const maxPlans = 2;

/** The state of a notification `write` creates, at `sequence`. */
function createdState(write: PlannedNotificationWrite, sequence: number): NotificationState {
  const { id, userId } = write.notification;
  return { id, userId, createdAt: write.now, modifiedAt: write.now, readState: 'unread', userActionState: 'noInteraction', sequence };
}

interface Waiting {
  readonly send: BatchedSend;
  readonly resolve: (outcome: BatchOutcome | 'alone') => void;
  readonly reject: (error: unknown) => void;
}

/** One store instance's batches of sends. */
export class NotificationBatches {
  readonly #db: Database;
  readonly #instance: string;
  readonly #recipients: RecipientCache;
  /** The one-send path: the write in a transaction of its own, read under the lock. */
  readonly #alone: (write: PlannedNotificationWrite) => Promise<SaveResult>;
  #waiting: Waiting[] = [];
  #inFlight = 0;
  #scheduled = false;

  constructor(db: Database, instance: string, recipients: RecipientCache, alone: (write: PlannedNotificationWrite) => Promise<SaveResult>) {
    this.#db = db;
    this.#instance = instance;
    this.#recipients = recipients;
    this.#alone = alone;
  }

  /** See `NotificationStore.saveNotification`, for a write outside the app's transaction. */
  async save(write: PlannedNotificationWrite): Promise<SaveResult> {
    const { userId } = write.notification;
    const content = pickContent(write.notification);
    const expiresAt = expiryOf(content);
    let recipient = await this.#recipients.get(userId);
    for (let plans = 1; recipient !== undefined && plans <= maxPlans; plans++) {
      const listed = listedWrite(write, recipient);
      checkRepeatedIds(listed.deliveries);
      const record = notificationRecord(content, createdState(write, 0));
      const outcome = await this.#submit({ write: listed, content, version: recipient.version, expiresAt, record });
      if (outcome === 'alone') break;
      switch (outcome.kind) {
        case 'saved':
          return { notification: notificationRecord(content, createdState(write, outcome.sequence)), created: true, deliveries: createdDeliveryRecords(listed, write.notification.id) };
        case 'replay':
          return { notification: outcome.notification, created: outcome.created, deliveries: [], replay: { fingerprint: outcome.fingerprint } };
        case 'stale':
          recipient = await this.#recipients.get(userId, true);
          continue;
        default:
          // `missing`, `busy` or `exists`: the one-send path makes the user's row, waits for its lock, or updates.
          break;
      }
      break;
    }
    return this.#alone(write);
  }

  /** Queues `send` for the next batch; resolves with its outcome, or `'alone'` when it must be written on its own. */
  #submit(send: BatchedSend): Promise<BatchOutcome | 'alone'> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ send, resolve, reject });
      this.#schedule();
    });
  }

  /** Flushes at the end of this turn, so the sends that the same turn makes join the batch. */
  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    process.nextTick(() => {
      this.#scheduled = false;
      while (this.#inFlight < maxInFlight && this.#waiting.length > 0) this.#flush(this.#take());
    });
  }

  /** The next batch: up to {@link maxBatch} sends, one per user (a user's next send waits for a later batch, in order). */
  #take(): Waiting[] {
    const batch: Waiting[] = [];
    const users = new Set<string>();
    const left: Waiting[] = [];
    for (const waiting of this.#waiting) {
      const { userId } = waiting.send.write.notification;
      if (batch.length < maxBatch && !users.has(userId)) {
        users.add(userId);
        batch.push(waiting);
      } else left.push(waiting);
    }
    this.#waiting = left;
    return batch;
  }

  #flush(batch: readonly Waiting[]): void {
    this.#inFlight += 1;
    const sends = batch.map(({ send }) => send);
    this.#db
      .pipelined('saveNotification', batchStatements(this.#db.names, sends, this.#instance))
      .then(
        (results) => {
          const outcomes = batchOutcomes(results[1] ?? []);
          batch.forEach((waiting, index) => {
            const outcome = outcomes[index];
            if (outcome === undefined) waiting.resolve('alone');
            else waiting.resolve(outcome);
          });
        },
        (error: unknown) => {
          // An unreachable server fails every send alike; anything else may be one send's
          // fault, which its own write on the one-send path reports.
          if (isUnavailable(error)) for (const waiting of batch) waiting.reject(error);
          else for (const waiting of batch) waiting.resolve('alone');
        },
      )
      .finally(() => {
        this.#inFlight -= 1;
        if (this.#waiting.length > 0) this.#schedule();
      });
  }
}
