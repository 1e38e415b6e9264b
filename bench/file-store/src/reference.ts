/**
 * The records both sides store: the reference page's example notification (title,
 * body, three platforms, a group, a priority, a time to live) for one of many users,
 * with one delivery to each of the user's three endpoints. Ids are minted as the service
 * mints them (`newId`), so both sides store what a Herald service would hand them.
 */
import { type PlatformType } from '@herald/core';
import { newId, type NewDelivery, type NewNotification } from '@herald/core/store';

export const app = 'graphnotifications.sample.windows.com';
export const platforms: readonly PlatformType[] = ['windows', 'ios', 'android'];
export const start = Date.parse('2030-01-01T00:00:00.000Z');

/** The example notification for `userId`, with app id `appNotificationId`, sent at `now`. */
export function referenceNotification(userId: string, appNotificationId: string, now: number): NewNotification {
  return {
    id: newId(),
    userId,
    targetHostName: app,
    appNotificationId,
    expirationDateTime: new Date(now + 2 * 86_400_000).toISOString(),
    payload: { visualContent: { title: 'Hello World!', body: 'Notifications are Great!' } },
    targetPolicy: { platformTypes: ['windows', 'ios', 'android'] },
    priority: 'High',
    groupName: 'TestGroup',
    displayTimeToLive: 60,
  };
}

/** One delivery per endpoint of the user (endpoints named `<user>-<platform>`), due at `now`. */
export function referenceDeliveries(userId: string, now: number, subscriptionIds?: readonly string[]): NewDelivery[] {
  return platforms.map((platformType, index) => ({
    id: newId(),
    subscriptionId: subscriptionIds?.[index] ?? `${userId}-${platformType}`,
    transport: 'webhook',
    platformType,
    kind: 'notification',
    nextAttemptAt: now,
  }));
}
