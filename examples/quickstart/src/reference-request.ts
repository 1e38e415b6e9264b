/**
 * The example request of the reference page ("Create and send a notification").
 * Its `expirationDateTime` (2019) has long passed, and Herald refuses a notification
 * that is already expired, so the demo moves it two days ahead of now.
 */
import type { NotificationRequest } from '@herald/core';

export function referenceRequest(now: number): NotificationRequest {
  return {
    targetHostName: 'graphnotifications.sample.windows.com',
    appNotificationId: 'testDirectToastNotification',
    expirationDateTime: new Date(now + 2 * 24 * 60 * 60 * 1000).toISOString(),
    payload: {
      visualContent: {
        title: 'Hello World!',
        body: 'Notifications are Great!',
      },
    },
    targetPolicy: {
      platformTypes: ['windows', 'ios', 'android'],
    },
    priority: 'High',
    groupName: 'TestGroup',
    displayTimeToLive: '60',
  };
}
