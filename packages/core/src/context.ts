/**
 * What the parts of a service share: the store, the clock, the transports, the events,
 * the policies and the resolved settings.
 */
import type { Clock } from './clock.js';
import type { Dispatcher } from './dispatcher.js';
import type { ServiceEvents } from './emitter.js';
import type { FeedWatchers } from './feed-watchers.js';
import type { Policies } from './policies.js';
import type { NotificationStore } from './store/interface.js';
import type { Transport } from './transport/interface.js';

/** Settings resolved from the service's options, defaults applied. */
export interface ServiceSettings {
  readonly defaultExpirationMs: number;
  readonly subscriptionLifetimeMs: number;
  readonly maxSubscriptionLifetimeMs: number;
  readonly maxSubscriptionsPerUser: number;
  readonly idempotencyKeyTtlMs: number;
  readonly changeRetentionMs: number;
  readonly purgeIntervalMs: number;
}

/** The shared state of one service. */
export interface ServiceContext {
  readonly store: NotificationStore;
  readonly clock: Clock;
  readonly transports: ReadonlyMap<string, Transport>;
  readonly events: ServiceEvents;
  readonly policies: Policies;
  readonly settings: ServiceSettings;
  readonly dispatcher: Dispatcher;
  /** Throws `SERVICE_CLOSED` once the service is closed. */
  assertOpen(): void;
  /** Tells this process's dispatcher, and other processes sharing the store, that deliveries are due. */
  deliveriesDue(): void;
  /** This process's live feeds: every write that changes a feed calls `changed` after it. */
  readonly feedWatchers: FeedWatchers;
  /** Sends under way, by user and idempotency key: a concurrent repeat waits for the first. */
  readonly sendsByIdempotencyKey: Map<string, Promise<unknown>>;
}
