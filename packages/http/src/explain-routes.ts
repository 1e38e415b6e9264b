/**
 * Why a user does (or did not) get a notification, over HTTP:
 * - `GET /me/notifications/{id}/explain`: for the signed-in user's stored notification, the
 *   decision recorded for each subscription at send time, then each delivery's attempts.
 * - `POST /me/notifications/explain`: a dry run of the send for app servers, with the send's
 *   headers and checks (X-UNS-ID names the subscription that targets the user); nothing
 *   is written and no rate is spent.
 * Instants are ISO 8601 date-times here, as everywhere in the HTTP API.
 */
import type { DeliveryDecision, DeliveryRecord, NotificationExplanation, NotificationService, SendExplanation } from '@herald/core';
import { me, type Exchange, type HttpCaller } from './exchange.js';
import { sendHeadersOf } from './notification-routes.js';
import { readJsonBody, type BodyLimits } from './request-body.js';
import { errorDetails, sendJson } from './responses.js';

const iso = (instant: number): string => new Date(instant).toISOString();

/** A decision with its instants (`at`, a quiet-hours rule's `until`) as date-times. */
function decisionBody(decision: DeliveryDecision): Record<string, unknown> {
  const untilAsDateTime = (rule: object): object => ('until' in rule && typeof rule.until === 'number' ? { ...rule, until: iso(rule.until) } : rule);
  const rule = decision.rule.kind === 'critical' ? { ...decision.rule, overrode: decision.rule.overrode.map(untilAsDateTime) } : untilAsDateTime(decision.rule);
  return { ...decision, ...(decision.at === undefined ? {} : { at: iso(decision.at) }), rule };
}

/** A delivery as the user may see it: no lease, times as date-times. */
function deliveryBody(delivery: DeliveryRecord): Record<string, unknown> {
  return {
    id: delivery.id,
    subscriptionId: delivery.subscriptionId,
    transport: delivery.transport,
    platformType: delivery.platformType,
    kind: delivery.kind,
    status: delivery.status,
    attempts: delivery.attempts,
    createdDateTime: iso(delivery.createdAt),
    lastModifiedDateTime: iso(delivery.updatedAt),
    ...(delivery.nextAttemptAt === null ? {} : { nextAttemptDateTime: iso(delivery.nextAttemptAt) }),
    ...(delivery.deliveredAt === undefined ? {} : { deliveredDateTime: iso(delivery.deliveredAt) }),
    ...(delivery.lastError === undefined ? {} : { lastError: delivery.lastError }),
  };
}

function notificationExplanationBody(explanation: NotificationExplanation): Record<string, unknown> {
  return {
    notificationId: explanation.notificationId,
    subscriptions: explanation.subscriptions.map((entry) => ({
      subscriptionId: entry.subscriptionId,
      ...(entry.decision === undefined ? {} : { decision: decisionBody(entry.decision) }),
      deliveries: entry.deliveries.map(deliveryBody),
    })),
  };
}

/** A refusal's issues become `details`, as in the error the send would answer. */
function sendExplanationBody(explanation: SendExplanation): Record<string, unknown> {
  const checks = explanation.checks.map(({ issues, ...check }) => (issues === undefined ? check : { ...check, details: errorDetails(issues) }));
  return { ...explanation, checks, decisions: explanation.decisions.map(decisionBody) };
}

/** `GET /me/notifications/{id}/explain`: 404 for another user's id, as `GET /me/notifications/{id}`. */
export async function explainNotification(exchange: Exchange, service: NotificationService, caller: HttpCaller, id: string): Promise<void> {
  sendJson(exchange.response, 200, notificationExplanationBody(await service.deliveries.explain(me(caller), id)));
}

/**
 * `POST /me/notifications/explain`: 200 with what a send of this body would do now. A
 * refused check (blocked, unauthorized, throttled, a body off the contract) is reported
 * in the answer (`accepted: false`), not as an error: the dry run itself succeeded.
 */
export async function explainSend(exchange: Exchange, service: NotificationService, caller: HttpCaller, limits: BodyLimits): Promise<void> {
  const { encoding, subscriptionId } = sendHeadersOf(exchange);
  const body = await readJsonBody(exchange.request, encoding, limits);
  sendJson(exchange.response, 200, sendExplanationBody(await service.explain(body, { subscriptionId }, { caller })));
}
