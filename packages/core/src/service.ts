/**
 * `createNotificationService`: wires a store, transports, policies, a clock and a
 * dispatcher into the service applications use.
 */
import { systemClock, type Clock, type ClockTimer } from './clock.js';
import { contractLimits } from './contract/limits.js';
import type { NotificationRequest } from './contract/types.js';
import type { ServiceContext, ServiceSettings } from './context.js';
import { createDeliveriesApi, type DeliveriesApi } from './deliveries.js';
import { Dispatcher, type DispatcherSettings } from './dispatcher.js';
import { ServiceEvents, type HeraldEventSource } from './emitter.js';
import { HeraldError, optionError } from './errors.js';
import { positiveWholeNumberOption } from './option-checks.js';
import { createFeedApi, type FeedApi } from './feed.js';
import { newId } from './ids.js';
import { createPolicies, type PolicyOptions } from './policies.js';
import { exponentialBackoff, type RetryPolicy } from './retry.js';
import { send, type SendOptions, type SendResult, type SendTarget } from './send.js';
import type { NotificationStore, PurgeResult } from './store.js';
import { createSubscriptionsApi, type SubscriptionsApi } from './subscriptions.js';
import type { Transport } from './transport.js';

const day = 86_400_000;

/** Options of the dispatcher. */
export interface DispatcherOptions {
  /**
   * Start delivering as soon as the service is created; otherwise call `start()`.
   * @default true
   */
  readonly autoStart?: boolean;
  /**
   * Most deliveries attempted at once by this process.
   * @default 16
   */
  readonly concurrency?: number;
  /**
   * How long a claim on a delivery lasts; renewed while an attempt runs. An instance
   * that dies loses its claims after this long, and another takes the work over.
   * @default 60_000
   */
  readonly leaseMs?: number;
  /**
   * Longest a transport may take for one attempt before it counts as a retryable failure.
   * @default 30_000
   */
  readonly attemptTimeoutMs?: number;
  /**
   * When to retry failed attempts, unless the transport brings its own schedule.
   * @default exponentialBackoff(): 1 s doubling to at most 1 h, ±20 % jitter, 10 attempts
   */
  readonly retry?: RetryPolicy;
  /**
   * Longest wait a transport's retry-after hint can impose.
   * @default 86_400_000 (one day)
   */
  readonly maxRetryAfterMs?: number;
  /**
   * For stores shared by several processes: how often to look for work that other
   * processes made due.
   * @default 1000
   */
  readonly pollIntervalMs?: number;
  /**
   * Wait after the store fails before the dispatcher tries again.
   * @default 1000
   */
  readonly errorBackoffMs?: number;
  /**
   * This process's name in delivery leases.
   * @default a random id
   */
  readonly instanceId?: string;
}

/** Options of {@link createNotificationService}. */
export interface NotificationServiceOptions {
  /** Where notifications, subscriptions and deliveries live. */
  readonly store: NotificationStore;
  /**
   * The transports subscriptions can name.
   * @default none
   */
  readonly transports?: Iterable<Transport>;
  /**
   * The time source and timers.
   * @default the system clock
   */
  readonly clock?: Clock;
  /** Authorization, blocked callers and throttling. @default everything allowed */
  readonly policies?: PolicyOptions;
  /** How deliveries are worked. */
  readonly dispatcher?: DispatcherOptions;
  /**
   * Lifetime of a notification sent without `expirationDateTime`, in ms (at most 30 days).
   * @default 2_592_000_000 (30 days)
   */
  readonly defaultExpirationMs?: number;
  /**
   * Lifetime of a subscription created or renewed without an expiry, in ms.
   * @default 2_592_000_000 (30 days)
   */
  readonly subscriptionLifetimeMs?: number;
  /**
   * Longest lifetime a subscription can be given, in ms.
   * @default 31_536_000_000 (365 days)
   */
  readonly maxSubscriptionLifetimeMs?: number;
  /**
   * Most subscriptions one user may have.
   * @default 100
   */
  readonly maxSubscriptionsPerUser?: number;
  /**
   * How long an idempotency key is remembered, in ms.
   * @default 86_400_000 (one day)
   */
  readonly idempotencyKeyTtlMs?: number;
  /**
   * How long deletions stay in the change feed, in ms; a client whose cursor is older
   * must read the whole feed again.
   * @default 604_800_000 (7 days)
   */
  readonly changeRetentionMs?: number;
  /**
   * How often a running service purges expired data, in ms.
   * @default 60_000
   */
  readonly purgeIntervalMs?: number;
  /**
   * Random numbers in [0, 1) for retry jitter; a seeded source makes tests repeatable.
   * @default Math.random
   */
  readonly random?: () => number;
}

