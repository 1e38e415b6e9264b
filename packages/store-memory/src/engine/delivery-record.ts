/**
 * Deliveries in two forms. An open delivery (`pending` or `failed`) is a small mutable
 * object the due queue points at. A finished one (`delivered`, `dead`, `expired`,
 * `cancelled`) never changes again except by a retry, so it shrinks to what its record
 * needs: no lease, no queue bookkeeping, one time for `updatedAt` and `deliveredAt`.
 * Most stored deliveries are finished, so this is where the memory goes.
 * Both build their public record on demand, frozen.
 */
import { claimableAt } from '@herald/core/store';
import type { DeliveryError, DeliveryKind, DeliveryLease, DeliveryRecord, DeliveryState, NewDelivery, OpenDeliveryStatus, PlatformType } from '@herald/core/store';
import type { FeedEntry } from './feed-entry.js';
import { flat } from './flat-string.js';

/** The statuses of a finished delivery. */
export type FinishedStatus = 'delivered' | 'dead' | 'expired' | 'cancelled';

/** What both forms of a delivery hold. */
interface DeliveryFields {
  readonly id: string;
  readonly notification: FeedEntry;
  readonly subscriptionId: string;
  readonly transport: string;
  readonly platformType: PlatformType;
  readonly kind: DeliveryKind;
  readonly createdAt: number;
}

/** A delivery that may still be attempted. */
export class OpenDelivery implements DeliveryFields {
  /** Its slot in the due queue's heap; -1 when not there. */
  dueSlot = -1;
  /** Its position in the due queue's run; -1 when not there. */
  runPos = -1;
  /** Where it stands. */
  status: OpenDeliveryStatus = 'pending';
  /** Attempts made so far. */
  attempts = 0;
  /** When the next attempt is due (epoch ms). */
  nextAttemptAt: number;
  /** When it last changed (epoch ms). */
  updatedAt: number;
  /** The last error met. */
  lastError: DeliveryError | undefined = undefined;
  /** The current claim, frozen. */
  lease: DeliveryLease | undefined = undefined;

  constructor(
    /** Its id. */
    readonly id: string,
    /** The notification it delivers. */
    readonly notification: FeedEntry,
    /** The endpoint. */
    readonly subscriptionId: string,
    /** The endpoint's transport. */
    readonly transport: string,
    /** The endpoint's platform. */
    readonly platformType: PlatformType,
    /** The notification or its fallback. */
    readonly kind: DeliveryKind,
    /** When it was created (epoch ms). */
    readonly createdAt: number,
    nextAttemptAt: number,
  ) {
    this.nextAttemptAt = nextAttemptAt;
    this.updatedAt = createdAt;
  }

  /** A new pending delivery of `notification`. */
  static create(delivery: NewDelivery, notification: FeedEntry, now: number): OpenDelivery {
    return new OpenDelivery(
      flat(delivery.id),
      notification,
      flat(delivery.subscriptionId),
      flat(delivery.transport),
      delivery.platformType,
      delivery.kind,
      now,
      delivery.nextAttemptAt,
    );
  }

  /** A finished delivery made open again in `state` (a retry's, from core's `stateAfterRetry`). */
  static revive(finished: FinishedDelivery, state: DeliveryState): OpenDelivery {
    const open = new OpenDelivery(finished.id, finished.notification, finished.subscriptionId, finished.transport, finished.platformType, finished.kind, finished.createdAt, state.nextAttemptAt ?? state.updatedAt);
    open.lastError = finished.lastError; // kept by a retry: settle then keeps this very object
    open.settle(state);
    return open;
  }

  /** When it becomes claimable: core's `claimableAt` (when due, or when its lease runs out, whichever is later). */
  get claimableAt(): number {
    return claimableAt(this) as number;
  }

  /** True when an instance holds it at `now`. */
  leasedAt(now: number): boolean {
    return this.lease !== undefined && this.lease.expiresAt > now;
  }

