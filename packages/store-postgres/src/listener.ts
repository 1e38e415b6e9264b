/**
 * The store instance's listening connection: LISTEN holds a connection for as long as it
 * listens, so the wake-ups and feed announcements get one dedicated `pg.Client`, opened by
 * the first listener and shared by both. NOTIFY is fire-and-forget: what is sent while
 * the connection is down is lost, so after a reconnect every listener is called once (the
 * dispatcher claims, the live feeds read again) as if something had been announced.
 * An outage is one pair of records — `CONNECTION_LOST` when the connection is lost (or the
 * first one cannot be made), `CONNECTION_RESTORED` once it listens again — not one per
 * attempt: it tries again every second, and the attempts in between are `debug` records.
 */
import type { Client } from 'pg';
import type { FeedChangeListener, FeedChangeSubscription, Logger } from '@herald/core/store';
import { parseAnnouncement } from './announcements.js';

/** Wait before connecting again after the listening connection failed or was lost, in ms. */
const reconnectDelayMs = 1000;

/** One store instance's listening connection. */
export class ChannelListener {
  readonly #newClient: () => Client;
  readonly #channel: string;
  readonly #instance: string;
  readonly #log: Logger;
  readonly #wakeListeners = new Set<() => void>();
  readonly #feedListeners = new Set<FeedChangeListener>();
  #client: Client | undefined;
  #started = false;
  #closed = false;
  #connectedOnce = false;
  /** When the outage began (epoch ms), while the connection is lost and not yet back; its `CONNECTION_LOST` was logged. */
  #downSince: number | undefined;
  /** Failed attempts to listen again in the current outage. */
  #failedAttempts = 0;
  #timer: NodeJS.Timeout | undefined;
  #listening: Promise<void>;
  #markListening: () => void = () => undefined;

  /** `newClient` makes an unconnected client; announcements from `instance` itself are not heard. */
  constructor(newClient: () => Client, channel: string, instance: string, log: Logger) {
    this.#newClient = newClient;
    this.#channel = channel;
    this.#instance = instance;
    this.#log = log;
    this.#listening = this.#pendingListening();
  }

  /** Calls `listener` on every wake-up of another instance (or of an app's transaction); returns a function that stops it. */
  onWake(listener: () => void): () => void {
    if (this.#closed) return () => undefined;
    const own = (): void => listener();
    this.#wakeListeners.add(own);
    this.#start();
    return () => void this.#wakeListeners.delete(own);
  }

  /** Calls `listener` on every feed announcement of another instance; ready once LISTEN was acknowledged. */
  onFeedChange(listener: FeedChangeListener): FeedChangeSubscription {
    if (this.#closed) return { ready: new Promise(() => undefined), stop: () => undefined };
    const own: FeedChangeListener = (userId) => listener(userId);
    this.#feedListeners.add(own);
    this.#start();
    return { ready: this.#listening, stop: () => void this.#feedListeners.delete(own) };
  }

  /** Closes the connection; listeners are never called again. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#wakeListeners.clear();
    this.#feedListeners.clear();
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }

  #pendingListening(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#markListening = resolve;
    });
  }

  #start(): void {
    if (this.#started || this.#closed) return;
    this.#started = true;
    void this.#connect();
  }

  async #connect(): Promise<void> {
    if (this.#closed) return;
    const client = this.#newClient();
    this.#client = client;
    let lost = false;
    const onLost = (error?: unknown): void => {
      if (lost || this.#client !== client) return;
      lost = true;
      this.#client = undefined;
      this.#listening = this.#pendingListening();
      if (!this.#closed) this.#reportLost(error);
      void client.end().catch(() => undefined);
      this.#retry();
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (message) => {
      if (message.channel === this.#channel) this.#heard(message.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${this.#channel}"`);
    } catch (error) {
      onLost(error);
      return;
    }
    if (this.#closed || lost) return;
    this.#markListening();
    if (this.#downSince !== undefined) {
      const downMs = Date.now() - this.#downSince;
      this.#log.info({ code: 'CONNECTION_RESTORED', downMs, attempts: this.#failedAttempts }, `listening to PostgreSQL again after ${downMs} ms`);
      this.#downSince = undefined;
      this.#failedAttempts = 0;
    }
    if (this.#connectedOnce) this.#callAll(undefined, true);
    this.#connectedOnce = true;
  }

  /** The first failure of an outage is a warning; the attempts after it, until it is back, are detail. */
  #reportLost(error: unknown): void {
    if (this.#downSince !== undefined) {
      this.#failedAttempts += 1;
      this.#log.debug({ code: 'CONNECTION_LOST', err: error, attempts: this.#failedAttempts }, 'connecting to PostgreSQL to listen again failed; trying again');
      return;
    }
    this.#downSince = Date.now();
    const what = this.#connectedOnce ? 'the listening connection to PostgreSQL was lost' : 'the listening connection to PostgreSQL could not be made';
    this.#log.warn({ code: 'CONNECTION_LOST', err: error }, `${what}; connecting again every ${reconnectDelayMs / 1000} s until it is back, without another warning`);
  }

  #retry(): void {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#connect(), reconnectDelayMs);
    // An instance waiting to reconnect does not keep the process alive by itself.
    this.#timer.unref();
  }

  #heard(payload: string | undefined): void {
    const announcement = parseAnnouncement(payload);
    if (announcement === undefined || announcement.instance === this.#instance) return;
    if (announcement.kind === 'wake') this.#callAll(undefined, false, 'wake');
    else if (announcement.userIds === undefined) this.#callAll(undefined, false, 'feed');
    else for (const userId of announcement.userIds) this.#callAll(userId, false, 'feed');
  }

  /** Calls the wake-up or feed listeners (both after a reconnect); one that throws does not stop the others. */
  #callAll(userId: string | undefined, both: boolean, kind?: 'wake' | 'feed'): void {
    const calls: Array<() => void> = [];
    if (both || kind === 'wake') for (const listener of this.#wakeListeners) calls.push(listener);
    if (both || kind === 'feed') for (const listener of this.#feedListeners) calls.push(() => listener(userId));
    for (const call of calls) {
      try {
        call();
      } catch (error) {
        this.#log.error({ err: error }, 'a wake-up or feed listener threw');
      }
    }
  }
}
