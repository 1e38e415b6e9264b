/**
 * The delivery decision for each subscription of a user: the endpoint rules first (a
 * critical send never overrides them), then the user's most specific preference rule
 * (read from the precedence table), then quiet hours; a critical send overrides the last
 * two and says so.
 */
import type { NotificationContent } from '../contract/types.js';
import { endpointMismatch } from '../endpoint-match.js';
import type { StoredSubscription } from '../records.js';
import type { DecisionRule, DeliveryDecision, PreferenceDecisionRule } from './decision.js';
import { preferencePrecedence, type KeyedPreferenceLevel, type NotificationPreferences } from './precedence.js';
import { quietUntil } from './quiet-hours-gate.js';
import type { Recipient } from '../store/notification-write.js';

/** When a send is made and due, and whether it is critical. */
export interface DecisionTiming {
  /** The time of the send (epoch ms): subscriptions expired by then are skipped. */
  readonly now: number;
  /** When deliveries are due (epoch ms): `now`, or the send's `sendAt`. */
  readonly dueAt: number;
  /** True when the send has a `sendAt` (the outcome is then `scheduled`, not `now`). */
  readonly scheduled: boolean;
  /** True for a critical send: it overrides opt-outs and quiet hours. */
  readonly critical: boolean;
}

/** What identifies a notification for each keyed level: the subscription's fields, or the notification's. */
function keyAt(level: KeyedPreferenceLevel, subscription: StoredSubscription, content: Pick<NotificationContent, 'targetHostName' | 'groupName'>): string | undefined {
  switch (level) {
    case 'subscription':
      return subscription.id;
    case 'transport':
      return subscription.transport;
    case 'platform':
      return subscription.platformType;
    case 'group':
      return content.groupName;
    case 'app':
      return content.targetHostName;
  }
}

/**
 * The user's rule for a notification of `content`'s app and group at `subscription`: the
 * first row of {@link preferencePrecedence} with a rule for it (the default at worst).
 */
function preferenceRuleFor(
  preferences: NotificationPreferences | undefined,
  subscription: StoredSubscription,
  content: Pick<NotificationContent, 'targetHostName' | 'groupName'>,
): PreferenceDecisionRule {
  for (const row of preferencePrecedence) {
    if (row.level === 'default') break;
    const rules = preferences?.[row.field] as Readonly<Record<string, string>> | undefined;
    const key = rules === undefined ? undefined : keyAt(row.level, subscription, content);
    if (rules === undefined || key === undefined || !Object.hasOwn(rules, key)) continue;
    return { kind: 'preference', level: row.level, key, choice: rules[key] === 'optOut' ? 'optOut' : 'optIn' };
  }
  return { kind: 'preference', level: 'default', choice: preferences?.default ?? 'optIn' };
}

/** The decision for one subscription. */
export function decideDelivery(
  subscription: StoredSubscription,
  content: Pick<NotificationContent, 'targetHostName' | 'groupName' | 'targetPolicy'>,
  preferences: NotificationPreferences | undefined,
  timing: DecisionTiming,
  /** When the user's quiet hours around `timing.dueAt` end: the same for every subscription, so a caller deciding many passes it once. */
  quietEnd: number | undefined = quietUntil(preferences, timing.dueAt),
): DeliveryDecision {
  const subscriptionId = subscription.id;
  const mismatch = endpointMismatch(subscription, content, timing.now);
  if (mismatch !== undefined) return { subscriptionId, outcome: 'skipped', rule: { kind: mismatch } };
  const preference = preferenceRuleFor(preferences, subscription, content);
  // Made only when a critical send overrides something: most decisions override nothing.
  let overrode: Extract<DecisionRule, { kind: 'critical' }>['overrode'][number][] | undefined;
  if (preference.choice === 'optOut') {
    if (!timing.critical) return { subscriptionId, outcome: 'skipped', rule: preference };
    overrode = [preference];
  }
  if (quietEnd !== undefined && quietEnd > timing.dueAt) {
    const quiet = { kind: 'quietHours', until: quietEnd } as const;
    if (!timing.critical) return { subscriptionId, outcome: 'deferred', at: quietEnd, rule: quiet };
    (overrode ??= []).push(quiet);
  }
  const rule: DecisionRule = overrode !== undefined ? { kind: 'critical', overrode } : preference;
  return { subscriptionId, outcome: timing.scheduled ? 'scheduled' : 'now', at: timing.dueAt, rule };
}

/** The decision for every subscription of the recipient, in their order. */
export function decideDeliveries(recipient: Recipient, content: NotificationContent, timing: DecisionTiming): DeliveryDecision[] {
  const quietEnd = quietUntil(recipient.preferences, timing.dueAt);
  return recipient.subscriptions.map((subscription) => decideDelivery(subscription, content, recipient.preferences, timing, quietEnd));
}