  /** Its public record, frozen. */
  toRecord(): DeliveryRecord {
    const record = baseRecord(this, this.status, this.attempts, this.nextAttemptAt, this.updatedAt);
    if (this.lastError !== undefined) record.lastError = this.lastError;
    if (this.lease !== undefined) record.lease = this.lease;
    return Object.freeze(record);
  }

  /**
   * Takes on an open `state` that a transition of core's `delivery-transitions.ts`
   * decided for it (a failed attempt, a retry); the caller reschedules it.
   */
  settle(state: DeliveryState): void {
    this.status = state.status as OpenDeliveryStatus;
    this.attempts = state.attempts;
    this.nextAttemptAt = state.nextAttemptAt as number;
    this.updatedAt = state.updatedAt;
    this.lastError = storedError(state.lastError, this.lastError);
    this.lease = state.lease;
  }

  /** Its finished form in a finished `state` that a transition decided: it leaves the queue and drops the lease. */
  finished(state: DeliveryState): FinishedDelivery {
    const { status, attempts, updatedAt, lastError } = state;
    return new FinishedDelivery(this.id, this.notification, this.subscriptionId, this.transport, this.platformType, this.kind, status as FinishedStatus, attempts, this.createdAt, updatedAt, storedError(lastError, this.lastError));
  }
}

/** A delivery that reached its end: delivered, dead, expired or cancelled. */
export class FinishedDelivery implements DeliveryFields {
  constructor(
    /** Its id. */
    readonly id: string,
    /** The notification it delivered. */
    readonly notification: FeedEntry,
    /** The endpoint. */
    readonly subscriptionId: string,
    /** The endpoint's transport. */
    readonly transport: string,
    /** The endpoint's platform. */
    readonly platformType: PlatformType,
    /** The notification or its fallback. */
    readonly kind: DeliveryKind,
    /** How it ended. */
    readonly status: FinishedStatus,
    /** Attempts made. */
    readonly attempts: number,
    /** When it was created (epoch ms). */
    readonly createdAt: number,
    /** When it ended (epoch ms): its `updatedAt`, and its `deliveredAt` when delivered. */
    readonly finishedAt: number,
    /** The last error met. */
    readonly lastError: DeliveryError | undefined,
  ) {}

  /** Never due again (as {@link OpenDelivery.nextAttemptAt} reads for an open one). */
  get nextAttemptAt(): null {
    return null;
  }

  /** When it last changed: when it ended. */
  get updatedAt(): number {
    return this.finishedAt;
  }

  /** A finished delivery holds no lease. */
  get lease(): undefined {
    return undefined;
  }

  /** Its public record, frozen. */
  toRecord(): DeliveryRecord {
    const record = baseRecord(this, this.status, this.attempts, null, this.finishedAt);
    if (this.status === 'delivered') record.deliveredAt = this.finishedAt;
    if (this.lastError !== undefined) record.lastError = this.lastError;
    return Object.freeze(record);
  }
}

/** A delivery as stored: open and mutable, or finished and compact. */
export type StoredDelivery = OpenDelivery | FinishedDelivery;

/**
 * An error as the engine keeps it, frozen and flat: the one it already holds when a
 * transition kept it, a copy of a new one.
 */
function storedError(error: DeliveryError | undefined, held: DeliveryError | undefined): DeliveryError | undefined {
  if (error === undefined || error === held) return error;
  return Object.freeze({ code: flat(error.code), message: flat(error.message), at: error.at });
}

type MutableRecord = { -readonly [K in keyof DeliveryRecord]: DeliveryRecord[K] };

function baseRecord(delivery: DeliveryFields, status: DeliveryRecord['status'], attempts: number, nextAttemptAt: number | null, updatedAt: number): MutableRecord {
  return {
    id: delivery.id,
    userId: delivery.notification.record.userId,
    notificationId: delivery.notification.record.id,
    subscriptionId: delivery.subscriptionId,
    transport: delivery.transport,
    platformType: delivery.platformType,
    kind: delivery.kind,
    status,
    attempts,
    nextAttemptAt,
    createdAt: delivery.createdAt,
    updatedAt,
  };
}
