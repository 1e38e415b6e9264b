/**
 * Wake-ups across processes: a send publishes on the keyspace's channel, and every other
 * store instance subscribed to it calls its listeners (the dispatchers), which claim at
 * once instead of at their next poll. Pub/sub is fire-and-forget: a wake-up lost in a
 * reconnect costs one poll interval, never a delivery, since the dispatcher still polls.
 */
import { randomUUID } from 'node:crypto';
import { bounded } from './deadline.js';
import type { RedisLink } from './redis-link.js';
import type { SubscriberConnection } from './subscriber.js';

/** Publishes one message at a time: calls made while one is sent share the next. */
export class Publisher {
  readonly #link: RedisLink;
  readonly #channel: string;
  readonly #timeoutMs: number;
  readonly #operation: string;
  /** A publish queued behind the one being sent; calls that happen meanwhile share it. */
  #queued: Promise<void> | undefined;
  #sending: Promise<void> = Promise.resolve();

  constructor(link: RedisLink, channel: string, timeoutMs: number, operation: string) {
    this.#link = link;
    this.#channel = channel;
    this.#timeoutMs = timeoutMs;
    this.#operation = operation;
  }

  /**
   * Publishes what `message()` returns when the queued publish goes out, after the one in
   * flight, so a message is never sent before the write it announces.
   */
  publish(message: () => string): Promise<void> {
    this.#queued ??= this.#sending.then(() => {
      this.#queued = undefined;
      const sent = this.#send(message());
      this.#sending = sent.catch(() => undefined);
      return sent;
    });
    return this.#queued;
  }

  async #send(message: string): Promise<void> {
    this.#link.assertConnected();
    try {
      // Bounded here too: a publish that never settles would hold every later one.
      await bounded(this.#link.client.publish(this.#channel, message), this.#timeoutMs, () => new Error('PUBLISH timed out'));
    } catch (error) {
      throw this.#link.translate(error, this.#operation);
    }
  }
}

/** One store instance's end of the wake-up channel. */
export class WakeChannel {
  readonly #subscriber: SubscriberConnection;
  readonly #channel: string;
  readonly #publisher: Publisher;
  /** Tells this instance's own messages apart: its dispatcher was already woken in-process. */
  readonly #instance = randomUUID();

  constructor(link: RedisLink, subscriber: SubscriberConnection, channel: string, timeoutMs: number) {
    this.#subscriber = subscriber;
    this.#channel = channel;
    this.#publisher = new Publisher(link, channel, timeoutMs, 'wake');
  }

  /** Calls `listener` on every wake-up from another instance; returns a function that stops it. */
  listen(listener: () => void): () => void {
    const listening = this.#subscriber.listen(this.#channel, {
      source: 'wake-up listener',
      message: (message) => {
        if (message !== this.#instance) listener();
      },
      // A wake-up lost while disconnected: claim now rather than at the next poll.
      reconnected: listener,
    });
    return () => listening.stop();
  }

  /** Tells the other instances that deliveries are due. */
  publish(): Promise<void> {
    return this.#publisher.publish(() => this.#instance);
  }
}
