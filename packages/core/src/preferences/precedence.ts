/**
 * What a user's preferences are made of, and the one precedence table that says which
 * rule wins: the decision code walks this table, and docs/preferences.md quotes it.
 */
import type { PlatformType } from '../contract/types.js';
import type { QuietHours } from './quiet-hours.js';

/** A user's choice for a kind of notification or endpoint. */
export const preferenceChoices = ['optIn', 'optOut'] as const;
/** `optIn`: deliver; `optOut`: do not deliver (the notification still reaches the feed). */
export type PreferenceChoice = (typeof preferenceChoices)[number];

/**
 * The precedence table, most specific first: for each subscription a notification could
 * reach, the first row whose field has a rule for it decides; `default` always has one
 * (`optIn` when the user set none). So an opt-in for one subscription beats an opt-out of
 * its transport, which beats an opt-in for its platform, and so on down to the default.
 */
export const preferencePrecedence = [
  { level: 'subscription', field: 'subscriptions', keyedBy: "the subscription's id" },
  { level: 'transport', field: 'transports', keyedBy: "the subscription's transport name" },
  { level: 'platform', field: 'platforms', keyedBy: "the subscription's platformType" },
  { level: 'group', field: 'groups', keyedBy: "the notification's groupName (any app)" },
  { level: 'app', field: 'apps', keyedBy: "the notification's targetHostName" },
  { level: 'default', field: 'default', keyedBy: 'nothing: it applies to every notification' },
] as const;

/**
 * How a rule is named wherever one is reported (validation issues, an HTTP PATCH's
 * `details`, explanations): its field, then its key as a JSON string in brackets —
 * `apps["mail.example"]`, `platforms["ios"]` — since keys (host names, ids) hold dots.
 */
export function preferenceRuleField(field: string, key: string): string {
  return `${field}[${JSON.stringify(key)}]`;
}

/** A row of {@link preferencePrecedence}: how specific a rule is. */
export type PreferenceLevel = (typeof preferencePrecedence)[number]['level'];

/** The levels a rule can be keyed at (every level but `default`). */
export type KeyedPreferenceLevel = Exclude<PreferenceLevel, 'default'>;

/** Rules of one level: the key (an app, a group, …) → the user's choice. */
export type PreferenceRules<K extends string = string> = Readonly<Partial<Record<K, PreferenceChoice>>>;

/**
 * A user's notification preferences. Every field is optional; `{}` delivers everything.
 * Keys are matched exactly (case-sensitive), as Herald stores them: platforms lower-case.
 */
export interface NotificationPreferences {
  /** What applies when no rule below matches. @default 'optIn' */
  readonly default?: PreferenceChoice;
  /** Rules by app (`targetHostName`). */
  readonly apps?: PreferenceRules;
  /** Rules by `groupName`, in every app. */
  readonly groups?: PreferenceRules;
  /** Rules by platform (`windows`, `ios`, `android`, `webpush`). */
  readonly platforms?: PreferenceRules<PlatformType>;
  /** Rules by transport name (`webhook`, `webpush`, …). */
  readonly transports?: PreferenceRules;
  /** Rules by subscription id (one endpoint). */
  readonly subscriptions?: PreferenceRules;
  /**
   * When deliveries wait: a weekly schedule in the user's IANA time zone. A delivery that
   * would be due inside it is deferred to its end (never dropped); the feed gets the
   * notification at once. Applies after the rules above: an opted-out endpoint stays skipped.
   * @default none: never quiet
   */
  readonly quietHours?: QuietHours;
}

/** The field of {@link NotificationPreferences} that holds the rules of each keyed level. */
export type PreferenceField = (typeof preferencePrecedence)[number]['field'];
