/**
 * Sending: check the request (send-request.ts), and store the notification with one
 * delivery per endpoint its decisions send it to, in one atomic store call, which decides
 * against the user's subscriptions and preferences as they stand at the write.
 */
import type { OptionalContentField } from './contract/fields.js';
import type { NotificationRequest } from './contract/types.js';
import type { ServiceContext } from './context.js';
import { HeraldError } from './errors.js';
import { newId } from './ids.js';
import type { Caller } from './policies.js';
import type { DeliveryRecord, StoredNotification } from './records.js';
import { sendPlan } from './send-plan.js';
import { checkSend, type CheckedSend } from './send-request.js';
import type { NewNotification, NotificationWrite, StoreTransaction } from './store/interface.js';

export type { SendTarget } from './send-request.js';

/** Options of a send. */
export interface SendOptions {
  /** Who is sending, for the blocked list, authorization and per-caller throttling. */
  readonly caller?: Caller;
  /**
   * Deliver at this time instead of now (a `Date`, epoch ms or ISO 8601). The
   * notification is stored at once; `deliveries.cancel` cancels it before it is due.
   */
  readonly sendAt?: Date | number | string;
  /**
   * A key (1–255 characters) that makes the send safe to repeat: a second send with the
   * same key for the same user returns the first result (`replayed: true`) and stores
   * nothing new, for `idempotencyKeyTtlMs`. The key is bound to a fingerprint of what the
   * request means (RFC 8785 canonical JSON of the notification's normal form without the
   * service's defaults, the user, `caller.id`, `sendAt` as an instant and `critical`), so
   * a repeat made later or written differently still replays, and a different request
   * under the same key is refused with `IDEMPOTENCY_KEY_REUSED`.
   */
  readonly idempotencyKey?: string;
  /**
   * The app's open transaction to write the notification and its deliveries in, so they
   * commit or roll back with the app's own change (the outbox pattern): for
   * `@herald/store-postgres`, a client of the app's pool on which the app ran `BEGIN`.
   * Herald never commits or rolls it back. The send resolves once the rows are written in
   * it; delivery, and the feed's watchers, start only when the app commits (the store's
   * wake-up is sent by the transaction), and after a rollback nothing was stored or
   * delivered. The service emits no `notification.created`/`notification.updated` for
   * such a send, since it cannot know whether the app commits.
   * @throws HeraldError `TRANSACTION_UNSUPPORTED` when the store cannot join a transaction
   * (`capabilities.transactions` false: the memory, file and Redis stores);
   * `INVALID_ARGUMENT` when it is not an object, and, from `@herald/store-postgres` before
   * anything is written, when it is a `pg.Pool`, a client outside a transaction (no `BEGIN`),
   * one whose transaction an earlier error aborted, or one connected to another database.
   * @default none: the store writes in a transaction of its own
   */
  readonly transaction?: StoreTransaction;
  /**
   * A critical notification overrides the user's opt-outs and quiet hours (never an
   * inactive, expired, other-app or untargeted endpoint); each decision it changed says
   * so (rule `critical`). Only when the `allowCritical` policy allows it.
   * @default false
   * @throws HeraldError `CRITICAL_NOT_ALLOWED` (403) when the policy does not allow it.
   */
  readonly critical?: boolean;
}

/** What a send did. */
export interface SendResult {
  /** The stored notification. */
  readonly notification: StoredNotification;
  /** True when created, false when an existing notification with the same `appNotificationId` was updated. */
  readonly created: boolean;
  /** True when this was a repeat of an earlier send with the same idempotency key. */
  readonly replayed: boolean;
  /** The deliveries created, one per endpoint the decisions send it to (plus scheduled fallbacks). */
  readonly deliveries: readonly DeliveryRecord[];
}

/** The optional fields `write` copies by name: a field the table adds is a compile error here until it does. */
const copiedOptionalFields = ['targetPolicy', 'priority', 'groupName', 'displayTimeToLive', 'fallbackPolicy'] as const satisfies readonly OptionalContentField[];
const everyOptionalFieldCopied: [Exclude<OptionalContentField, (typeof copiedOptionalFields)[number]>] extends [never] ? true : never = true;
void everyOptionalFieldCopied;

