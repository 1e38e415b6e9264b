/**
 * A notification as the store holds it: the frozen record handed to readers, plus the
 * few numbers the indexes need. One small object per notification, no Maps or closures.
 */
import type { StoredNotification } from '@herald/core/store';
import type { StoredDelivery } from './delivery-record.js';
import type { Expiring } from './expiry-heap.js';

/**
 * Where a restored entry's deliveries wait, packed, until first asked for: a durable
 * store's reader keeps finished deliveries (kept only as history, never due again) as the
 * bytes it read, rather than three objects and their strings per notification that the
 * open would make and the collector copy, for deliveries most of which are never read.
 */
export interface PackedDeliveries {
  /** The deliveries of `entry` packed at `offset`, made anew on each call (the same ones each time). */
  unpack(entry: FeedEntry, offset: number): StoredDelivery[];
}

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
  #deliveries: StoredDelivery[] | undefined = undefined;
  /** Where its deliveries are packed, until first asked for (see {@link PackedDeliveries}). */
  #packed: PackedDeliveries | undefined = undefined;
  #packedAt = 0;
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

  /** Its deliveries, oldest first; `undefined` when it has none (saves an empty array). Unpacked on first use. */
  get deliveries(): StoredDelivery[] | undefined {
    if (this.#packed !== undefined) {
      this.#deliveries = this.#packed.unpack(this, this.#packedAt);
      this.#packed = undefined;
    }
    return this.#deliveries;
  }

  set deliveries(deliveries: StoredDelivery[] | undefined) {
    this.#packed = undefined;
    this.#deliveries = deliveries;
  }

  /** Leaves its deliveries packed in `source` at `offset` until first asked for. */
  pack(source: PackedDeliveries, offset: number): void {
    this.#deliveries = undefined;
    this.#packed = source;
    this.#packedAt = offset;
  }

  /** Its deliveries for a copy (a state image): packed ones are made for the copy, and left packed. */
  get deliveriesToCopy(): readonly StoredDelivery[] | undefined {
    return this.#packed === undefined ? this.#deliveries : this.#packed.unpack(this, this.#packedAt);
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
