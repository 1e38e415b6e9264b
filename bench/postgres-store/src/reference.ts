/**
 * What every side of the send benchmark writes: the reference page's example request
 * (`sampleRequest` of @herald/testing, as in the other stores' benchmarks), expiring two
 * days from now, for one of many users who each have three endpoints (windows, ios,
 * android); and the connection budget every side gets.
 */
import type { NotificationRequest } from '@herald/core';
import { sampleRequest } from '@herald/testing';

/** Users the sends are spread over. */
export const users = 1000;
/** Concurrent senders on every side. */
export const senders = 256;
/** The platforms of each user's three endpoints. */
export const platforms = ['windows', 'ios', 'android'] as const;
/** Connections of each side's pool: the same budget for Herald, the bare INSERTs and pg-boss. */
export const connections = 32;
/** The app of every notification and subscription. */
export const app = 'graphnotifications.sample.windows.com';

/** The example request with its own `appNotificationId` (the page's 2019 date has passed: it expires two days from now). */
export function referenceRequest(appNotificationId: string): NotificationRequest {
  return sampleRequest({ appNotificationId }, Date.now());
}

/** The user the `index`-th send goes to. */
export function userOf(index: number): string {
  return `user-${index % users}`;
}

/** Runs a side's measured sends (after its warm-up), e.g. reading CPU meters around them. */
export type Measured = (sends: () => Promise<number>) => Promise<number>;

/** No measuring beyond the rate. */
export const unmeasured: Measured = (sends) => sends();
