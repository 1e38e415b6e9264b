/**
 * The service's typed events, emitted through eventemitter3.
 */
import type { HeraldError } from './errors.js';
import type { DeliveryRecord, StoredNotification, StoredSubscription } from './records.js';
import type { TransportError } from './transport/interface.js';

/** A notification was created or updated by a send. */
export interface NotificationSentEvent {
  /** The stored notification. */
  readonly notification: StoredNotification;
  /** The deliveries the send created. */
  readonly deliveries: readonly DeliveryRecord[];
}

/** A notification left the feed through a delete. */
export interface NotificationDeletedEvent {
  /** Its user. */
  readonly userId: string;
  /** Its id. */
  readonly notificationId: string;
}

/** A group of notifications was deleted. */
export interface GroupDeletedEvent {
  /** The user. */
  readonly userId: string;
  /** The group. */
  readonly groupName: string;
  /** The app, when the delete was limited to one. */
  readonly targetHostName?: string;
  /** How many notifications were deleted. */
  readonly count: number;
}

/** A notification's read or action state changed. */
export interface NotificationStateChangedEvent {
  /** The notification after the change. */
  readonly notification: StoredNotification;
}

/** A delivery reached its endpoint. */
export interface DeliverySucceededEvent {
  /** The delivery after the attempt. */
  readonly delivery: DeliveryRecord;
}

/** An attempt failed and another is scheduled. */
export interface DeliveryFailedEvent {
  /** The delivery after the attempt. */
  readonly delivery: DeliveryRecord;
  /** What went wrong. */
  readonly error: TransportError;
  /** When the next attempt is due (epoch ms). */
  readonly nextAttemptAt: number;
}

/** A delivery ended without reaching its endpoint. */
export interface DeliveryDeadEvent {
  /** The delivery after the attempt. */
  readonly delivery: DeliveryRecord;
  /** What went wrong last. */
  readonly error: HeraldError;
}

/** A subscription was created, renewed, deactivated or expired. */
export interface SubscriptionEvent {
  /** The subscription after the change. */
  readonly subscription: StoredSubscription;
}

/** A subscription was deleted. */
export interface SubscriptionDeletedEvent {
  /** Its id. */
  readonly subscriptionId: string;
}

/** A background task (the dispatcher, a purge, a listener) failed. */
export interface ServiceErrorEvent {
  /** What failed. */
  readonly error: unknown;
  /** Where: `dispatcher`, `purge`, `listener`, … */
  readonly source: string;
  /** The delivery whose attempt failed this way, when the failure concerns one. */
  readonly deliveryId?: string;
  /** That delivery's notification. */
  readonly notificationId?: string;
}

/** Every event of a notification service, with its listener's signature. */
export interface HeraldEvents {
  'notification.created': (event: NotificationSentEvent) => void;
  'notification.updated': (event: NotificationSentEvent) => void;
  'notification.deleted': (event: NotificationDeletedEvent) => void;
  'notification.groupDeleted': (event: GroupDeletedEvent) => void;
  'notification.stateChanged': (event: NotificationStateChangedEvent) => void;
  'delivery.succeeded': (event: DeliverySucceededEvent) => void;
  'delivery.failed': (event: DeliveryFailedEvent) => void;
  'delivery.dead': (event: DeliveryDeadEvent) => void;
  'subscription.created': (event: SubscriptionEvent) => void;
  'subscription.renewed': (event: SubscriptionEvent) => void;
  'subscription.deactivated': (event: SubscriptionEvent) => void;
  'subscription.expired': (event: SubscriptionEvent) => void;
  'subscription.deleted': (event: SubscriptionDeletedEvent) => void;
  error: (event: ServiceErrorEvent) => void;
}

/** The name of a service event. */
export type HeraldEventName = keyof HeraldEvents;
