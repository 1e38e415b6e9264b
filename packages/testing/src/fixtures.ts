/**
 * Builders of sample records for store and transport authors. Each returns a fresh,
 * valid object built from the reference page's example request ("Create and send a
 * notification"), with fresh ids, so tests spell out only what they care about.
 */
import { contentFieldNames, formatDateTime, newId, type ContentField } from '@herald/core/store';
import { checkKeys, kitError } from './kit-checks.js';
import type { DeliveryKind, NotificationRequest, PlatformType, StoredNotification, StoredSubscription } from '@herald/core';
import type { NewDelivery, NewNotification, NewSubscription } from '@herald/core/store';
import type { Endpoint, SyncMessage, TransportMessage } from '@herald/core/transport';

/** The base time of the conformance suites and the default `now` of the builders: 2026-01-01T00:00:00.000Z. */
export const sampleTime: number = Date.parse('2026-01-01T00:00:00.000Z');

/** The reference example's app: `graphnotifications.sample.windows.com`. */
export const sampleApp = 'graphnotifications.sample.windows.com';

/** The user the builders target unless told otherwise. */
export const sampleUser = 'user-1';

/** How long after `now` a sample notification expires: two days. */
export const sampleLifetimeMs: number = 2 * 24 * 60 * 60 * 1000;

/** How long after `now` a sample subscription expires: thirty days. */
export const sampleSubscriptionLifetimeMs: number = 30 * 24 * 60 * 60 * 1000;

// The fields each builder's overrides may name: a misspelt one (`adress`) would leave the
// sample's own value in place and add a field no store reads. Records over each type's
// keys, so a field added to core fails this file's compile until listed; the contract's
// fields come from its field table.
const contentFields = Object.fromEntries(contentFieldNames.map((name) => [name, true])) as Record<ContentField, true>;
const newNotificationFields: Record<keyof NewNotification, true> = { ...contentFields, id: true, userId: true };
const storedNotificationFields: Record<keyof StoredNotification, true> = {
  ...contentFields, id: true, userId: true, createdDateTime: true, lastModifiedDateTime: true, readState: true, userActionState: true, sequence: true,
};
const newSubscriptionFields: Record<keyof NewSubscription, true> = {
  userId: true, targetHostName: true, platformType: true, transport: true, address: true, secret: true, expiresAt: true,
};
const endpointFields: Record<keyof Endpoint, true> = { subscriptionId: true, userId: true, targetHostName: true, platformType: true, address: true, secret: true };
const messageFields: Record<keyof TransportMessage, true> = { deliveryId: true, kind: true, attempt: true, notification: true };
const syncMessageFields: Record<keyof SyncMessage, true> = { deliveryId: true, kind: true, attempt: true, sync: true };
const sampleDeliveryOptionNames = ['nextAttemptAt', 'kind'] as const satisfies readonly (keyof SampleDeliveryOptions)[];

/** Refuses overrides naming a field the record does not have. */
function checkOverrides(where: string, overrides: object, fields: object): void {
  checkKeys(where, overrides, Object.keys(fields), 'field');
}

/**
 * Applies overrides: each replaces a whole field, and `undefined` removes it — stores keep
 * optional fields absent, never `undefined`, so a sample must not carry one either.
 */
function withOverrides<T extends object>(base: T, overrides: Partial<T>): T {
  const result: Record<string, unknown> = { ...base, ...overrides };
  for (const key of Object.keys(result)) if (result[key] === undefined) delete result[key];
  return result as T;
}

/**
 * The reference page's example request (`POST /me/notifications`), as an app server sends
 * it, expiring {@link sampleLifetimeMs} after `now` (the page's own 2019 date has passed).
 * `overrides` replace whole fields; an override of `undefined` removes one. Overrides may
 * break the contract on purpose, to test refusals.
 */
export function sampleRequest(overrides: Record<string, unknown> = {}, now: number = sampleTime): NotificationRequest {
  return withOverrides<Record<string, unknown>>(
    {
      targetHostName: sampleApp,
      appNotificationId: 'testDirectToastNotification',
      expirationDateTime: formatDateTime(now + sampleLifetimeMs),
      payload: { visualContent: { title: 'Hello World!', body: 'Notifications are Great!' } },
      targetPolicy: { platformTypes: ['windows', 'ios', 'android'] },
      priority: 'High',
      groupName: 'TestGroup',
      displayTimeToLive: '60',
    },
    overrides,
  ) as unknown as NotificationRequest;
}

/**
 * A notification to save: the reference page's example request, normalized as the service
 * stores it, with a fresh id, for {@link sampleUser}, expiring {@link sampleLifetimeMs}
 * after `now`. `overrides` replace whole fields; an override of `undefined` removes one.
 */
export function sampleNotification(overrides: Partial<NewNotification> = {}, now: number = sampleTime): NewNotification {
  checkOverrides('sampleNotification', overrides, newNotificationFields);
  return withOverrides<NewNotification>({
    id: newId(),
    userId: sampleUser,
    targetHostName: sampleApp,
    appNotificationId: 'testDirectToastNotification',
    expirationDateTime: formatDateTime(now + sampleLifetimeMs),
    payload: { visualContent: { title: 'Hello World!', body: 'Notifications are Great!' } },
    targetPolicy: { platformTypes: ['windows', 'ios', 'android'] },
    priority: 'High',
    groupName: 'TestGroup',
    displayTimeToLive: 60,
  }, overrides);
}

