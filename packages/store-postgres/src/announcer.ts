/**
 * The instance's own announcements (`wake()`, `feedChanged()`), sent one NOTIFY statement at
 * a time: calls made while one is on its way join the next, as one statement. PostgreSQL
 * takes one lock, at commit, for every transaction that notifies, so a burst of sends
 * costs a few notifying transactions instead of two each. Nothing is announced before the
 * call that asked for it.
 */
import { feedPayload, wakePayload } from './announcements.js';
import type { Database } from './database.js';

/** What the next statement announces. */
interface Pending {
  wake: boolean;
  /** Users whose feeds changed; `'any'` once a call named none. */
  users: Set<string> | 'any' | undefined;
  sent: Promise<void>;
}

/** One store instance's announcer. */
export class Announcer {
  readonly #db: Database;
  readonly #instance: string;
  #pending: Pending | undefined;
  #previous: Promise<unknown> = Promise.resolve();

  constructor(db: Database, instance: string) {
    this.#db = db;
    this.#instance = instance;
  }

  /** Wakes the other instances' dispatchers. */
  wake(): Promise<void> {
    const pending = this.#next();
    pending.wake = true;
    return pending.sent;
  }

  /** Tells the other instances these users' feeds changed (`undefined`: any user's). */
  feedChanged(userIds: readonly string[] | undefined): Promise<void> {
    const pending = this.#next();
    if (userIds === undefined) pending.users = 'any';
    else if (pending.users !== 'any') {
      const users = pending.users ?? new Set<string>();
      for (const userId of userIds) users.add(userId);
      pending.users = users;
    }
    return pending.sent;
  }

  /** The statement calls join now: the one queued behind the statement on its way. */
  #next(): Pending {
    if (this.#pending !== undefined) return this.#pending;
    const pending: Pending = { wake: false, users: undefined, sent: Promise.resolve() };
    pending.sent = this.#previous.then(() => {
      // From here on, calls join the statement after this one.
      this.#pending = undefined;
      return this.#send(pending);
    });
    this.#previous = pending.sent.catch(() => undefined);
    this.#pending = pending;
    return pending;
  }

  async #send(pending: Pending): Promise<void> {
    const payloads: string[] = [];
    if (pending.wake) payloads.push(wakePayload(this.#instance));
    if (pending.users !== undefined) payloads.push(feedPayload(this.#instance, pending.users === 'any' ? undefined : [...pending.users]));
    await this.#db.rows('wake', 'SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload', [this.#db.names.channel, payloads]);
  }
}
