/**
 * Where a sent notification went, endpoint by endpoint, in words, for the matchers'
 * failure messages: read from `service.deliveries.explain` — the decisions the send
 * recorded and the deliveries' outcomes — so a failed assertion says which rule stopped a
 * delivery (an opt-out, quiet hours, an expired subscription, …) instead of guessing.
 */
import { messageOfThrown, preferencePrecedence, preferenceRuleField, type DecisionRule, type DeliveryDecision, type DeliveryRecord, type NotificationService, type StoredNotification, type SubscriptionExplanation } from '@herald/core';
import { describeNotification } from './notification-match.js';

/** Most notifications a message explains; the rest are counted. */
const maxExplained = 10;

const iso = (instant: number): string => new Date(instant).toISOString();

/** A decision's rule in words: `the preference platforms["ios"] is optOut`. */
function describeRule(rule: DecisionRule): string {
  switch (rule.kind) {
    case 'inactive':
      return 'the subscription is inactive';
    case 'expired':
      return 'the subscription had expired';
    case 'app':
      return "the subscription is another app's";
    case 'platform':
      return "the notification's targetPolicy.platformTypes leaves out its platform";
    case 'preference': {
      if (rule.level === 'default') return `the user's default preference is ${rule.choice}`;
      const field = preferencePrecedence.find((row) => row.level === rule.level)?.field ?? rule.level;
      return `the user's preference ${preferenceRuleField(field, rule.key)} is ${rule.choice}`;
    }
    case 'quietHours':
      return `the user's quiet hours, until ${iso(rule.until)}`;
    case 'critical':
      return `a critical send, overriding ${rule.overrode.map(describeRule).join(' and ')}`;
  }
}

function describeDecision(decision: DeliveryDecision): string {
  const at = decision.at === undefined ? '' : iso(decision.at);
  switch (decision.outcome) {
    case 'skipped':
      return `not delivered: ${describeRule(decision.rule)}`;
    case 'deferred':
      return `deferred to ${at} by ${decision.rule.kind === 'quietHours' ? "the user's quiet hours" : describeRule(decision.rule)}`;
    case 'scheduled':
      return `scheduled for ${at} (${describeRule(decision.rule)})`;
    case 'now':
      return `due at once (${describeRule(decision.rule)})`;
  }
}

function describeDelivery(delivery: DeliveryRecord): string {
  const attempts = `${delivery.attempts} attempt${delivery.attempts === 1 ? '' : 's'}`;
  const error = delivery.lastError === undefined ? '' : `, last error ${delivery.lastError.code}: ${delivery.lastError.message}`;
  const next = delivery.nextAttemptAt === null ? '' : `, next attempt at ${iso(delivery.nextAttemptAt)}`;
  return `${delivery.kind} ${delivery.status} after ${attempts}${next}${error}`;
}

function describeEntry(entry: SubscriptionExplanation): string {
  const parts = entry.decision === undefined ? [] : [describeDecision(entry.decision)];
  if (entry.deliveries.length > 0) parts.push(entry.deliveries.map(describeDelivery).join('; '));
  else if (entry.decision === undefined || entry.decision.outcome !== 'skipped') parts.push('no delivery');
  return parts.join('; ');
}

async function describeEndpoint(service: NotificationService, subscriptionId: string): Promise<string> {
  const subscription = await service.subscriptions.get(subscriptionId);
  return subscription === undefined ? `subscription ${subscriptionId} (since deleted)` : `${subscription.platformType} ${JSON.stringify(subscription.address)}`;
}

/**
 * For each notification, a line naming it, then one line per subscription its send
 * decided for: the decision and rule, and the deliveries' status. Empty for none.
 */
export async function explainSent(service: NotificationService, notifications: readonly StoredNotification[]): Promise<string> {
  const lines: string[] = [];
  for (const notification of notifications.slice(0, maxExplained)) {
    lines.push(`\n  - ${describeNotification(notification)}:`);
    let explanation;
    try {
      explanation = await service.deliveries.explain(notification.userId, notification.id);
    } catch (error) {
      lines.push(`\n      (cannot be explained: ${messageOfThrown(error)})`);
      continue;
    }
    if (explanation.subscriptions.length === 0) lines.push('\n      the user had no subscription it could reach');
    for (const entry of explanation.subscriptions) lines.push(`\n      ${await describeEndpoint(service, entry.subscriptionId)}: ${describeEntry(entry)}`);
  }
  if (notifications.length > maxExplained) lines.push(`\n  … and ${notifications.length - maxExplained} more`);
  return lines.join('');
}
