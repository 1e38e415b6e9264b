/**
 * Deliveries in two forms. An open delivery (`pending` or `failed`) is a small mutable
 * object the due queue points at. A finished one (`delivered`, `dead`, `expired`,
 * `cancelled`) never changes again except by a retry, so it shrinks to what its record
 * needs: no lease, no queue bookkeeping, one time for `updatedAt` and `deliveredAt`.
 * Most stored deliveries are finished, so this is where the memory goes.
 * Both build their public record on demand, frozen.
 */
import type { DeliveryError, DeliveryKind, DeliveryLease, DeliveryRecord, NewDelivery, PlatformType } from '@herald/core/store';
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
  /** Key of its live node in the due queue; -1 when not queued. */
  dueKey = -1;
  /** Where it stands. */
  status: 'pending' | 'failed' = 'pending';
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

  /** A dead delivery made pending again, due at `now`, attempts reset. */
  static revive(dead: FinishedDelivery, now: number): OpenDelivery {
    const open = new OpenDelivery(dead.id, dead.notification, dead.subscriptionId, dead.transport, dead.platformType, dead.kind, dead.createdAt, now);
    open.updatedAt = now;
    open.lastError = dead.lastError;
    return open;
  }

  /** When it becomes claimable: when due, or when its lease runs out, whichever is later. */
  get claimableAt(): number {
    return this.lease === undefined ? this.nextAttemptAt : Math.max(this.nextAttemptAt, this.lease.expiresAt);
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

  /** Its finished form: it leaves the queue and drops the lease. */
  finish(status: FinishedStatus, attempts: number, now: number, lastError: DeliveryError | undefined): FinishedDelivery {
    return new FinishedDelivery(this.id, this.notification, this.subscriptionId, this.transport, this.platformType, this.kind, status, attempts, this.createdAt, now, lastError);
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

/** A frozen error record. */
export function deliveryError(code: string, message: string, at: number): DeliveryError {
  return Object.freeze({ code: flat(code), message: flat(message), at });
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
