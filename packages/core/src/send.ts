/**
 * Sending: validate the request, apply the policies, and store the notification with one
 * delivery per matching endpoint of the user in one atomic store call, which matches the
 * endpoints as they stand at the write.
 */
import { checkId, checkOptions, checkText, checkTime } from './arguments.js';
import { expiryOf, parseDateTime } from './contract/date-time.js';
import type { NotificationContent, NotificationRequest } from './contract/types.js';
import { validateNotification } from './contract/validate.js';
import type { ServiceContext } from './context.js';
import { reachesEndpoint } from './endpoint-match.js';
import { HeraldError } from './errors.js';
import { describeValue } from './option-checks.js';
import { fingerprintOf } from './idempotency.js';
import { newId } from './ids.js';
import type { Caller } from './policies.js';
import type { DeliveryRecord, StoredNotification, StoredSubscription } from './records.js';
import type { IdempotencyRecord, NewDelivery, StoreTransaction } from './store/interface.js';

/** Who a notification goes to: a user, or the user behind a subscription (Graph's `X-UNS-ID`). */
export type SendTarget = { readonly userId: string } | { readonly subscriptionId: string };

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
   * service's defaults, the user, `caller.id` and `sendAt` as an instant), so a repeat
   * made later or written differently still replays, and a different request under the
   * same key is refused with `IDEMPOTENCY_KEY_REUSED`.
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
   * `INVALID_ARGUMENT` when it is not an object.
   * @default none: the store writes in a transaction of its own
   */
  readonly transaction?: StoreTransaction;
}

/** What a send did. */
export interface SendResult {
  /** The stored notification. */
  readonly notification: StoredNotification;
  /** True when created, false when an existing notification with the same `appNotificationId` was updated. */
  readonly created: boolean;
  /** True when this was a repeat of an earlier send with the same idempotency key. */
  readonly replayed: boolean;
  /** The deliveries created, one per matching endpoint (plus scheduled fallbacks). */
  readonly deliveries: readonly DeliveryRecord[];
}

const maxIdempotencyKeyLength = 255;
const sendOptionNames = ['caller', 'sendAt', 'idempotencyKey', 'transaction'] as const satisfies ReadonlyArray<keyof SendOptions>;

function checkTarget(target: unknown): SendTarget {
  const value = checkOptions(target, 'the send target', ['userId', 'subscriptionId']);
  const hasUser = value['userId'] !== undefined;
  const hasSubscription = value['subscriptionId'] !== undefined;
  if (hasUser === hasSubscription) {
    throw new HeraldError('INVALID_ARGUMENT', 'the send target must have either a userId or a subscriptionId');
  }
  return hasUser ? { userId: checkId(value['userId'], 'userId') } : { subscriptionId: checkId(value['subscriptionId'], 'subscriptionId') };
}

function checkCaller(caller: unknown): Caller | undefined {
  if (caller === undefined) return undefined;
  // A caller may carry whatever the app's authenticator knows: only its id is Herald's.
  if (caller === null || typeof caller !== 'object' || Array.isArray(caller)) {
    throw new HeraldError('INVALID_ARGUMENT', 'caller must be an object with an id');
  }
  checkId((caller as Record<string, unknown>)['id'], 'caller.id');
  return caller as Caller;
}

/** The app's transaction, when given: an object, for a store that can write in it. */
function checkTransaction(transaction: unknown, store: ServiceContext['store']): StoreTransaction | undefined {
  if (transaction === undefined) return undefined;
  if (transaction === null || typeof transaction !== 'object') {
    throw new HeraldError('INVALID_ARGUMENT', `transaction must be the app's open transaction (for @herald/store-postgres, a pool client inside BEGIN), not ${describeValue(transaction)}`);
  }
  if (store.capabilities.transactions !== true) {
    throw new HeraldError(
      'TRANSACTION_UNSUPPORTED',
      `the send option transaction was given, but the ${store.name} store cannot write in the app's transaction (capabilities.transactions is false); ` +
        'send after the commit instead, or use a store that can (@herald/store-postgres)',
    );
  }
  return transaction;
}

function deliveriesFor(subscriptions: readonly StoredSubscription[], content: NotificationContent, dueAt: number, now: number): NewDelivery[] {
  const fallback = content.fallbackPolicy?.endpointFallback;
  const deliveries: NewDelivery[] = [];
  for (const subscription of subscriptions) {
    if (!reachesEndpoint(subscription, content, now)) continue;
    const endpoint = { subscriptionId: subscription.id, transport: subscription.transport, platformType: subscription.platformType };
    deliveries.push({ id: newId(), ...endpoint, kind: 'notification', nextAttemptAt: dueAt });
    if (fallback !== undefined && fallback.platformTypes.includes(subscription.platformType)) {
      deliveries.push({ id: newId(), ...endpoint, kind: 'fallback', nextAttemptAt: dueAt + fallback.fallbackDelayInSeconds * 1000 });
    }
  }
  return deliveries;
}

