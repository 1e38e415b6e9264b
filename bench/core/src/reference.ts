/**
 * The reference page's example request, expiring two days from now (its own date passed).
 */
import type { NotificationRequest } from '@herald/core';

export const app = 'graphnotifications.sample.windows.com';

export function referenceRequest(appNotificationId: string): NotificationRequest {
  return {
    targetHostName: app,
    appNotificationId,
    expirationDateTime: new Date(Date.now() + 2 * 86_400_000).toISOString(),
    payload: { visualContent: { title: 'Hello World!', body: 'Notifications are Great!' } },
    targetPolicy: { platformTypes: ['windows', 'ios', 'android'] },
    priority: 'High',
    groupName: 'TestGroup',
    displayTimeToLive: '60',
  };
}
