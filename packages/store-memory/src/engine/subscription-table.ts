/**
 * The subscriptions (endpoints): frozen records by id and by user, and an indexed heap of
 * the active ones by expiry, so a purge finds the expired ones without scanning them all
 * and a deleted one leaves nothing behind.
 */
import { formatDateTime } from '@herald/core/store';
import type { NewSubscription, StoredSubscription, SubscriptionPatch } from '@herald/core/store';
import { flat } from './flat-string.js';
import { ExpiryHeap } from './expiry-heap.js';
import type { Expiring } from './expiry-heap.js';

/** A subscription as held: its current record, replaced on each change. */
class SubscriptionEntry implements Expiring {
  /** Its slot in the heap of active subscriptions by expiry; -1 when not active. */
  expirySlot = -1;
  constructor(
    public record: StoredSubscription,
    public expiresAt: number,
    public createdAt: number,
  ) {}
}

/** All subscriptions of the store. */
export class SubscriptionTable {
  readonly #byId = new Map<string, SubscriptionEntry>();
  readonly #byUser = new Map<string, Map<string, SubscriptionEntry>>();
  /**
   * Each user's list as last built, frozen: every send reads it, and it changes only when
   * one of the user's subscriptions does.
   */
  readonly #lists = new Map<string, readonly StoredSubscription[]>();
  /** Active subscriptions by expiry. */
  readonly #expiry = new ExpiryHeap<SubscriptionEntry>();

  /** Creates an active subscription with the given (fresh, random) id. */
  create(id: string, subscription: NewSubscription, now: number): StoredSubscription {
    const created = formatDateTime(now);
    const record: { -readonly [K in keyof StoredSubscription]: StoredSubscription[K] } = {
      id: flat(id),
      userId: flat(subscription.userId),
      targetHostName: flat(subscription.targetHostName),
      platformType: subscription.platformType,
      transport: flat(subscription.transport),
      address: flat(subscription.address),
      createdDateTime: created,
      lastModifiedDateTime: created,
      expirationDateTime: formatDateTime(subscription.expiresAt),
      status: 'active',
    };
    if (subscription.secret !== undefined) record.secret = flat(subscription.secret);
    const entry = new SubscriptionEntry(Object.freeze(record), subscription.expiresAt, now);
    this.#byId.set(id, entry);
    let mine = this.#byUser.get(subscription.userId);
    if (mine === undefined) {
      mine = new Map();
      this.#byUser.set(subscription.userId, mine);
    }
    mine.set(id, entry);
    this.#lists.delete(subscription.userId);
    this.#expiry.set(entry, entry.expiresAt);
    return entry.record;
  }

  /** One subscription, whatever its status. */
  get(id: string): StoredSubscription | undefined {
    return this.#byId.get(id)?.record;
  }

  /** A user's subscriptions, oldest first (creation order breaks ties of equal times); frozen. */
  list(userId: string): readonly StoredSubscription[] {
    const cached = this.#lists.get(userId);
    if (cached !== undefined) return cached;
    const mine = this.#byUser.get(userId);
    const list = Object.freeze(mine === undefined ? [] : [...mine.values()].sort((a, b) => a.createdAt - b.createdAt).map((entry) => entry.record));
    if (mine !== undefined) this.#lists.set(userId, list);
    return list;
  }

  /** Applies `patch` and stamps the change; `undefined` when missing. */
  update(id: string, patch: SubscriptionPatch, now: number): StoredSubscription | undefined {
    const entry = this.#byId.get(id);
    if (entry === undefined) return undefined;
    const { statusReason: _previousReason, ...rest } = entry.record;
    const reason = patch.statusReason === undefined ? entry.record.statusReason : (patch.statusReason ?? undefined);
    const next: { -readonly [K in keyof StoredSubscription]: StoredSubscription[K] } = {
      ...rest,
      lastModifiedDateTime: formatDateTime(now),
    };
    if (patch.expiresAt !== undefined) next.expirationDateTime = formatDateTime(patch.expiresAt);
    if (patch.status !== undefined) next.status = patch.status;
    if (reason !== undefined) next.statusReason = flat(reason);
    entry.record = Object.freeze(next);
    this.#lists.delete(next.userId);
    if (patch.expiresAt !== undefined) entry.expiresAt = patch.expiresAt;
    if (entry.record.status === 'active') this.#expiry.set(entry, entry.expiresAt);
    else this.#expiry.delete(entry);
    return entry.record;
  }

  /** Deletes a subscription; false when missing. */
  delete(id: string): boolean {
    const entry = this.#byId.get(id);
    if (entry === undefined) return false;
    this.#expiry.delete(entry);
    this.#byId.delete(id);
    const mine = this.#byUser.get(entry.record.userId);
    mine?.delete(id);
    if (mine?.size === 0) this.#byUser.delete(entry.record.userId);
    this.#lists.delete(entry.record.userId);
    return true;
  }

  /** Marks active subscriptions expired by `now` inactive (reason `expired`) and returns them. */
  expire(now: number): StoredSubscription[] {
    const expired: StoredSubscription[] = [];
    for (let key = this.#expiry.earliestKey(); key !== undefined && key <= now; key = this.#expiry.earliestKey()) {
      const entry = this.#expiry.earliest() as SubscriptionEntry;
      this.#expiry.delete(entry);
      const updated = this.update(entry.record.id, { status: 'inactive', statusReason: 'expired' }, now);
      if (updated !== undefined) expired.push(updated);
    }
    return expired;
  }

  /** Every subscription with its expiry and creation time, in creation order (for state images). */
  entries(): { readonly record: StoredSubscription; readonly expiresAt: number; readonly createdAt: number }[] {
    return [...this.#byId.values()].map(({ record, expiresAt, createdAt }) => ({ record, expiresAt, createdAt }));
  }

  /** Puts back a subscription read from a state image (call in creation order). */
  restore(record: StoredSubscription, expiresAt: number, createdAt: number): void {
    const entry = new SubscriptionEntry(record, expiresAt, createdAt);
    this.#byId.set(record.id, entry);
    let mine = this.#byUser.get(record.userId);
    if (mine === undefined) {
      mine = new Map();
      this.#byUser.set(record.userId, mine);
    }
    mine.set(record.id, entry);
    this.#lists.delete(record.userId);
    if (record.status === 'active') this.#expiry.set(entry, expiresAt);
  }

  /** The users with a subscription. */
  userIds(): IterableIterator<string> {
    return this.#byUser.keys();
  }

  /** Entries of the expiry heap: what its memory follows. */
  get expiryNodes(): number {
    return this.#expiry.size;
  }

  /** Every subscription, in creation order (for state images and the logical state). */
  all(): StoredSubscription[] {
    return [...this.#byId.values()].map((entry) => entry.record);
  }
}