/** What `purgeExpired` removed. */
export interface PurgeSummary {
  /** Expired notifications removed. */
  readonly notifications: number;
  /** Subscriptions that expired and were marked inactive. */
  readonly subscriptions: number;
}

/** A Herald notification service. */
export interface NotificationService extends HeraldEventSource {
  /**
   * Sends a notification to a user (or the user behind a subscription id): validates it
   * against the contract, applies the policies, stores it in the user's feed with one
   * delivery per matching endpoint, and wakes the dispatcher. A second send with the same
   * `targetHostName` and `appNotificationId` for the same user updates the first.
   *
   * @throws HeraldError for every refusal: `ARRAY_BODY`, `CONTRACT_MISMATCH`,
   *   `INVALID_PAYLOAD`, `INVALID_PAYLOAD_DATA_TYPE`, `CALLER_BLOCKED`,
   *   `CALLER_UNAUTHORIZED`, `THROTTLED`, `SUBSCRIPTION_NOT_FOUND`, `SUBSCRIPTION_INACTIVE`,
   *   `TARGET_MISMATCH`, `IDEMPOTENCY_KEY_REUSED`, `INVALID_ARGUMENT`, `SERVICE_CLOSED`.
   */
  send(notification: NotificationRequest, target: SendTarget, options?: SendOptions): Promise<SendResult>;
  /** Endpoints: create, get, list, renew, deactivate, delete. */
  readonly subscriptions: SubscriptionsApi;
  /** Users' feeds: list, get, unread count, state changes, deletes, change feed. */
  readonly feed: FeedApi;
  /** The outbox: deliveries of a notification, dead ones, retries, cancellations. */
  readonly deliveries: DeliveriesApi;
  /** Removes expired notifications and old tombstones, and expires subscriptions. */
  purgeExpired(): Promise<PurgeSummary>;
  /** Starts the dispatcher and the periodic purge (done at creation unless `autoStart: false`). */
  start(): void;
  /** Stops the dispatcher and waits for attempts under way. Sends still store. */
  stop(): Promise<void>;
  /** Works every delivery that is due now, then resolves. */
  drain(): Promise<void>;
  /** Stops, then closes the transports and the store. Further calls reject with `SERVICE_CLOSED`. */
  close(): Promise<void>;
  /** True while the dispatcher runs. */
  readonly running: boolean;
  /** The store the service uses. */
  readonly store: NotificationStore;
  /** The clock the service uses. */
  readonly clock: Clock;
  /** This process's name in delivery leases. */
  readonly instanceId: string;
}

const storeMethods = [
  'saveNotification', 'getNotification', 'listFeed', 'countUnread', 'updateNotificationState', 'deleteNotification',
  'deleteGroup', 'listChanges', 'createSubscription', 'getSubscription', 'listSubscriptions', 'updateSubscription',
  'deleteSubscription', 'listDeliveries', 'getDelivery', 'listDeadDeliveries', 'retryDelivery', 'cancelDeliveries',
  'claimDeliveries', 'renewLease', 'completeDelivery', 'nextDueAt', 'purgeExpired', 'close',
] as const satisfies readonly (keyof NotificationStore)[];


function checkStore(store: unknown): NotificationStore {
  if (store === null || typeof store !== 'object') throw optionError(undefined, 'options.store is required: pass a store such as createMemoryStore()');
  const missing = storeMethods.filter((method) => typeof (store as Record<string, unknown>)[method] !== 'function');
  if (missing.length > 0) throw optionError(undefined, `options.store is not a NotificationStore: it lacks ${missing.join(', ')}`);
  return store as NotificationStore;
}

