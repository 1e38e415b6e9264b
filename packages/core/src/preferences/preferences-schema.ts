/**
 * The JSON Schemas (draft 2020-12) of a user's preferences and of a change to them (a
 * JSON Merge Patch, RFC 7396), built from the precedence table so a level added there is
 * in the schemas at once; and the patch's check and its application. The HTTP layer's
 * `GET`/`PATCH /me/notifications/preferences` and its OpenAPI document use these.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import type { JsonSchema } from '../contract/schema.js';
import { issuesOf, summaryOf } from '../contract/issues.js';
import { platformTypes } from '../contract/types.js';
import { HeraldError, type ValidationIssue } from '../errors.js';
import { maxRulesPerLevel } from './check-preferences.js';
import { preferenceChoices, preferencePrecedence, preferenceRuleField, type NotificationPreferences, type PreferenceChoice } from './precedence.js';
import { quietHoursSchema } from './quiet-hours-check.js';

/** Longest key of a rule (an id or a group name), as `checkPreferences` allows. */
const maxKeyLength = 256;

const { $schema: _dialect, $id: _id, ...quietHours } = quietHoursSchema;

// Nullable fields are `type: [X, 'null']`, not `anyOf`: a wrong value then yields one
// issue naming the field, not one per branch.
function rulesSchema(field: string, nullable: boolean): JsonSchema {
  const keys = field === 'platforms' ? { enum: [...platformTypes] } : { minLength: 1, maxLength: maxKeyLength };
  return {
    type: nullable ? ['object', 'null'] : 'object',
    description: `Rules by ${preferencePrecedence.find((row) => row.field === field)?.keyedBy ?? field}: key → optIn | optOut${nullable ? ' (null removes the rule)' : ''}.`,
    maxProperties: maxRulesPerLevel,
    propertyNames: keys,
    additionalProperties: { enum: nullable ? [...preferenceChoices, null] : [...preferenceChoices] },
  };
}

const keyedFields = preferencePrecedence.flatMap((row) => (row.level === 'default' ? [] : [row.field]));

/** The JSON Schema of a user's preferences, as `preferences.get` returns them and `set` takes them. */
export const preferencesSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://herald.dev/schemas/preferences.json',
  title: 'NotificationPreferences',
  description: 'A user\'s notification preferences: the most specific rule wins (subscription > transport > platform > group > app > default); quiet hours defer deliveries.',
  type: 'object',
  additionalProperties: false,
  properties: {
    default: { enum: [...preferenceChoices], description: 'What applies when no rule matches; optIn when absent.' },
    ...Object.fromEntries(keyedFields.map((field) => [field, rulesSchema(field, false)])),
    quietHours,
  },
} as const satisfies JsonSchema;

/**
 * The JSON Schema of a change to a user's preferences: a JSON Merge Patch (RFC 7396). A
 * field given replaces the stored one, `null` removes it; inside a level's rules (and
 * inside `quietHours`) the same holds key by key; arrays (`windows`, `days`) are replaced whole.
 */
export const preferencesPatchSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://herald.dev/schemas/preferences-patch.json',
  title: 'NotificationPreferencesPatch',
  description: 'A JSON Merge Patch (RFC 7396) of NotificationPreferences: a field given replaces, null removes; rules and quietHours merge key by key.',
  type: 'object',
  additionalProperties: false,
  properties: {
    default: { enum: [...preferenceChoices, null] },
    ...Object.fromEntries(keyedFields.map((field) => [field, rulesSchema(field, true)])),
    quietHours: {
      type: ['object', 'null'],
      additionalProperties: false,
      properties: {
        timeZone: { ...quietHours.properties.timeZone, type: ['string', 'null'] },
        windows: { ...quietHours.properties.windows, type: ['array', 'null'] },
      },
    },
  },
} as const satisfies JsonSchema;

/** A change to a user's preferences, as {@link preferencesPatchSchema} describes it. */
export type PreferencesPatch = { readonly [field: string]: PreferenceChoice | null | { readonly [key: string]: unknown } };

// Compiled on first use: an app that never patches preferences does not pay for it.
let patchValidator: ValidateFunction | undefined;

/**
 * A rule's issue named as `checkPreferences` names it (`apps["mail.example"]`, by
 * `preferenceRuleField`), not as its JSON Pointer reads with dots (`apps.mail.example`):
 * one name for one rule, whichever check found the problem.
 */
function namedAsRule(issue: ValidationIssue): ValidationIssue {
  const match = /^(\w+)(?:\.(.+)|\[(\d+)\])$/s.exec(issue.field);
  const field = match?.[1];
  const key = match?.[2] ?? match?.[3];
  if (field === undefined || key === undefined || !(keyedFields as readonly string[]).includes(field)) return issue;
  const named = preferenceRuleField(field, key);
  return { ...issue, field: named, message: issue.message.replace(issue.field, named) };
}

/**
 * Checks `value` against {@link preferencesPatchSchema}.
 * @throws HeraldError `INVALID_PREFERENCES` whose `issues` name each bad field (`apps["mail.example"]`, `quietHours.windows`).
 */
export function checkPreferencesPatch(value: unknown): PreferencesPatch {
  patchValidator ??= new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true }).compile(preferencesPatchSchema);
  if (patchValidator(value)) return value as PreferencesPatch;
  const issues = issuesOf(patchValidator.errors ?? []).map(namedAsRule);
  throw new HeraldError('INVALID_PREFERENCES', `the preferences patch is invalid: ${summaryOf(issues)}`, { issues });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** RFC 7396 §2: objects merge key by key, `null` removes, anything else replaces. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const result: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    // Defined, not assigned: a rule keyed "__proto__" stays a key, as JSON.parse made it.
    if (value === null) delete result[key];
    else Object.defineProperty(result, key, { value: mergePatch(result[key], value), enumerable: true, writable: true, configurable: true });
  }
  return result;
}

/**
 * The preferences `patch` makes of `current` (RFC 7396), to be given to
 * `preferences.set`, which checks the result whole (a quiet-hours schedule left without
 * its `windows`, say, is refused there).
 */
export function applyPreferencesPatch(current: NotificationPreferences, patch: PreferencesPatch): NotificationPreferences {
  return mergePatch(current, patch) as NotificationPreferences;
}
