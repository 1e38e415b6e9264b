/**
 * A send as a store receives it: the notification, its deliveries planned from the
 * recipient (the user's subscriptions and preferences) inside the write's atomicity, the
 * decisions the plan records, an idempotency key; and what the store answers.
 */
import type { NotificationContent, PlatformType } from '../contract/types.js';
import type { NotificationPreferences } from '../preferences/precedence.js';
import type { StoreTransaction } from './capabilities.js';
import type { DeliveryKind, DeliveryRecord, StoredNotification, StoredSubscription } from '../records.js';

/** A notification to insert (when its `appNotificationId` is new to the user) or to update with. */
export interface NewNotification extends NotificationContent {
  /** A fresh id, used only when the notification is created. */
  readonly id: string;
  /** The user whose feed receives it. */
  readonly userId: string;
}

/** A delivery to create together with its notification. */
export interface NewDelivery {
  /** A fresh, unguessable id. */
  readonly id: string;
  /** The endpoint to deliver to. */
  readonly subscriptionId: string;
  /** The endpoint's transport. */
  readonly transport: string;
  /** The endpoint's platform. */
  readonly platformType: PlatformType;
  /** The notification, or its raw-to-visual fallback. */
  readonly kind: DeliveryKind;
  /** When the first attempt is due (now, or a scheduled time). */
  readonly nextAttemptAt: number;
}

/** An idempotency key to record with a send, scoped to the send's user. */
export interface IdempotencyRecord {
  /** The key the caller chose. */
  readonly key: string;
  /** A digest of the request, to tell a true repeat from a reused key. */
  readonly fingerprint: string;
  /** When the key may be forgotten (epoch ms). */
  readonly expiresAt: number;
}

/**
 * The user a send goes to, as a store reads them inside the write's atomicity: what a
 * {@link DeliveryPlan} decides from.
 */
export interface Recipient {
  /** The user's subscriptions, whatever their status, in `listSubscriptions` order (oldest first). */
  readonly subscriptions: readonly StoredSubscription[];
  /** The user's preferences as `getPreferences` returns them; `undefined` when none were set. */
  readonly preferences: NotificationPreferences | undefined;
}

/** What a {@link DeliveryPlan} decided: the deliveries to create, and the decisions to keep. */
export interface PlannedDeliveries {
  /** One delivery per endpoint the notification goes to (plus scheduled fallbacks). */
  readonly deliveries: readonly NewDelivery[];
  /**
   * The decisions to keep with the notification (see `NotificationWrite.decisions`);
   * absent when there are none worth keeping.
   */
  readonly decisions?: string;
}

/**
 * Decides a notification's deliveries from its recipient (the user's subscriptions and
 * preferences) as they stand when the store applies the write. A store calls it inside
 * the write's atomicity, so no subscription or preference changed meanwhile is missed or
 * used; a store that checks optimistically calls it again after a conflict. It has no
 * side effects and returns fresh ids on every call.
 */
export type DeliveryPlan = (recipient: Recipient) => PlannedDeliveries;

/** The argument of {@link NotificationStore.saveNotification}. */
export interface NotificationWrite {
  /** The notification's content and, for a creation, its id. */
  readonly notification: NewNotification;
  /**
   * The deliveries to create: listed (a replay, a test), or planned from the recipient
   * (the user's subscriptions and preferences) at the write (what the service passes). A store built with `defineStore`
   * always receives a plan ({@link PlannedNotificationWrite}).
   */
  readonly deliveries: readonly NewDelivery[] | DeliveryPlan;
  /** Present when the caller passed an idempotency key. */
  readonly idempotency?: IdempotencyRecord;
  /** The app's open transaction to write in; given only to a store with `capabilities.transactions` ({@link StoreTransaction}). */
  readonly transaction?: StoreTransaction;
  /** The current time. */
  readonly now: number;
}

/**
 * A {@link NotificationWrite} with its deliveries planned: the one form in which a store
 * implementation given to `defineStore` receives every write (a listed write arrives as a
 * plan that returns its list). `listedWrite(write, recipient)` applies the plan.
 */
export interface PlannedNotificationWrite extends NotificationWrite {
  /** Called with the recipient (subscriptions and preferences) inside the write's atomicity. */
  readonly deliveries: DeliveryPlan;
}

/** A {@link NotificationWrite} with its deliveries listed: what a store finally applies. */
export interface ListedNotificationWrite extends NotificationWrite {
  /** One delivery per matching endpoint. */
  readonly deliveries: readonly NewDelivery[];
  /**
   * The send's delivery decisions that its deliveries cannot tell (skipped subscriptions,
   * deferrals, critical overrides), as an opaque string of at most a few hundred bytes
   * per subscription: the store keeps it as it is with the notification, replaces it when
   * a later write updates the notification (dropping it when that write has none), removes
   * it with the notification, and returns it from `getDeliveryDecisions`. Absent when
   * nothing is worth keeping.
   */
  readonly decisions?: string;
}

/** The result of {@link NotificationStore.saveNotification}. */
export interface SaveResult {
  /** The stored notification (for a replay: as the first call stored it). */
  readonly notification: StoredNotification;
  /** True when the notification was created, false when an existing one was updated. */
  readonly created: boolean;
  /** The deliveries this call created (none for a replay). */
  readonly deliveries: readonly DeliveryRecord[];
  /** Set when the idempotency key was already recorded: nothing was written. */
  readonly replay?: {
    /** The fingerprint recorded with the key. */
    readonly fingerprint: string;
  };
}