/**
 * A notification as a store returns it, created at `now`: for transport tests, which
 * need a message without a store.
 */
export function sampleStoredNotification(overrides: Partial<StoredNotification> = {}, now: number = sampleTime): StoredNotification {
  checkOverrides('sampleStoredNotification', overrides, storedNotificationFields);
  const created = formatDateTime(now);
  return withOverrides<StoredNotification>({
    ...sampleNotification({}, now),
    createdDateTime: created,
    lastModifiedDateTime: created,
    readState: 'unread',
    userActionState: 'noInteraction',
    sequence: 1,
  }, overrides);
}

/**
 * A subscription to create: a `windows` endpoint of {@link sampleApp} for
 * {@link sampleUser}, through a transport named `test`, expiring
 * {@link sampleSubscriptionLifetimeMs} after `now`.
 */
export function sampleSubscription(overrides: Partial<NewSubscription> = {}, now: number = sampleTime): NewSubscription {
  checkOverrides('sampleSubscription', overrides, newSubscriptionFields);
  const userId = overrides.userId ?? sampleUser;
  const platformType = overrides.platformType ?? 'windows';
  return withOverrides<NewSubscription>({
    userId,
    targetHostName: sampleApp,
    platformType,
    transport: 'test',
    address: `https://endpoint.example/${encodeURIComponent(userId)}/${platformType}`,
    expiresAt: now + sampleSubscriptionLifetimeMs,
  }, overrides);
}

/** The parts of an endpoint a delivery copies. */
export type DeliveryTarget = Pick<StoredSubscription, 'id' | 'transport' | 'platformType'>;

/** Options of {@link sampleDeliveries}. */
export interface SampleDeliveryOptions {
  /**
   * When the first attempt is due: one time for all, or one per delivery.
   * @default sampleTime
   */
  readonly nextAttemptAt?: number | readonly number[];
  /**
   * What the deliveries carry.
   * @default 'notification'
   */
  readonly kind?: DeliveryKind;
}

const samplePlatforms: readonly PlatformType[] = ['windows', 'ios', 'android', 'webpush'];

/**
 * Deliveries to save with a notification: one per endpoint of `targets`, or `targets`
 * of them to made-up endpoints (`subscription-1`, …) when it is a number. Each has a
 * fresh id.
 */
export function sampleDeliveries(targets: number | readonly DeliveryTarget[], options: SampleDeliveryOptions = {}): NewDelivery[] {
  checkKeys('sampleDeliveries', options, sampleDeliveryOptionNames);
  if (!(typeof targets === 'number' ? Number.isInteger(targets) && targets >= 0 : Array.isArray(targets))) {
    throw kitError('sampleDeliveries', 'targets must be a number of deliveries or an array of subscriptions ({ id, transport, platformType })');
  }
  const endpoints: readonly DeliveryTarget[] =
    typeof targets === 'number'
      ? Array.from({ length: targets }, (_, index) => ({
          id: `subscription-${index + 1}`,
          transport: 'test',
          platformType: samplePlatforms[index % samplePlatforms.length] as PlatformType,
        }))
      : targets;
  const due = options.nextAttemptAt ?? sampleTime;
  return endpoints.map((endpoint, index) => {
    const nextAttemptAt = typeof due === 'number' ? due : due[index];
    if (nextAttemptAt === undefined) {
      throw kitError('sampleDeliveries', `nextAttemptAt has ${String((due as readonly number[]).length)} times for ${endpoints.length} deliveries`);
    }
    return {
      id: newId(),
      subscriptionId: endpoint.id,
      transport: endpoint.transport,
      platformType: endpoint.platformType,
      kind: options.kind ?? 'notification',
      nextAttemptAt,
    };
  });
}

/** An endpoint to send to (overrides as for {@link sampleNotification}): a `windows` endpoint of {@link sampleApp} for {@link sampleUser}. */
export function sampleEndpoint(overrides: Partial<Endpoint> = {}): Endpoint {
  checkOverrides('sampleEndpoint', overrides, endpointFields);
  const userId = overrides.userId ?? sampleUser;
  return withOverrides<Endpoint>({
    subscriptionId: newId(),
    userId,
    targetHostName: sampleApp,
    platformType: 'windows',
    address: `https://endpoint.example/${encodeURIComponent(userId)}/windows`,
  }, overrides);
}

/** A message to send: the first attempt of a fresh delivery of the reference example. */
export function sampleMessage(overrides: Partial<TransportMessage> = {}, now: number = sampleTime): TransportMessage {
  checkOverrides('sampleMessage', overrides, messageFields);
  return withOverrides<TransportMessage>({
    deliveryId: newId(),
    kind: 'notification',
    attempt: 1,
    notification: sampleStoredNotification({}, now),
  }, overrides);
}

/**
 * A sync message to send (overrides as for {@link sampleNotification}): the first attempt
 * of a fresh sync delivery telling that the sample user read a notification of
 * {@link sampleApp}. Give `sync` to tell of another state or a deletion.
 */
export function sampleSyncMessage(overrides: Partial<SyncMessage> = {}, now: number = sampleTime): SyncMessage {
  checkOverrides('sampleSyncMessage', overrides, syncMessageFields);
  return withOverrides<SyncMessage>({
    deliveryId: newId(),
    kind: 'sync',
    attempt: 1,
    sync: { type: 'stateChanged', notificationId: newId(), userId: sampleUser, readState: 'read', userActionState: 'noInteraction', lastModifiedDateTime: formatDateTime(now) },
  }, overrides);
}
