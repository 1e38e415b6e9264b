/**
 * Why a user does (or did not) get a notification. `explain` is a send's dry run: the
 * same checks, reported instead of thrown, and the decision for every subscription, with
 * nothing written and no throttling token taken. `explainNotification` reads back what a
 * send recorded: the decision per subscription, then its deliveries' attempts.
 */
import { checkId } from './arguments.js';
import type { ServiceContext } from './context.js';
import { HeraldError, type HeraldErrorCode, type ValidationIssue } from './errors.js';
import { decideDeliveries } from './preferences/decide.js';
import type { DeliveryDecision } from './preferences/decision.js';
import { readRecordedDecisions } from './preferences/recorded-decisions.js';
import type { DeliveryRecord } from './records.js';
import { checkSend, type SendCheck } from './send-request.js';

/** One request-level check of a dry run, in the order a send makes them. */
export interface RequestDecision {
  /** The check (see `sendChecks`). */
  readonly check: SendCheck;
  /** Whether the request passed it; a send stops at the first refusal, and so does the dry run. */
  readonly outcome: 'passed' | 'refused';
  /** For a refusal: the code the send would throw (`CALLER_BLOCKED`, `THROTTLED`, …). */
  readonly code?: HeraldErrorCode;
  /** For a refusal: the message the send would throw. */
  readonly message?: string;
  /**
   * For a refusal by a validation (the contract, the arguments): every problem found, each
   * naming its field, as the send's error lists them in `issues` (the message names only
   * the first).
   */
  readonly issues?: readonly ValidationIssue[];
  /** For `THROTTLED`: seconds until the send would pass. */
  readonly retryAfterSeconds?: number;
}

/** What `service.explain` returns: what a send of this request would do now. */
export interface SendExplanation {
  /** True when a send now would be accepted (every check passed). */
  readonly accepted: boolean;
  /** The checks made, in order; the last one refused when `accepted` is false. */
  readonly checks: readonly RequestDecision[];
  /** The user the notification would go to; absent when a check before it refused. */
  readonly userId?: string;
  /** The decision for every subscription of the user, in `subscriptions.list` order; empty when refused. */
  readonly decisions: readonly DeliveryDecision[];
}

/** One subscription in the explanation of a stored notification. */
export interface SubscriptionExplanation {
  /** The subscription (it may since have been deleted). */
  readonly subscriptionId: string;
  /**
   * The decision recorded at send time: skipped, deferred, or a critical override.
   * Absent when the send simply delivered to it (its deliveries then say when).
   */
  readonly decision?: DeliveryDecision;
  /** Its deliveries of the notification, oldest first, with attempts, status and last error. */
  readonly deliveries: readonly DeliveryRecord[];
}

/** What `deliveries.explain` returns. */
export interface NotificationExplanation {
  /** The notification. */
  readonly notificationId: string;
  /** Every subscription the last send (or update) decided for or delivered to. */
  readonly subscriptions: readonly SubscriptionExplanation[];
}

/** Runs `service.explain`: see {@link SendExplanation}. */
export async function explainSend(context: ServiceContext, input: unknown, rawTarget: unknown, rawOptions: unknown): Promise<SendExplanation> {
  context.assertOpen();
  const progress: SendCheck[] = [];
  let checked;
  try {
    checked = await checkSend(context, input, rawTarget, rawOptions, progress, true);
  } catch (error) {
    if (!(error instanceof HeraldError)) throw error;
    const refused = progress.at(-1) ?? 'arguments';
    const passed = progress.slice(0, -1).map((check): RequestDecision => ({ check, outcome: 'passed' }));
    const refusal: RequestDecision = {
      check: refused,
      outcome: 'refused',
      code: error.code,
      message: error.message,
      ...(error.issues.length === 0 ? {} : { issues: error.issues }),
      ...(error.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: error.retryAfterSeconds }),
    };
    return { accepted: false, checks: [...passed, refusal], decisions: [] };
  }
  const { userId, content, timing } = checked;
  // Two reads, not one atomic step: a dry run may race a change a send would not.
  const [subscriptions, preferences] = await Promise.all([context.store.listSubscriptions(userId), context.store.getPreferences(userId)]);
  const decisions = decideDeliveries({ subscriptions, preferences }, content, timing);
  return { accepted: true, checks: progress.map((check) => ({ check, outcome: 'passed' })), userId, decisions };
}

/**
 * Runs `deliveries.explain`: see {@link NotificationExplanation}.
 * @throws HeraldError `NOTIFICATION_NOT_FOUND` when the user has no such notification (and no deliveries of it).
 */
export async function explainNotification(context: ServiceContext, rawUserId: unknown, rawNotificationId: unknown): Promise<NotificationExplanation> {
  context.assertOpen();
  const userId = checkId(rawUserId, 'userId');
  const notificationId = checkId(rawNotificationId, 'notificationId');
  const { store } = context;
  const [record, deliveries] = await Promise.all([store.getDeliveryDecisions(userId, notificationId), store.listDeliveries(userId, notificationId)]);
  if (record === undefined && deliveries.length === 0 && (await store.getNotification(userId, notificationId, context.clock.now())) === undefined) {
    throw new HeraldError('NOTIFICATION_NOT_FOUND', 'this user has no notification with this id (or it expired)');
  }
  const bySubscription = new Map<string, { decision?: DeliveryDecision; deliveries: DeliveryRecord[] }>();
  for (const decision of record === undefined ? [] : readRecordedDecisions(record)) {
    bySubscription.set(decision.subscriptionId, { decision, deliveries: [] });
  }
  for (const delivery of deliveries) {
    let entry = bySubscription.get(delivery.subscriptionId);
    if (entry === undefined) {
      entry = { deliveries: [] };
      bySubscription.set(delivery.subscriptionId, entry);
    }
    entry.deliveries.push(delivery);
  }
  const subscriptions = [...bySubscription].map(([subscriptionId, entry]): SubscriptionExplanation =>
    entry.decision === undefined ? { subscriptionId, deliveries: entry.deliveries } : { subscriptionId, decision: entry.decision, deliveries: entry.deliveries },
  );
  return { notificationId, subscriptions };
}
