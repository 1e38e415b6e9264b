/**
 * Matching notifications by a partial shape or a predicate, and describing them in
 * assertion messages so a failure says what was sent.
 */
import type { StoredNotification } from '@herald/core';

/** A partial notification, matched field by field, at any depth. */
export type NotificationShape = { readonly [K in keyof StoredNotification]?: unknown };

/** A partial notification, or a test of one. */
export type NotificationMatch = NotificationShape | ((notification: StoredNotification) => boolean);

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
