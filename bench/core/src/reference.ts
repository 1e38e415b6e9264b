/**
 * The reference page's example request, expiring two days from now (its own date passed).
 */
import type { NotificationRequest } from '@herald/core';
import { sampleRequest } from '@herald/testing';

export function referenceRequest(appNotificationId: string): NotificationRequest {
  return sampleRequest({ appNotificationId }, Date.now());
}