function checkTransports(transports: Iterable<Transport> | undefined): Map<string, Transport> {
  const byName = new Map<string, Transport>();
  for (const transport of transports ?? []) {
    if (transport === null || typeof transport !== 'object' || typeof transport.send !== 'function') {
      throw optionError(undefined, 'every transport must be an object with a name and a send(message, endpoint, context) method');
    }
    if (typeof transport.name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(transport.name)) {
      throw optionError(undefined, `transport name ${JSON.stringify(transport.name)} must be 1–64 letters, digits, dots, hyphens or underscores`);
    }
    if (byName.has(transport.name)) throw optionError(undefined, `two transports are named ${JSON.stringify(transport.name)}`);
    byName.set(transport.name, transport);
  }
  return byName;
}

function resolveDispatcher(options: DispatcherOptions, random: () => number): DispatcherSettings {
  const leaseMs = positiveWholeNumberOption(undefined, 'dispatcher.leaseMs', options.leaseMs, 60_000);
  const attemptTimeoutMs = positiveWholeNumberOption(undefined, 'dispatcher.attemptTimeoutMs', options.attemptTimeoutMs, 30_000);
  if (options.instanceId !== undefined && (typeof options.instanceId !== 'string' || options.instanceId.length === 0 || options.instanceId.length > 128)) {
    throw optionError(undefined, 'dispatcher.instanceId must be a string of 1–128 characters');
  }
  return {
    instanceId: options.instanceId ?? newId(),
    concurrency: positiveWholeNumberOption(undefined, 'dispatcher.concurrency', options.concurrency, 16),
    leaseMs,
    attemptTimeoutMs,
    retry: options.retry ?? exponentialBackoff(),
    maxRetryAfterMs: positiveWholeNumberOption(undefined, 'dispatcher.maxRetryAfterMs', options.maxRetryAfterMs, day),
    pollIntervalMs: positiveWholeNumberOption(undefined, 'dispatcher.pollIntervalMs', options.pollIntervalMs, 1000),
    errorBackoffMs: positiveWholeNumberOption(undefined, 'dispatcher.errorBackoffMs', options.errorBackoffMs, 1000),
    random,
  };
}

function resolveSettings(options: NotificationServiceOptions): ServiceSettings {
  const defaultExpirationMs = positiveWholeNumberOption(undefined, 'defaultExpirationMs', options.defaultExpirationMs, contractLimits.defaultExpirationMs);
  if (defaultExpirationMs > contractLimits.maxExpirationMs) throw optionError(undefined, 'defaultExpirationMs must be at most 30 days, the contract\'s limit');
  const maxSubscriptionLifetimeMs = positiveWholeNumberOption(undefined, 'maxSubscriptionLifetimeMs', options.maxSubscriptionLifetimeMs, 365 * day);
  const subscriptionLifetimeMs = positiveWholeNumberOption(undefined, 'subscriptionLifetimeMs', options.subscriptionLifetimeMs, Math.min(30 * day, maxSubscriptionLifetimeMs));
  if (subscriptionLifetimeMs > maxSubscriptionLifetimeMs) throw optionError(undefined, 'subscriptionLifetimeMs must be at most maxSubscriptionLifetimeMs');
  return {
    defaultExpirationMs,
    subscriptionLifetimeMs,
    maxSubscriptionLifetimeMs,
    maxSubscriptionsPerUser: positiveWholeNumberOption(undefined, 'maxSubscriptionsPerUser', options.maxSubscriptionsPerUser, 100),
    idempotencyKeyTtlMs: positiveWholeNumberOption(undefined, 'idempotencyKeyTtlMs', options.idempotencyKeyTtlMs, day),
    changeRetentionMs: positiveWholeNumberOption(undefined, 'changeRetentionMs', options.changeRetentionMs, 7 * day),
    purgeIntervalMs: positiveWholeNumberOption(undefined, 'purgeIntervalMs', options.purgeIntervalMs, 60_000),
  };
}

/** Most expired notifications one store call removes; a purge loops until done. */
const purgeBatch = 1000;

/**
 * Creates a notification service.
 *
 * ```ts
 * const service = createNotificationService({
 *   store: createMemoryStore(),
 *   transports: [createConsoleTransport()],
 * });
 * ```
 *
 * @throws TypeError when an option is wrong, naming the option.
 */
