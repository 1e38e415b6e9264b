/**
 * Herald's records in Graph's shape: OData context annotations, the contract's fields,
 * and nothing internal (the owner's id, sequences, secrets).
 */
import type { StoredChange, StoredNotification, StoredSubscription } from '@herald/core';
import { encodeUriComponent } from './uri-component.js';

/** The `@odata.context` of a user's notifications. */
export function notificationsContext(baseUrl: string, userId: string, entity: boolean): string {
  return `${baseUrl}/$metadata#users('${encodeUriComponent(userId)}')/notifications${entity ? '/$entity' : ''}`;
}

/** What the API shows of a notification: every field but the owner's id and the change sequence. */
type GraphNotification = { -readonly [K in Exclude<keyof StoredNotification, 'userId' | 'sequence'>]-?: StoredNotification[K] | undefined };

/**
 * A notification as Graph shows it, with its `@odata.context` when one is given. One
 * literal with every field, absent ones `undefined` (which JSON leaves out), rather than
 * a copy of the record without two keys: every answer has the same shape, so V8 builds it
 * and `JSON.stringify` walks it on one hidden class. A field added to the record is a
 * compile error here until it is shown or left out on purpose.
 */
function graphNotification(notification: StoredNotification, context: string | undefined): { '@odata.context': string | undefined } & GraphNotification {
  return {
    '@odata.context': context,
    id: notification.id,
    targetHostName: notification.targetHostName,
    appNotificationId: notification.appNotificationId,
    payload: notification.payload,
    expirationDateTime: notification.expirationDateTime,
    createdDateTime: notification.createdDateTime,
    lastModifiedDateTime: notification.lastModifiedDateTime,
    readState: notification.readState,
    userActionState: notification.userActionState,
    targetPolicy: notification.targetPolicy,
    priority: notification.priority,
    groupName: notification.groupName,
    displayTimeToLive: notification.displayTimeToLive,
    fallbackPolicy: notification.fallbackPolicy,
  };
}

/** A notification as Graph returns it (without the context annotation), as JSON writes it. */
export function notificationBody(notification: StoredNotification): Record<string, unknown> {
  return graphNotification(notification, undefined);
}

/** A notification as a single entity, with its context. */
export function notificationEntity(baseUrl: string, notification: StoredNotification): Record<string, unknown> {
  return graphNotification(notification, notificationsContext(baseUrl, notification.userId, true));
}

/** A change of the change feed, as Graph's delta queries show it: removed items carry `@removed`. */
export function changeBody(change: StoredChange): Record<string, unknown> {
  if (change.type === 'deleted' || change.notification === undefined) return { id: change.notificationId, '@removed': { reason: 'deleted' } };
  return { ...notificationBody(change.notification), '@herald.change': change.type };
}

/** A subscription as the API returns it: never with its secret. */
export function subscriptionBody(subscription: StoredSubscription): Record<string, unknown> {
  const { secret, userId: _user, ...rest } = subscription;
  return secret === undefined ? rest : { ...rest, hasSecret: true };
}
