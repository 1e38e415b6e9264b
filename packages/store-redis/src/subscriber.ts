/**
 * The store instance's subscriber connection: a subscribed Redis connection can do
 * nothing else, so pub/sub gets a connection of its own, opened when the first channel
 * is listened to and shared by every channel (the dispatchers' wake-ups, the live
 * feeds' announcements). Pub/sub is fire-and-forget: what is published while the
 * connection is down is lost, so a reconnect is reported to the channels, which may
 * read again what they could have missed.
 */
import { isHeraldError, type Logger } from '@herald/core/store';
import type { RedisClientBase } from './client.js';
import { isCluster, type RedisLink } from './redis-link.js';

/** Wait before subscribing again when a SUBSCRIBE failed (a cluster still finding its nodes). */
const resubscribeMs = 1000;

/** What a channel's listener hears. */
export interface ChannelHandler {
  /** What logs name a handler that throws: `wake-up listener`. */
  readonly source: string;
  /** A message published on the channel. */
  message(message: string): void;
  /** The connection came back after a loss: messages may have been missed. */
  reconnected?(): void;
}

/** A channel's hold on the connection. */
export interface ChannelListening {
  /** Resolves once the SUBSCRIBE was acknowledged: what is published from then on arrives. */
  readonly ready: Promise<void>;
  /** Stops hearing the channel (the connection stays open until the store closes). */
  stop(): void;
}

interface Channel {
  readonly handlers: Set<ChannelHandler>;
  readonly ready: Promise<void>;
}

/** One store instance's subscriber connection. */
export class SubscriberConnection {
  readonly #link: RedisLink;
  readonly #log: Logger;
  readonly #channels = new Map<string, Channel>();
  #subscriber: RedisClientBase | undefined;
  #connectedOnce = false;
  #closed = false;

  constructor(link: RedisLink, log: Logger) {
    this.#link = link;
    this.#log = log;
  }

  /** Calls `handler` for every message on `channel` until stopped. */
  listen(channel: string, handler: ChannelHandler): ChannelListening {
    if (this.#closed) return { ready: new Promise(() => undefined), stop: () => undefined };
    const subscriber = this.#open();
    let entry = this.#channels.get(channel);
    if (entry === undefined) {
      entry = { handlers: new Set(), ready: new Promise<void>((resolve) => this.#subscribeOn(subscriber, channel, resolve)) };
      this.#channels.set(channel, entry);
    }
    entry.handlers.add(handler);
    const { handlers } = entry;
    return { ready: entry.ready, stop: () => void handlers.delete(handler) };
  }

  /** Closes the connection; handlers are never called again. */
  close(): void {
    this.#closed = true;
    this.#channels.clear();
    const subscriber = this.#subscriber;
    this.#subscriber = undefined;
    if (subscriber !== undefined) subscriber.disconnect();
  }

  #open(): RedisClientBase {
    if (this.#subscriber !== undefined) return this.#subscriber;
    // Its own connection, queueing the SUBSCRIBE until connected and renewing it after
    // every reconnect (ioredis's autoResubscribe).
    const { client } = this.#link;
    const subscriber: RedisClientBase =
      isCluster(client) ? client.duplicate([], { enableOfflineQueue: true, lazyConnect: false }) : client.duplicate({ enableOfflineQueue: true, lazyConnect: false, autoResubscribe: true });
    this.#subscriber = subscriber;
    subscriber.on('error', () => undefined); // reconnects by itself; calls report the outage
    subscriber.on('ready', () => {
      if (!this.#connectedOnce) {
        this.#connectedOnce = true;
        return;
      }
      for (const { handlers } of [...this.#channels.values()]) for (const handler of [...handlers]) this.#call(handler, () => handler.reconnected?.());
    });
    subscriber.on('message', (channel: string, message: string) => {
      const handlers = this.#channels.get(channel)?.handlers;
      if (handlers !== undefined) for (const handler of [...handlers]) this.#call(handler, () => handler.message(message));
    });
    return subscriber;
  }

  /** A handler's failure must not stop the others, nor break the connection's events. */
  #call(handler: ChannelHandler, work: () => void): void {
    try {
      work();
    } catch (error) {
      try {
        this.#log.error({ code: isHeraldError(error) ? error.code : 'INTERNAL', source: handler.source, err: error }, `a ${handler.source} failed`);
      } catch {
        // Nor may a logger that throws.
      }
    }
  }

  /** Subscribes, and tries again later while it fails and the connection is open. */
  #subscribeOn(subscriber: RedisClientBase, channel: string, subscribed: () => void): void {
    subscriber.subscribe(channel).then(subscribed, () => {
      if (this.#subscriber !== subscriber) return;
      setTimeout(() => {
        if (this.#subscriber === subscriber) this.#subscribeOn(subscriber, channel, subscribed);
      }, resubscribeMs).unref();
    });
  }
}
