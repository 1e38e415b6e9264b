/**
 * A notification as the store holds it: the frozen record handed to readers, plus the
 * few numbers the indexes need. One small object per notification, no Maps or closures.
 */
import type { StoredNotification } from '@herald/core/store';
import type { StoredDelivery } from './delivery-record.js';
import type { Expiring } from './expiry-heap.js';

/** A notification in a user's feed. */
export class FeedEntry implements Expiring {
  /** The record readers get (frozen; replaced, never changed). */
  record: StoredNotification;
  /** The sequence of its last creation or update; -1 once it left the store. */
  position: number;
  /** The sequence of its creation, to tell `created` from `updated` in the change feed. */
  createdSequence: number;
  /** When it expires (epoch ms). */
  expiresAt: number;
  /** Its slot in the user's expiry heap. */
  expirySlot = -1;
  /** Its deliveries, oldest first; `undefined` when it has none (saves an empty array). */
  deliveries: StoredDelivery[] | undefined = undefined;
  /** Its place in the store-wide write order, kept only when a total cap is set. */
  writeOrder = 0;
  /** The delivery decisions its last write kept (`ListedNotificationWrite.decisions`); most writes keep none. */
  decisions: string | undefined = undefined;

  constructor(record: StoredNotification, expiresAt: number) {
    this.record = record;
    this.position = record.sequence;
    this.createdSequence = record.sequence;
    this.expiresAt = expiresAt;
  }

  /** True while it is in the store (expired or not). */
  get stored(): boolean {
    return this.position >= 0;
  }

  /** True when it is expired at `now`: `Date.parse(expirationDateTime) <= now`. */
  expiredAt(now: number): boolean {
    return this.expiresAt <= now;
  }
}
