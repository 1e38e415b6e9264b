/**
 * The records Herald stores: notifications in a user's feed, subscriptions (endpoints)
 * and deliveries (the outbox). Stores return them frozen or as copies: a caller can
 * never change stored state by mutating a returned record.
 */
import type { NotificationContent, PlatformType, ReadState, UserActionState } from './contract/types.js';

/** A notification in a user's feed: the contract's content plus what Herald adds. */
export interface StoredNotification extends NotificationContent {
  /** Server-generated, unguessable id. */
  readonly id: string;
  /** The user whose feed holds it. */
  readonly userId: string;
  /** When it was first created (ISO 8601 UTC). */
  readonly createdDateTime: string;
  /** When its content or state last changed (ISO 8601 UTC). */
  readonly lastModifiedDateTime: string;
  /** Whether the user has read it. */
  readonly readState: ReadState;
  /** What the user did with it. */
  readonly userActionState: UserActionState;
  /** The user's change sequence at its last change; increases with every change to the feed. */
  readonly sequence: number;
}

/** Whether a subscription receives notifications. */
export const subscriptionStatuses = ['active', 'inactive'] as const;
/** Whether a subscription receives notifications. */
export type SubscriptionStatus = (typeof subscriptionStatuses)[number];

/** One endpoint of one user: an app client on a device, reached through a transport. */
export interface StoredSubscription {
  /** Server-generated, unguessable id: the Graph `X-UNS-ID`. */
  readonly id: string;
  /** The user the endpoint belongs to. */
  readonly userId: string;
  /** The app whose notifications it receives. */
  readonly targetHostName: string;
  /** The endpoint's platform. */
  readonly platformType: PlatformType;
  /** The name of the registered transport that reaches it. */
  readonly transport: string;
  /** What the transport needs: a URL, a device token, … */
  readonly address: string;
  /** A secret the transport uses for this endpoint (a webhook signing secret). */
  readonly secret?: string;
  /** When it was created (ISO 8601 UTC). */
  readonly createdDateTime: string;
  /** When it was last renewed, deactivated or changed (ISO 8601 UTC). */
  readonly lastModifiedDateTime: string;
  /** When it stops receiving notifications (ISO 8601 UTC). */
  readonly expirationDateTime: string;
  /** Whether it receives notifications. */
  readonly status: SubscriptionStatus;
  /** Why it is inactive: `expired`, `endpoint gone: …`, or the reason given to `deactivate`. */
  readonly statusReason?: string;
}

/**
 * Where a delivery stands.
 * - `pending`: waiting for its first attempt (perhaps scheduled for later).
 * - `failed`: an attempt failed; another is due at `nextAttemptAt`.
 * - `delivered`: the transport accepted it.
 * - `dead`: attempts exhausted, or a permanent error; `deliveries.retry` revives it.
 * - `expired`: the notification expired before it could be delivered.
 * - `cancelled`: cancelled before delivery (a cancelled schedule, a removed endpoint).
 */
export const deliveryStatuses = ['pending', 'failed', 'delivered', 'dead', 'expired', 'cancelled'] as const;
/** Where a delivery stands. */
export type DeliveryStatus = (typeof deliveryStatuses)[number];

/**
 * What a delivery carries: the notification itself, the visual fallback that replaces
 * an unacknowledged raw notification (the contract's `fallbackPolicy`), or a `sync`: the
 * notification's read and action state (or its deletion) for the user's other endpoints,
 * sent as it stands when the delivery is attempted (see docs/sync.md).
 */
export const deliveryKinds = ['notification', 'fallback', 'sync'] as const;
/** What a delivery carries. */
export type DeliveryKind = (typeof deliveryKinds)[number];

/** The last error a delivery met. */
export interface DeliveryError {
  /** A stable code: a Herald error code, or the transport's own. */
  readonly code: string;
  /** What went wrong. */
  readonly message: string;
  /** When it happened, in epoch milliseconds. */
  readonly at: number;
}

/** A claim on a delivery: only the token's holder may renew or complete it until it expires. */
export interface DeliveryLease {
  /** The dispatcher instance that holds it. */
  readonly owner: string;
  /** A random token that proves the claim. */
  readonly token: string;
  /** When the claim lapses, in epoch milliseconds; after that any instance may reclaim. */
  readonly expiresAt: number;
}

/** One notification to one endpoint: a row of the outbox. */
export interface DeliveryRecord {
  /** Stable, unguessable id; transports pass it on as the idempotency key. */
  readonly id: string;
  /** The user the notification belongs to. */
  readonly userId: string;
  /** The notification delivered. */
  readonly notificationId: string;
  /** The endpoint delivered to. */
  readonly subscriptionId: string;
  /** The transport that reaches the endpoint. */
  readonly transport: string;
  /** The endpoint's platform. */
  readonly platformType: PlatformType;
  /** The notification itself, or its visual fallback. */
  readonly kind: DeliveryKind;
  /** Where it stands. */
  readonly status: DeliveryStatus;
  /** Attempts made so far. */
  readonly attempts: number;
  /** When the next attempt is due (epoch ms); `null` once the delivery is final. */
  readonly nextAttemptAt: number | null;
  /** When it was created (epoch ms). */
  readonly createdAt: number;
  /** When it last changed (epoch ms). */
  readonly updatedAt: number;
  /** When the transport accepted it (epoch ms). */
  readonly deliveredAt?: number;
  /** The last error met, if any. */
  readonly lastError?: DeliveryError;
  /** The current claim, while an instance works on it. */
  readonly lease?: DeliveryLease;
}
