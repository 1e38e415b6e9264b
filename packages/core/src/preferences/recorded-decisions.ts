/**
 * The decisions a send records with its notification, compactly: only those its
 * deliveries cannot tell (a skipped subscription, a deferral, a critical override), as
 * one JSON string of tuples that a store keeps as it is — most sends record nothing.
 *
 * Layout: `[[subscriptionId, outcome, at | 0, rule], …]`, a rule being its kind
 * (`"inactive"`, …), `["p", level, choice, key?]`, `["q", until]` or `["c", [rule, …]]`.
 */
import { HeraldError } from '../errors.js';
import type { DecisionOutcome, DecisionRule, DeliveryDecision, PreferenceDecisionRule } from './decision.js';
import { decisionOutcomes } from './decision.js';
import { preferenceChoices, preferencePrecedence } from './precedence.js';

type Overridable = Extract<DecisionRule, { kind: 'critical' }>['overrode'][number];
type EncodedRule = string | readonly unknown[];

/** True when a decision says what the deliveries alone cannot. */
function worthRecording(decision: DeliveryDecision): boolean {
  return decision.outcome === 'skipped' || decision.outcome === 'deferred' || decision.rule.kind === 'critical';
}

function encodeRule(rule: DecisionRule): EncodedRule {
  switch (rule.kind) {
    case 'preference':
      return rule.level === 'default' ? ['p', rule.level, rule.choice] : ['p', rule.level, rule.choice, rule.key];
    case 'quietHours':
      return ['q', rule.until];
    case 'critical':
      return ['c', rule.overrode.map(encodeRule)];
    default:
      return rule.kind;
  }
}

/**
 * The record of `decisions` a store keeps with the notification (`NotificationWrite.decisions`),
 * or `undefined` when none is worth recording.
 */
export function recordDecisions(decisions: readonly DeliveryDecision[]): string | undefined {
  // Nearly every send records nothing: say so without making a filtered copy.
  if (!decisions.some(worthRecording)) return undefined;
  const kept = decisions.filter(worthRecording);
  if (kept.length === 0) return undefined;
  return JSON.stringify(kept.map((decision) => [decision.subscriptionId, decision.outcome, decision.at ?? 0, encodeRule(decision.rule)]));
}

function corrupt(): never {
  throw new HeraldError('STORE_CORRUPT', 'the recorded delivery decisions of this notification are not in the form Herald writes');
}

const levels: readonly string[] = preferencePrecedence.map((row) => row.level);
const simpleKinds: readonly string[] = ['inactive', 'expired', 'app', 'platform'];

function decodeRule(value: unknown): DecisionRule {
  if (typeof value === 'string') {
    if (!simpleKinds.includes(value)) corrupt();
    return { kind: value as 'inactive' | 'expired' | 'app' | 'platform' };
  }
  if (!Array.isArray(value)) return corrupt();
  const [tag, first, second, third] = value as unknown[];
  if (tag === 'q' && typeof first === 'number') return { kind: 'quietHours', until: first };
  if (tag === 'c' && Array.isArray(first)) return { kind: 'critical', overrode: first.map((item) => decodeRule(item) as Overridable) };
  if (tag !== 'p' || typeof first !== 'string' || !levels.includes(first) || !(preferenceChoices as readonly unknown[]).includes(second)) return corrupt();
  const choice = second as PreferenceDecisionRule['choice'];
  if (first === 'default') return { kind: 'preference', level: 'default', choice };
  if (typeof third !== 'string') return corrupt();
  return { kind: 'preference', level: first as Exclude<PreferenceDecisionRule['level'], 'default'>, key: third, choice };
}

/**
 * The decisions in a record made by {@link recordDecisions}.
 * @throws HeraldError `STORE_CORRUPT` when the record is not in that form.
 */
export function readRecordedDecisions(record: string): DeliveryDecision[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(record);
  } catch {
    return corrupt();
  }
  if (!Array.isArray(parsed)) return corrupt();
  return parsed.map((item: unknown) => {
    if (!Array.isArray(item)) return corrupt();
    const [subscriptionId, outcome, at, rule] = item as unknown[];
    if (typeof subscriptionId !== 'string' || !(decisionOutcomes as readonly unknown[]).includes(outcome) || typeof at !== 'number') return corrupt();
    const decided = decodeRule(rule);
    return outcome === 'skipped'
      ? { subscriptionId, outcome, rule: decided }
      : { subscriptionId, outcome: outcome as DecisionOutcome, at, rule: decided };
  });
}
