/**
 * Herald's records in Graph's shape: OData context annotations, the contract's fields,
 * and nothing internal (the owner's id, sequences, secrets).
 */
import type { StoredChange, StoredNotification, StoredSubscription } from '@herald/core';

/** The `@odata.context` of a user's notifications. */
export function notificationsContext(baseUrl: string, userId: string, entity: boolean): string {
  return `${baseUrl}/$metadata#users('${encodeURIComponent(userId)}')/notifications${entity ? '/$entity' : ''}`;
}

/** A notification as Graph returns it (without the context annotation). */
export function notificationBody(notification: StoredNotification): Record<string, unknown> {
  const { userId: _user, sequence: _sequence, ...rest } = notification;
  return rest;
}

/** A notification as a single entity, with its context. */
export function notificationEntity(baseUrl: string, notification: StoredNotification): Record<string, unknown> {
  return { '@odata.context': notificationsContext(baseUrl, notification.userId, true), ...notificationBody(notification) };
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
