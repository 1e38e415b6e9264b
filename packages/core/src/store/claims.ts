/**
 * The store interface's types for the outbox: claiming due deliveries under a lease,
 * recording how an attempt ended, and the dead-letter list. See `store.ts` for the rules.
 */
import type { DeliveryLease, DeliveryRecord, StoredNotification, StoredSubscription } from '../records.js';

/** What the store is asked to claim. */
export interface ClaimRequest {
  /** The claiming dispatcher instance. */
  readonly owner: string;
  /** The current time. */
  readonly now: number;
  /** How long the claim lasts. */
  readonly leaseMs: number;
  /** Most deliveries to claim. */
  readonly limit: number;
}

/** A claimed delivery, with what the dispatcher needs to attempt it. */
export interface ClaimedDelivery {
  /** The delivery, with its new lease. */
  readonly delivery: DeliveryRecord & { readonly lease: DeliveryLease };
  /** The notification, unless it expired (stores may still return it; the dispatcher checks). */
  readonly notification?: StoredNotification;
  /** The endpoint, unless it was deleted. */
  readonly subscription?: StoredSubscription;
}

/** Proof of a claim: which delivery, whose, and the token. */
export interface LeaseRef {
  /** The delivery's user. */
  readonly userId: string;
  /** The delivery. */
  readonly deliveryId: string;
  /** The token of the claim. */
  readonly token: string;
}

/** The error recorded with a failed or dead delivery. */
export interface DeliveryErrorInput {
  /** A stable code. */
  readonly code: string;
  /** What went wrong. */
  readonly message: string;
}

/**
 * How an attempt ended. `delivered`, `failed` and `dead` count an attempt;
 * `expired` and `cancelled` end a delivery without one.
 */
export type DeliveryOutcome =
  | { readonly status: 'delivered' }
  | { readonly status: 'failed'; readonly nextAttemptAt: number; readonly error: DeliveryErrorInput }
  | { readonly status: 'dead'; readonly error: DeliveryErrorInput }
  | { readonly status: 'expired' }
  | { readonly status: 'cancelled'; readonly reason: string };

/** A page of dead deliveries across all users. */
export interface DeadDeliveryPage {
  /** Dead deliveries, oldest death first. */
  readonly items: readonly DeliveryRecord[];
  /** Pass as `after` for the next page; absent on the last page. */
  readonly next?: string;
}
