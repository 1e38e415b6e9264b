/**
 * Each store instance keeps the recipients (subscriptions and preferences) of recently
 * sending users, each with the user's recipient version it was read at (migration 3), so
 * that a send plans its deliveries without reading them in its write. The copy is never
 * trusted blindly: the write checks the version under the user's lock and refuses a
 * stale plan, which is made again from a fresh read (notification-batches.ts). A
 * subscription or preference changed by any instance therefore never makes a send miss
 * or use an endpoint; the copy only saves the read.
 */
import { deepFreeze, type NotificationPreferences, type Recipient, type StoredSubscription } from '@herald/core/store';
import { LRUCache } from 'lru-cache';
import type { Database } from './database.js';
import { big, subscriptionColumns, subscriptionOf, type SubscriptionRow } from './rows.js';

/** A user's recipient as read at one version. */
export interface KnownRecipient extends Recipient {
  /** The user's recipient version it was read at. */
  readonly version: number;
}

/** Users whose recipients one instance keeps: at about 1 KB each, some 10 MB at most. */
const capacity = 10_000;

/** A row of the read: the user's columns, then one subscription's (all NULL without any). */
type RecipientRow = { readonly version: string; readonly preferences: NotificationPreferences | null } & ({ readonly id: string } & SubscriptionRow | { readonly id: null });

/** The recipients of the users who sent last, least recently used out first. */
export class RecipientCache {
  readonly #entries = new LRUCache<string, KnownRecipient>({ max: capacity });
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  /**
   * `userId`'s recipient: the copy kept, unless `fresh`, else read (and kept). `undefined`
   * when the user has no row yet (never subscribed, set preferences or was sent to).
   */
  async get(userId: string, fresh = false): Promise<KnownRecipient | undefined> {
    const kept = fresh ? undefined : this.#entries.get(userId);
    if (kept !== undefined) return kept;
    const read = await this.#read(userId);
    if (read === undefined) this.#entries.delete(userId);
    else this.#entries.set(userId, read);
    return read;
  }

  /** Forgets `userId`: this instance just changed their recipient (the next send reads it again rather than be refused once). */
  forget(userId: string): void {
    this.#entries.delete(userId);
  }

  /** The version, preferences and subscriptions (oldest first) in one statement: one snapshot. */
  async #read(userId: string): Promise<KnownRecipient | undefined> {
    const { users, subscriptions } = this.#db.names;
    const rows = await this.#db.rows<RecipientRow>(
      'saveNotification',
      `SELECT u.version, u.preferences, ${subscriptionColumns} FROM ${users} u LEFT JOIN ${subscriptions} s ON s.user_id = u.user_id WHERE u.user_id = $1 ORDER BY s.serial`,
      [userId],
    );
    const [first] = rows;
    if (first === undefined) return undefined;
    const found: StoredSubscription[] = [];
    for (const row of rows) if (row.id !== null) found.push(Object.freeze(subscriptionOf(row)));
    return Object.freeze({ version: big(first.version), preferences: deepFreeze(first.preferences ?? undefined), subscriptions: Object.freeze(found) });
  }
}
