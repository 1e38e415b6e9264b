/**
 * A delivery decision: for one subscription of the user, whether a notification reaches
 * it, when, and the rule that decided. One type for the send's record, `explain()`,
 * `preferences.resolve()`, the HTTP routes and the test kit.
 */
import type { KeyedPreferenceLevel, PreferenceChoice, PreferenceLevel } from './precedence.js';

/**
 * - `now`: a delivery is due at once.
 * - `scheduled`: a delivery is due at the send's `sendAt`.
 * - `deferred`: quiet hours hold the delivery until `at`; the feed has the notification at once.
 * - `skipped`: no delivery.
 */
export const decisionOutcomes = ['now', 'scheduled', 'deferred', 'skipped'] as const;
/** What happens for one subscription; see {@link decisionOutcomes}. */
export type DecisionOutcome = (typeof decisionOutcomes)[number];

/** A preference rule that decided: its level in the precedence table, its key (absent for `default`) and the choice. */
export type PreferenceDecisionRule =
  | { readonly kind: 'preference'; readonly level: KeyedPreferenceLevel; readonly key: string; readonly choice: PreferenceChoice }
  | { readonly kind: 'preference'; readonly level: Extract<PreferenceLevel, 'default'>; readonly choice: PreferenceChoice };

/**
 * The rule that decided, checked in this order (the first that applies decides):
 * - `inactive`: the subscription is inactive (deactivated, or its endpoint gone).
 * - `expired`: the subscription's `expirationDateTime` has passed.
 * - `app`: the subscription is of another app (`targetHostName`).
 * - `platform`: the notification's `targetPolicy.platformTypes` leaves out its platform.
 * - `preference`: the user's most specific rule ({@link preferencePrecedence}).
 * - `quietHours`: the user's quiet hours, ending at `until` (epoch ms).
 * - `critical`: a critical send overrode `overrode` (an opt-out, quiet hours, or both);
 *   critical sends never override the first four.
 */
export type DecisionRule =
  | { readonly kind: 'inactive' }
  | { readonly kind: 'expired' }
  | { readonly kind: 'app' }
  | { readonly kind: 'platform' }
  | PreferenceDecisionRule
  | { readonly kind: 'quietHours'; readonly until: number }
  | { readonly kind: 'critical'; readonly overrode: readonly (PreferenceDecisionRule | { readonly kind: 'quietHours'; readonly until: number })[] };

/** The kinds of {@link DecisionRule}. */
export type DecisionRuleKind = DecisionRule['kind'];

/** What a notification does for one of the user's subscriptions, and why. */
export interface DeliveryDecision {
  /** The subscription (endpoint) decided for. */
  readonly subscriptionId: string;
  /** Deliver now, at `sendAt`, deferred by quiet hours, or not at all. */
  readonly outcome: DecisionOutcome;
  /** When the first attempt is due (epoch ms); absent when `skipped`. */
  readonly at?: number;
  /** The rule that decided. */
  readonly rule: DecisionRule;
}
