/**
 * Wake-ups across processes: a send publishes on the keyspace's channel, and every other
 * store instance subscribed to it calls its listeners (the dispatchers), which claim at
 * once instead of at their next poll. Pub/sub is fire-and-forget: a wake-up lost in a
 * reconnect costs one poll interval, never a delivery, since the dispatcher still polls.
 *
 * The subscription has its own connection (a subscribed Redis connection can do nothing
 * else), opened when the first listener arrives.
 */
import { randomUUID } from 'node:crypto';
import { isHeraldError, processWarningLogger, type Logger } from '@herald/core/store';
import { bounded } from './deadline.js';
import type { RedisClientBase } from './client.js';
import { isCluster } from './redis-link.js';
import type { RedisLink } from './redis-link.js';

/** Wait before subscribing again when a SUBSCRIBE failed (a cluster still finding its nodes). */
const resubscribeMs = 1000;

/** One store instance's end of the wake-up channel. */
export class WakeChannel {
  readonly #link: RedisLink;
  readonly #channel: string;
  readonly #timeoutMs: number;
  /** Tells this instance's own messages apart: its dispatcher was already woken in-process. */
  readonly #instance = randomUUID();
  readonly #listeners = new Set<() => void>();
  #subscriber: RedisClientBase | undefined;
  #closed = false;
  /** A publish queued behind the one being sent; sends that happen meanwhile share it. */
  #queued: Promise<void> | undefined;
  #sending: Promise<void> = Promise.resolve();

  /** Hears a listener that throws: the store's logger, or process warnings as before. */
  readonly #log: Logger;

  constructor(link: RedisLink, channel: string, timeoutMs: number, log: Logger = processWarningLogger('[herald] [store-redis]')) {
    this.#log = log;
    this.#link = link;
    this.#channel = channel;
    this.#timeoutMs = timeoutMs;
  }

  /** Calls `listener` on every wake-up from another instance; returns a function that stops it. */
  listen(listener: () => void): () => void {
    if (this.#closed) return () => undefined;
    this.#listeners.add(listener);
    this.#subscribe();
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /**
   * Tells the other instances that deliveries are due. At most one publish is in flight:
   * calls made while one is sent share the next, which goes out after it, so a wake-up
   * is never sent before the write it announces.
   */
  publish(): Promise<void> {
    this.#queued ??= this.#sending.then(() => {
      this.#queued = undefined;
      const sent = this.#send();
      this.#sending = sent.catch(() => undefined);
      return sent;
    });
    return this.#queued;
  }

  /** Closes the subscription's connection; listeners are never called again. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
    const subscriber = this.#subscriber;
    this.#subscriber = undefined;
    if (subscriber !== undefined) subscriber.disconnect();
  }

  async #send(): Promise<void> {
    this.#link.assertConnected();
    try {
      // Bounded here too: a publish that never settles would hold every later one.
      await bounded(this.#link.client.publish(this.#channel, this.#instance), this.#timeoutMs, () => new Error('PUBLISH timed out'));
    } catch (error) {
      throw this.#link.translate(error, 'wake');
    }
  }

  #subscribe(): void {
    if (this.#subscriber !== undefined) return;
    // Its own connection, queueing the SUBSCRIBE until connected and renewing it after
    // every reconnect (ioredis's autoResubscribe).
    const { client } = this.#link;
    const subscriber: RedisClientBase =
      isCluster(client) ? client.duplicate([], { enableOfflineQueue: true, lazyConnect: false }) : client.duplicate({ enableOfflineQueue: true, lazyConnect: false, autoResubscribe: true });
    this.#subscriber = subscriber;
    subscriber.on('error', () => undefined); // reconnects by itself; calls report the outage
    subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.#channel || message === this.#instance) return;
      for (const listener of [...this.#listeners]) {
        try {
          listener();
        } catch (error) {
          // A listener's failure must not stop the others, nor break the connection's events.
          try {
            this.#log.error({ code: isHeraldError(error) ? error.code : 'INTERNAL', source: 'wake-up listener', err: error }, 'a wake-up listener failed');
          } catch {
            // Nor may a logger that throws.
          }
        }
      }
    });
    this.#subscribeOn(subscriber);
  }

  /** Subscribes, and tries again later while it fails and the channel is open. */
  #subscribeOn(subscriber: RedisClientBase): void {
    subscriber.subscribe(this.#channel).catch(() => {
      if (this.#subscriber !== subscriber) return;
      setTimeout(() => {
        if (this.#subscriber === subscriber) this.#subscribeOn(subscriber);
      }, resubscribeMs).unref();
    });
  }
}