/**
 * Stores a checked send and tells the service's parts of it. One function rather than a
 * closure per send: it runs on every send, and nothing here is worth an allocation.
 */
async function write(context: ServiceContext, checked: CheckedSend): Promise<SendResult> {
  const { userId, content, timing, idempotency, transaction } = checked;
  const { now } = timing;
  // Required fields in a literal, then the optional ones from the field table: a spread of
  // the content plus two keys cost some 2 µs a send (V8 made new hidden classes each time).
  const notification: { -readonly [K in keyof NewNotification]: NewNotification[K] } = {
    targetHostName: content.targetHostName,
    appNotificationId: content.appNotificationId,
    payload: content.payload,
    expirationDateTime: content.expirationDateTime,
    id: newId(),
    userId,
  };
  // By name, in the field table's order (copiedOptionalFields): named loads stay monomorphic.
  const { targetPolicy, priority, groupName, displayTimeToLive, fallbackPolicy } = content;
  if (targetPolicy !== undefined) notification.targetPolicy = targetPolicy;
  if (priority !== undefined) notification.priority = priority;
  if (groupName !== undefined) notification.groupName = groupName;
  if (displayTimeToLive !== undefined) notification.displayTimeToLive = displayTimeToLive;
  if (fallbackPolicy !== undefined) notification.fallbackPolicy = fallbackPolicy;
  // Decided by the store against the subscriptions and preferences as they stand at the write.
  const request: { -readonly [K in keyof NotificationWrite]: NotificationWrite[K] } = { notification, deliveries: sendPlan(content, timing), now };
  if (idempotency !== undefined) request.idempotency = idempotency;
  if (transaction !== undefined) request.transaction = transaction;
  const result = await context.store.saveNotification(request);
  if (result.replay !== undefined) {
    if (idempotency !== undefined && result.replay.fingerprint !== idempotency.fingerprint) {
      throw new HeraldError('IDEMPOTENCY_KEY_REUSED', 'this idempotency key was already used for a different request; choose a new key');
    }
    return { notification: result.notification, created: result.created, replayed: true, deliveries: [] };
  }
  const { deliveries } = result;
  // Not committed yet: the store's wake-ups, sent by the transaction, start delivery and
  // wake the feed's watchers on commit; waking them now would find nothing and miss it.
  if (transaction !== undefined) return { notification: result.notification, created: result.created, replayed: false, deliveries };
  context.feedWatchers.changed([userId]);
  context.events.emit(result.created ? 'notification.created' : 'notification.updated', { notification: result.notification, deliveries });
  let due = false;
  for (let index = 0; index < deliveries.length && !due; index += 1) {
    const at = (deliveries[index] as DeliveryRecord).nextAttemptAt;
    due = at !== null && at <= now;
  }
  if (due) context.deliveriesDue();
  else if (deliveries.length > 0) context.dispatcher.wake(); // a scheduled delivery may now be the earliest: re-arm the timer
  return { notification: result.notification, created: result.created, replayed: false, deliveries };
}

/** Validates, checks policies, and stores a notification with its deliveries. */
export async function send(context: ServiceContext, input: NotificationRequest | unknown, rawTarget: unknown, rawOptions: unknown): Promise<SendResult> {
  context.assertOpen();
  const checked = await checkSend(context, input, rawTarget, rawOptions, [], false);
  const { idempotency } = checked;
  // Awaited rather than returned: an async function that returns a promise takes two more turns.
  if (idempotency === undefined) return await write(context, checked);
  // A repeat of a send still under way waits for it, so the store sees them one after the other.
  const pending = context.sendsByIdempotencyKey;
  const slot = `${checked.userId}\u0000${idempotency.key}`;
  const previous = pending.get(slot);
  if (previous !== undefined) await previous.catch(() => undefined);
  const current = write(context, checked);
  pending.set(slot, current);
  try {
    return await current;
  } finally {
    if (pending.get(slot) === current) pending.delete(slot);
  }
}
