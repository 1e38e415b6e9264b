/**
 * Checks a user's preferences as given to `preferences.set` (they may come straight from
 * an HTTP body): a bad one is refused whole with `INVALID_PREFERENCES`, naming the field,
 * and what is kept is a fresh frozen copy, so a caller's later change cannot reach a store.
 */
import { platformTypes } from '../contract/types.js';
import { isWellFormedText } from '../contract/text.js';
import { HeraldError, type ValidationIssue } from '../errors.js';
import { describeValue, unknownOptionMessage } from '../option-checks.js';
import { checkQuietHours } from './quiet-hours-check.js';
import { preferenceChoices, preferencePrecedence, preferenceRuleField, type NotificationPreferences, type PreferenceChoice, type PreferenceRules } from './precedence.js';

/** Most rules one level may hold: a user has a handful of apps, groups and endpoints. */
export const maxRulesPerLevel = 1000;
/** Longest key of a rule, in UTF-16 code units: as long as an id or a group name may be. */
const maxKeyLength = 256;

const keyedFields = preferencePrecedence.flatMap((row) => (row.level === 'default' ? [] : [row.field]));
const fieldNames: readonly string[] = ['default', ...keyedFields, 'quietHours'];

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function choice(value: unknown, field: string, issues: ValidationIssue[]): PreferenceChoice | undefined {
  if (value === 'optIn' || value === 'optOut') return value;
  issues.push({ field, rule: 'enum', message: `${field} must be one of ${preferenceChoices.join(', ')}, got ${describeValue(value)}` });
  return undefined;
}

function rules(value: unknown, field: string, issues: ValidationIssue[]): PreferenceRules | undefined {
  if (!isPlainObject(value)) {
    issues.push({ field, rule: 'type', message: `${field} must be an object of key → optIn | optOut, got ${describeValue(value)}` });
    return undefined;
  }
  const entries = Object.entries(value);
  if (entries.length > maxRulesPerLevel) {
    issues.push({ field, rule: 'maxProperties', message: `${field} may hold at most ${maxRulesPerLevel} rules, got ${entries.length}` });
    return undefined;
  }
  const kept: [string, PreferenceChoice][] = [];
  for (const [key, raw] of entries) {
    const at = preferenceRuleField(field, key);
    if (key.length === 0 || key.length > maxKeyLength || !isWellFormedText(key)) {
      issues.push({ field: at, rule: 'propertyNames', message: `${field} keys must be 1–${maxKeyLength} characters of well-formed text` });
      continue;
    }
    if (field === 'platforms' && !(platformTypes as readonly string[]).includes(key)) {
      issues.push({ field: at, rule: 'propertyNames', message: `${field} keys must be one of ${platformTypes.join(', ')} (lower-case), got ${JSON.stringify(key)}` });
      continue;
    }
    const checked = choice(raw, at, issues);
    if (checked !== undefined) kept.push([key, checked]);
  }
  // Object.fromEntries defines own properties, so a key named __proto__ stays a key.
  return Object.freeze(Object.fromEntries(kept));
}

/**
 * `value` as {@link NotificationPreferences}: a fresh, frozen copy without absent fields.
 * @throws HeraldError `INVALID_PREFERENCES` (400) listing every problem in `issues`, each
 *   naming its field (`apps["mail.example"]`, `platforms`, `default`,
 *   `quietHours.windows[0].start` — the schedule's issues as `checkQuietHours` finds them),
 *   and unknown fields.
 */
export function checkPreferences(value: unknown): NotificationPreferences {
  if (!isPlainObject(value)) {
    throw new HeraldError('INVALID_PREFERENCES', `preferences must be an object, got ${describeValue(value)}`);
  }
  const unknown = unknownOptionMessage(value, fieldNames, 'field');
  if (unknown !== undefined) throw new HeraldError('INVALID_PREFERENCES', `preferences: ${unknown}`);
  const issues: ValidationIssue[] = [];
  const kept: Record<string, unknown> = {};
  if (value['default'] !== undefined) kept['default'] = choice(value['default'], 'default', issues);
  for (const field of keyedFields) {
    if (value[field] !== undefined) kept[field] = rules(value[field], field, issues);
  }
  if (value['quietHours'] !== undefined) {
    try {
      kept['quietHours'] = checkQuietHours(value['quietHours'], 'quietHours');
    } catch (error) {
      // One code for a bad set of preferences: the schedule's issues join the others.
      if (!(error instanceof HeraldError)) throw error;
      issues.push(...error.issues);
    }
  }
  if (issues.length > 0) {
    const first = issues[0] as ValidationIssue;
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
    throw new HeraldError('INVALID_PREFERENCES', `${first.message}${more}`, { issues });
  }
  return Object.freeze(kept) as NotificationPreferences;
}
