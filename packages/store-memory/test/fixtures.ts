/**
 * Builders of store arguments for these tests: the Graph reference's example
 * notification, with ids from a counter so runs are repeatable.
 */
import type { NotificationContent } from '@herald/core';
import type { ListedNotificationWrite, NewDelivery, NewSubscription, NotificationWrite } from '@herald/core/store';

/** A fixed start time, far from any real clock. */
export const t0 = Date.parse('2030-01-01T00:00:00.000Z');
/** One day in milliseconds. */
export const day = 24 * 60 * 60 * 1000;

/** The example body of the Graph reference, normalized as the service stores it. */
export function exampleContent(overrides: Partial<NotificationContent> = {}): NotificationContent {
  return {
    targetHostName: 'graphnotifications.sample.windows.com',
    appNotificationId: 'testDirectToastNotification',
    expirationDateTime: new Date(t0 + 30 * day).toISOString(),
    payload: { visualContent: { title: 'Hello World!', body: 'Notifications are Great!' } },
    targetPolicy: { platformTypes: ['windows', 'ios', 'android'] },
    priority: 'High',
    groupName: 'TestGroup',
    displayTimeToLive: 60,
    ...overrides,
  };
}

let counter = 0;
/** A fresh, repeatable id with a prefix. */
function nextId(prefix: string): string {
  counter++;
  return `${prefix}-${counter}`;
}

/** Options of {@link notificationWrite}. */
export interface WriteOptions {
  readonly now?: number;
  readonly content?: Partial<NotificationContent>;
  readonly deliveries?: number | readonly NewDelivery[];
  readonly id?: string;
  readonly idempotency?: NotificationWrite['idempotency'];
}

/** A save of the example notification for `userId` with app id `appNotificationId`. */
export function notificationWrite(userId: string, appNotificationId: string, options: WriteOptions = {}): ListedNotificationWrite {
  const now = options.now ?? t0;
  const deliveries =
    typeof options.deliveries === 'number' || options.deliveries === undefined
      ? Array.from({ length: options.deliveries ?? 0 }, (): NewDelivery => newDelivery({ nextAttemptAt: now }))
      : options.deliveries;
  const write: ListedNotificationWrite = {
    notification: { ...exampleContent({ appNotificationId, ...options.content }), id: options.id ?? nextId('n'), userId },
    deliveries,
    now,
  };
  return options.idempotency === undefined ? write : { ...write, idempotency: options.idempotency };
}

/** A pending delivery to a windows endpoint. */
export function newDelivery(overrides: Partial<NewDelivery> = {}): NewDelivery {
  return {
    id: nextId('d'),
    subscriptionId: 'sub-1',
    transport: 'console',
    platformType: 'windows',
    kind: 'notification',
    nextAttemptAt: t0,
    ...overrides,
  };
}

/** A subscription of `userId` to the example app. */
export function newSubscription(userId: string, overrides: Partial<NewSubscription> = {}): NewSubscription {
  return {
    userId,
    targetHostName: 'graphnotifications.sample.windows.com',
    platformType: 'windows',
    transport: 'console',
    address: 'https://example.test/hook',
    expiresAt: t0 + 30 * day,
    ...overrides,
  };
}