export function createNotificationService(options: NotificationServiceOptions): NotificationService {
  if (options === null || typeof options !== 'object') throw optionError(undefined, 'createNotificationService needs an options object with a store');
  const store = checkStore(options.store);
  const transports = checkTransports(options.transports);
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const settings = resolveSettings(options);
  const dispatcherOptions = options.dispatcher ?? {};
  const events = new ServiceEvents();
  const policies = createPolicies(options.policies);
  let closed = false;
  let closing: Promise<void> | undefined;
  let purgeTimer: ClockTimer | undefined;
  /** Wake-ups still being published: closing waits for them, so none meets a closed store. */
  const wakes = new Set<Promise<void>>();

  const dispatcherSettings = resolveDispatcher(dispatcherOptions, random);
  const dispatcher = new Dispatcher({ store, clock, transports, events, settings: dispatcherSettings });

  const context: ServiceContext = {
    store,
    clock,
    transports,
    events,
    policies,
    settings,
    dispatcher,
    sendsByIdempotencyKey: new Map(),
    assertOpen() {
      if (closed) throw new HeraldError('SERVICE_CLOSED', 'the notification service is closed');
    },
    deliveriesDue() {
      dispatcher.wake();
      if (store.wake === undefined) return;
      const wake: Promise<void> = store
        .wake()
        .catch((error: unknown) => events.reportError(error, 'wake'))
        .finally(() => wakes.delete(wake));
      wakes.add(wake);
    },
  };

  const purgeExpired = async (): Promise<PurgeSummary> => {
    context.assertOpen();
    let notifications = 0;
    let subscriptions = 0;
    for (;;) {
      const now = clock.now();
      const result: PurgeResult = await store.purgeExpired({ now, tombstonesBefore: now - settings.changeRetentionMs, limit: purgeBatch });
      notifications += result.notifications;
      subscriptions += result.subscriptions.length;
      for (const subscription of result.subscriptions) events.emit('subscription.expired', { subscription });
      if (!result.more) return { notifications, subscriptions };
    }
  };

  /** The periodic purge under way, if any: closing waits for it rather than cut it off. */
  let purging: Promise<void> | undefined;
  const schedulePurge = (): void => {
    purgeTimer = clock.setTimer(() => {
      purging = purgeExpired()
        .then(
          () => undefined,
          (error: unknown) => events.reportError(error, 'purge'),
        )
        .finally(() => {
          purging = undefined;
          if (dispatcher.running && !closed) schedulePurge();
        });
    }, settings.purgeIntervalMs, 'housekeeping');
  };

  const stopPurge = (): void => {
    if (purgeTimer !== undefined) clock.clearTimer(purgeTimer);
    purgeTimer = undefined;
  };

  const service: NotificationService = {
    send: (notification, target, sendOptions) => send(context, notification, target, sendOptions),
    subscriptions: createSubscriptionsApi(context),
    feed: createFeedApi(context),
    deliveries: createDeliveriesApi(context),
    purgeExpired,
    on: (event, listener) => events.on(event, listener),
    once: (event, listener) => events.once(event, listener),
    off: (event, listener) => events.off(event, listener),
    start() {
      context.assertOpen();
      if (dispatcher.running) return;
      dispatcher.start();
      schedulePurge();
    },
    async stop() {
      stopPurge();
      await dispatcher.stop();
    },
    async drain() {
      context.assertOpen();
      await dispatcher.drain();
    },
    close() {
      closing ??= (async () => {
        closed = true;
        stopPurge();
        await dispatcher.stop();
        const results = await Promise.allSettled([...transports.values()].map(async (transport) => transport.close?.()));
        for (const result of results) if (result.status === 'rejected') events.reportError(result.reason, 'transport close');
        await Promise.allSettled([...wakes, purging]);
        await store.close();
      })();
      return closing;
    },
    get running() {
      return dispatcher.running;
    },
    store,
    clock,
    instanceId: dispatcherSettings.instanceId,
  };
  if (dispatcherOptions.autoStart ?? true) service.start();
  return service;
}
