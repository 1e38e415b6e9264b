/**
 * Matching notifications by a partial shape or a predicate, and describing them in
 * assertion messages so a failure says what was sent.
 */
import { contentFieldNames, contentFields, unknownOptionMessage, type FieldKind } from '@herald/core/store';
import type { EndpointFallback, FallbackPolicy, NotificationPayload, StoredNotification, TargetPolicy, VisualContent } from '@herald/core';
import { describe, isPlainObject, kitError } from './kit-checks.js';

/** A partial notification, matched field by field, at any depth. */
export type NotificationShape = { readonly [K in keyof StoredNotification]?: unknown };

/** A partial notification, or a test of one. */
export type NotificationMatch = NotificationShape | ((notification: StoredNotification) => boolean);

/** The fields a shape may name, level by level (`true`: a leaf, compared whole). */
interface KeyTree {
  readonly [key: string]: KeyTree | true;
}

// Records over each type's keys, so a field added to core fails this file's compile until listed.
const visualKeys: Record<keyof VisualContent, true> = { title: true, body: true };
const payloadKeys: Record<keyof NotificationPayload, KeyTree | true> = { visualContent: visualKeys, rawContent: true };
const targetPolicyKeys: Record<keyof TargetPolicy, true> = { platformTypes: true };
const endpointFallbackKeys: Record<keyof EndpointFallback, KeyTree | true> = { platformTypes: true, fallbackDelayInSeconds: true, visualContent: visualKeys };
const fallbackPolicyKeys: Record<keyof FallbackPolicy, KeyTree> = { endpointFallback: endpointFallbackKeys };
// The contract's fields come from its field table, each with the keys of its kind.
const kindKeys: Record<FieldKind, KeyTree | true> = {
  text: true, 'date-time': true, enum: true, number: true, payload: payloadKeys, 'target-policy': targetPolicyKeys, 'fallback-policy': fallbackPolicyKeys,
};
const notificationKeys: Record<keyof StoredNotification, KeyTree | true> = {
  id: true, userId: true, createdDateTime: true, lastModifiedDateTime: true, readState: true, userActionState: true, sequence: true,
  ...(Object.fromEntries(contentFieldNames.map((name) => [name, kindKeys[contentFields[name].kind]])) as Record<keyof typeof contentFields, KeyTree | true>),
};

function checkShape(where: string, given: Record<string, unknown>, tree: KeyTree, path: string): void {
  const message = unknownOptionMessage(given, Object.keys(tree), 'field');
  if (message !== undefined) throw kitError(where, `in the match${path === '' ? '' : ` at ${path}`}: ${message}`);
  for (const [key, value] of Object.entries(given)) {
    const below = tree[key];
    if (below !== true && below !== undefined && isPlainObject(value)) checkShape(where, value, below, path === '' ? key : `${path}.${key}`);
  }
}

/**
 * Refuses a match that is neither a predicate nor a partial notification whose fields, at
 * every level, are a notification's: a misspelt field (`titel`) would match nothing, so a
 * `.not` assertion on it would pass whatever was sent.
 */
export function checkNotificationMatch(where: string, match: unknown): void {
  if (match === undefined || typeof match === 'function') return;
  if (!isPlainObject(match)) throw kitError(where, `a match is a partial notification ({ groupName: 'post-7' }) or a function (notification) => boolean, got ${describe(match)}`);
  checkShape(where, match, notificationKeys, '');
}

function partialEquals(actual: unknown, expected: unknown): boolean {
  if (expected === null || typeof expected !== 'object') return Object.is(actual, expected);
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((item, i) => partialEquals(actual[i], item));
  }
  if (actual === null || typeof actual !== 'object') return false;
  return Object.entries(expected).every(([key, value]) => partialEquals((actual as Record<string, unknown>)[key], value));
}

/** True when `notification` matches `match` (everything matches no `match`). */
export function matches(notification: StoredNotification, match: NotificationMatch | undefined): boolean {
  if (match === undefined) return true;
  return typeof match === 'function' ? match(notification) : partialEquals(notification, match);
}

/** `a predicate` or the shape as JSON. */
export function describeMatch(match: NotificationMatch | undefined): string {
  if (match === undefined) return '';
  return typeof match === 'function' ? ' matching a predicate' : ` matching ${JSON.stringify(match)}`;
}

/** One line for a notification: what it says, its app id and its user. */
export function describeNotification(notification: StoredNotification): string {
  const { visualContent, rawContent } = notification.payload;
  const said = visualContent === undefined ? `raw ${JSON.stringify(rawContent)}` : [visualContent.title, visualContent.body].filter((part) => part !== undefined).map((part) => JSON.stringify(part)).join(' — ');
  const group = notification.groupName === undefined ? '' : `, group ${JSON.stringify(notification.groupName)}`;
  return `${said} (to ${JSON.stringify(notification.userId)}, appNotificationId ${JSON.stringify(notification.appNotificationId)}${group})`;
}

/** A numbered list of notifications for a message, or `nothing`. */
export function describeList(notifications: readonly StoredNotification[]): string {
  if (notifications.length === 0) return 'nothing';
  return notifications.map((notification, i) => `\n  ${i + 1}. ${describeNotification(notification)}`).join('');
}
