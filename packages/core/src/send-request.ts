/**
 * A send request checked as a send checks it, in the order of the reference's error
 * table — arguments, the caller (blocked, throttled), the contract, the target, the
 * caller against the user (authorized, throttled), then `critical` and `sendAt` — shared
 * by `send` and its dry run, `explain`, which reports the check that refused instead of
 * throwing and takes no throttling token.
 */
import { checkBoolean, checkId, checkOptions, checkText, checkTime } from './arguments.js';
import { expiryOf, parseDateTime } from './contract/date-time.js';
import type { NotificationContent, NotificationRequest } from './contract/types.js';
import { validateNotification } from './contract/validate.js';
import type { ServiceContext } from './context.js';
import { HeraldError } from './errors.js';
import { fingerprintOf } from './idempotency.js';
import type { Caller } from './policies.js';
import type { DecisionTiming } from './preferences/decide.js';
import type { SendOptions } from './send.js';
import type { StoreTransaction } from './store/capabilities.js';
import type { IdempotencyRecord } from './store/notification-write.js';
import { describeValue } from './option-checks.js';

/** Who a notification goes to: a user, or the user behind a subscription (Graph's `X-UNS-ID`). */
export type SendTarget = { readonly userId: string } | { readonly subscriptionId: string };

/**
 * The checks of a send, in the order it makes them:
 * - `arguments`: the target and the options are well-formed;
 * - `caller`: the caller is not blocked (`CALLER_BLOCKED`) nor over its rate (`THROTTLED`);
 * - `contract`: the notification matches the contract;
 * - `target`: a subscription target (`X-UNS-ID`) is live and of the notification's app;
 * - `authorization`: the caller may send to the user (`CALLER_UNAUTHORIZED`), and the user is not over its rate (`THROTTLED`);
 * - `critical`: a critical send is allowed (`CRITICAL_NOT_ALLOWED`);
 * - `schedule`: `sendAt` is before the notification expires.
 */
export const sendChecks = ['arguments', 'caller', 'contract', 'target', 'authorization', 'critical', 'schedule'] as const;
/** One of {@link sendChecks}. */
export type SendCheck = (typeof sendChecks)[number];

/** A send request that passed every check. */
export interface CheckedSend {
  readonly userId: string;
  readonly caller: Caller | undefined;
  readonly content: NotificationContent;
  readonly timing: DecisionTiming;
  readonly idempotency: IdempotencyRecord | undefined;
  readonly transaction: StoreTransaction | undefined;
}

const maxIdempotencyKeyLength = 255;
const sendOptionNames = ['caller', 'sendAt', 'idempotencyKey', 'transaction', 'critical'] as const satisfies ReadonlyArray<keyof SendOptions>;

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

/**
 * Checks a send request. Each check is pushed onto `progress` as it starts, so a dry run
 * can say which passed and which refused (the last); `dryRun` takes no throttling token.
 * @throws HeraldError from the first check that refuses.
 */
export async function checkSend(
  context: ServiceContext,
  input: unknown,
  rawTarget: unknown,
  rawOptions: unknown,
  progress: SendCheck[],
  dryRun: boolean,
): Promise<CheckedSend> {
  const { clock, policies, settings } = context;
  progress.push('arguments');
  const target = checkTarget(rawTarget);
  const options = checkOptions(rawOptions, 'the send options', sendOptionNames);
  const caller = checkCaller(options['caller']);
  const transaction = checkTransaction(options['transaction'], context.store);
  const critical = checkBoolean(options['critical'], 'critical') ?? false;
  const requestedSendAt = options['sendAt'] === undefined ? undefined : checkTime(options['sendAt'], 'sendAt');
  const key = options['idempotencyKey'] === undefined ? undefined : checkText(options['idempotencyKey'], 'idempotencyKey', maxIdempotencyKeyLength);
  const now = clock.now();

  progress.push('caller');
  const callerChecked = policies.checkCaller(caller, now, dryRun);
  if (callerChecked !== undefined) await callerChecked;
  progress.push('contract');
  const content = validateNotification(input, { now, defaultExpirationMs: settings.defaultExpirationMs });
  progress.push('target');
  const userId = 'userId' in target ? target.userId : await resolveSubscriptionUser(context, target.subscriptionId, content, now);
  progress.push('authorization');
  const targetChecked = policies.checkTarget(caller, userId, content.targetHostName, now, dryRun);
  if (targetChecked !== undefined) await targetChecked;
  if (critical) {
    progress.push('critical');
    const criticalChecked = policies.checkCritical(caller, userId, content.targetHostName);
    if (criticalChecked !== undefined) await criticalChecked;
  }

  progress.push('schedule');
  const sendAt = requestedSendAt === undefined ? undefined : Math.max(now, requestedSendAt);
  if (sendAt !== undefined && sendAt >= expiryOf(content)) {
    throw new HeraldError('INVALID_ARGUMENT', 'sendAt must be before the notification expires (expirationDateTime)');
  }
  let idempotency: IdempotencyRecord | undefined;
  if (key !== undefined) {
    // Of what the request means: a repeat made later (a default expiry or a sendAt raised
    // to a later now) or written differently is still the same request.
    const given = (input as NotificationRequest).expirationDateTime;
    const expiresAt = given === undefined ? undefined : parseDateTime(given);
    // A critical send means something else than the same send without it.
    const fingerprint = fingerprintOf({ userId, callerId: caller?.id, content, expiresAt, sendAt: requestedSendAt, critical });
    idempotency = { key, fingerprint, expiresAt: now + settings.idempotencyKeyTtlMs };
  }
  const timing: DecisionTiming = { now, dueAt: sendAt ?? now, scheduled: sendAt !== undefined, critical };
  return { userId, caller, content, timing, idempotency, transaction };
}
