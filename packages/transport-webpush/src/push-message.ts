/**
 * What a notification becomes on the wire of RFC 8030: the small JSON body a service
 * worker's `push` event reads, and the `TTL`, `Urgency` and `Topic` headers.
 */
import { createHash } from 'node:crypto';
import type { DeliveryKind, NotificationSync, SyncMessage, TransportMessage } from '@herald/core/transport';

/** The JSON a service worker gets (`event.data.json()`): the notification, small. */
export interface WebPushBody {
  /** The notification's id in the user's feed. */
  readonly id: string;
  /** The delivery's stable id, the same on every attempt: deduplicate on it. */
  readonly deliveryId: string;
  /** `notification`, or `fallback` for the visual fallback of an unacknowledged raw one. */
  readonly kind: DeliveryKind;
  /** The app (`targetHostName`). */
  readonly app: string;
  /** The app's own id of the notification. */
  readonly appNotificationId: string;
  /** The visual content's title, when it has one. */
  readonly title?: string;
  /** The visual content's body, when it has one. */
  readonly body?: string;
  /** The notification's group, when it has one. */
  readonly groupName?: string;
  /** The raw content (data for the app itself), when it has some. */
  readonly rawContent?: string;
}

/** The body of `message`. */
export function pushBody(message: TransportMessage): WebPushBody {
  const { notification } = message;
  const visual = notification.payload.visualContent;
  return {
    id: notification.id,
    deliveryId: message.deliveryId,
    kind: message.kind,
    app: notification.targetHostName,
    appNotificationId: notification.appNotificationId,
    ...(visual?.title === undefined ? {} : { title: visual.title }),
    ...(visual?.body === undefined ? {} : { body: visual.body }),
    ...(notification.groupName === undefined ? {} : { groupName: notification.groupName }),
    ...(notification.payload.rawContent === undefined ? {} : { rawContent: notification.payload.rawContent }),
  };
}

/**
 * `TTL` (RFC 8030 §5.2): how many seconds the push service keeps the message for a
 * browser that is offline — until the notification expires, and no longer than its
 * `displayTimeToLive` when it has one (a toast that would be gone is not worth waking a
 * device for). 0 once expired: deliver now or not at all.
 */
export function timeToLive(message: TransportMessage, now: number): number {
  const untilExpiry = Math.max(0, Math.floor((Date.parse(message.notification.expirationDateTime) - now) / 1000));
  const display = message.notification.displayTimeToLive;
  return display === undefined ? untilExpiry : Math.min(display, untilExpiry);
}

const urgencies = { High: 'high', Low: 'low', None: 'normal' } as const;

/** `Urgency` (RFC 8030 §5.3) from the notification's `priority`; `normal` without one. */
export function urgency(message: TransportMessage): 'high' | 'normal' | 'low' {
  return urgencies[message.notification.priority ?? 'None'];
}

/**
 * `Topic` (RFC 8030 §5.4) from the app's `appNotificationId`, so an update replaces the
 * older message a push service still holds. The protocol allows at most 32 characters of
 * the URL-safe base64 alphabet, and ids are the app's own text: the first 32 characters
 * of the SHA-256 of the id (192 bits) fit and never collide in practice.
 */
export function topic(message: TransportMessage): string {
  return createHash('sha256').update(message.notification.appNotificationId, 'utf8').digest('base64url').slice(0, 32);
}

/**
 * The JSON a service worker gets for a sync message (`kind: 'sync'`): another endpoint of
 * the user changed the notification's state (or deleted it): update or close the shown
 * notification whose id is `id`.
 */
export interface WebPushSyncBody {
  /** The notification's id in the user's feed. */
  readonly id: string;
  /** The delivery's stable id, the same on every attempt: deduplicate on it. */
  readonly deliveryId: string;
  /** Always `sync`. */
  readonly kind: 'sync';
  /** `stateChanged`, or `deleted` (remove it). */
  readonly type: NotificationSync['type'];
  /** Its read state. */
  readonly readState: NotificationSync['readState'];
  /** What the user did with it. */
  readonly userActionState: NotificationSync['userActionState'];
  /** When its state last changed, or when it was deleted (ISO 8601 UTC). */
  readonly lastModifiedDateTime: string;
}

/** The body of a sync message. */
export function pushSyncBody(message: SyncMessage): WebPushSyncBody {
  const { sync } = message;
  return {
    id: sync.notificationId,
    deliveryId: message.deliveryId,
    kind: 'sync',
    type: sync.type,
    readState: sync.readState,
    userActionState: sync.userActionState,
    lastModifiedDateTime: sync.lastModifiedDateTime,
  };
}

/**
 * How long a push service keeps a sync message for an offline browser: one day. A sync
 * carries no expiry of its own, and a browser away longer reads the feed when it returns.
 */
export const syncTimeToLiveSeconds = 86_400;

/**
 * `Topic` of a sync message, from the notification's id: a newer sync of the same
 * notification replaces an older one the push service still holds (the latest state
 * only), and never a notification's own message (a different prefix before hashing).
 */
export function syncTopic(message: SyncMessage): string {
  return createHash('sha256').update(`sync\u0000${message.sync.notificationId}`, 'utf8').digest('base64url').slice(0, 32);
}