/** The user behind a subscription id (Graph's X-UNS-ID), which must be live and of the same app. */
async function resolveSubscriptionUser(context: ServiceContext, subscriptionId: string, content: NotificationContent, now: number): Promise<string> {
  const subscription = await context.store.getSubscription(subscriptionId);
  if (subscription === undefined) {
    throw new HeraldError('SUBSCRIPTION_NOT_FOUND', 'no subscription has this id (X-UNS-ID); the client must subscribe again');
  }
  if (subscription.status !== 'active' || expiryOf(subscription) <= now) {
    throw new HeraldError('SUBSCRIPTION_INACTIVE', 'this subscription (X-UNS-ID) is inactive or expired; the client must renew it or subscribe again');
  }
  if (subscription.targetHostName !== content.targetHostName) {
    throw new HeraldError(
      'TARGET_MISMATCH',
      `targetHostName ${JSON.stringify(content.targetHostName)} is not the app of this subscription (${JSON.stringify(subscription.targetHostName)})`,
    );
  }
  return subscription.userId;
}

/** Validates, checks policies, and stores a notification with its deliveries. */
export async function send(context: ServiceContext, input: NotificationRequest | unknown, rawTarget: unknown, rawOptions: unknown): Promise<SendResult> {
  context.assertOpen();
  const { store, clock, policies, settings } = context;
  const target = checkTarget(rawTarget);
  const options = checkOptions(rawOptions, 'the send options', sendOptionNames);
  const caller = checkCaller(options['caller']);
  const transaction = checkTransaction(options['transaction'], store);
  const now = clock.now();

  const callerChecked = policies.checkCaller(caller, now);
  if (callerChecked !== undefined) await callerChecked;
  const content = validateNotification(input, { now, defaultExpirationMs: settings.defaultExpirationMs });
  const userId = 'userId' in target ? target.userId : await resolveSubscriptionUser(context, target.subscriptionId, content, now);
  const targetChecked = policies.checkTarget(caller, userId, content.targetHostName, now);
  if (targetChecked !== undefined) await targetChecked;

  let requestedSendAt: number | undefined;
  let sendAt: number | undefined;
  if (options['sendAt'] !== undefined) {
    requestedSendAt = checkTime(options['sendAt'], 'sendAt');
    sendAt = Math.max(now, requestedSendAt);
    if (sendAt >= expiryOf(content)) {
      throw new HeraldError('INVALID_ARGUMENT', 'sendAt must be before the notification expires (expirationDateTime)');
    }
  }
  let idempotency: IdempotencyRecord | undefined;
  if (options['idempotencyKey'] !== undefined) {
    const key = checkText(options['idempotencyKey'], 'idempotencyKey', maxIdempotencyKeyLength);
    // Of what the request means: a repeat made later (a default expiry or a sendAt raised
    // to a later now) or written differently is still the same request.
    const given = (input as NotificationRequest).expirationDateTime;
    const fingerprint = fingerprintOf({ userId, callerId: caller?.id, content, expiresAt: given === undefined ? undefined : parseDateTime(given), sendAt: requestedSendAt });
    idempotency = { key, fingerprint, expiresAt: now + settings.idempotencyKeyTtlMs };
  }

  const write = async (): Promise<SendResult> => {
    const dueAt = sendAt ?? now;
    const result = await store.saveNotification({
      notification: { ...content, id: newId(), userId },
      // Planned by the store against the subscriptions as they stand at the write.
      deliveries: (subscriptions) => deliveriesFor(subscriptions, content, dueAt, now),
      ...(idempotency === undefined ? {} : { idempotency }),
      ...(transaction === undefined ? {} : { transaction }),
      now,
    });
    if (result.replay !== undefined) {
      if (idempotency !== undefined && result.replay.fingerprint !== idempotency.fingerprint) {
        throw new HeraldError('IDEMPOTENCY_KEY_REUSED', 'this idempotency key was already used for a different request; choose a new key');
      }
      return { notification: result.notification, created: result.created, replayed: true, deliveries: [] };
    }
    // Not committed yet: the store's wake-ups, sent by the transaction, start delivery and
    // wake the feed's watchers on commit; waking them now would find nothing and miss it.
    if (transaction !== undefined) return { notification: result.notification, created: result.created, replayed: false, deliveries: result.deliveries };
    context.feedWatchers.changed([userId]);
    context.events.emit(result.created ? 'notification.created' : 'notification.updated', {
      notification: result.notification,
      deliveries: result.deliveries,
    });
    if (result.deliveries.some((delivery) => delivery.nextAttemptAt !== null && delivery.nextAttemptAt <= now)) {
      context.deliveriesDue();
    } else if (result.deliveries.length > 0) {
      context.dispatcher.wake(); // a scheduled delivery may now be the earliest: re-arm the timer
    }
    return { notification: result.notification, created: result.created, replayed: false, deliveries: result.deliveries };
  };

  if (idempotency === undefined) return write();
  // A repeat of a send still under way waits for it, so the store sees them one after the other.
  const pending = context.sendsByIdempotencyKey;
  const slot = `${userId}\u0000${idempotency.key}`;
  const previous = pending.get(slot);
  if (previous !== undefined) await previous.catch(() => undefined);
  const current = write();
  pending.set(slot, current);
  try {
    return await current;
  } finally {
    if (pending.get(slot) === current) pending.delete(slot);
  }
}
