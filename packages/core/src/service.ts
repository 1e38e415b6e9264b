/**
 * `createNotificationService`: wires a store, transports, policies, a clock and a
 * dispatcher into the service applications use.
 */
import type { Clock, ClockTimer } from './clock.js';
import type { NotificationRequest } from './contract/types.js';
import type { ServiceContext } from './context.js';
import { createDeliveriesApi, type DeliveriesApi } from './deliveries.js';
import { logDeliveries } from './delivery-logging.js';
import { Dispatcher } from './dispatcher.js';
import { ServiceEvents, type HeraldEventSource } from './emitter.js';
import { HeraldError, optionError } from './errors.js';
import { createFeedApi, type FeedApi } from './feed.js';
import { FeedWatchers } from './feed-watchers.js';
import { checkLogger } from './logger.js';
import { rejectUnknownOptions } from './option-checks.js';
import { createPolicies } from './policies.js';
import { explainSend, type SendExplanation } from './explain.js';
import { createPreferencesApi, type PreferencesApi } from './preferences/preferences-api.js';
import { send, type SendOptions, type SendResult, type SendTarget } from './send.js';
import { createServiceTracing } from './service-tracing.js';
import {
  checkClock,
  checkStore,
  checkTransports,
  resolveDispatcher,
  resolveSettings,
  serviceOptionNames,
  type NotificationServiceOptions,
} from './service-options.js';
import type { NotificationStore, PurgeResult } from './store/interface.js';
import { createSubscriptionsApi, type SubscriptionsApi } from './subscriptions.js';

export type { DispatcherOptions, NotificationServiceOptions } from './service-options.js';

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
   *   `TARGET_MISMATCH`, `CRITICAL_NOT_ALLOWED`, `IDEMPOTENCY_KEY_REUSED`, `INVALID_ARGUMENT`,
   *   `TRANSACTION_UNSUPPORTED` (the `transaction` option on a store that cannot join one), `SERVICE_CLOSED`;
   *   and the store's own failures (`STORE_UNAVAILABLE`, …).
   */
  send(notification: NotificationRequest, target: SendTarget, options?: SendOptions): Promise<SendResult>;
  /**
   * What `send` would do with the same arguments now, writing nothing and taking no
   * throttling token: each request-level check it would make (the first refusal ends the
   * list, with the code `send` would throw), then the decision for every subscription of
   * the user — now, at `sendAt`, deferred until a time by quiet hours, or skipped — and the
   * rule that decided. Rejects only with `SERVICE_CLOSED` or a store's failure.
   */
  explain(notification: NotificationRequest | unknown, target: SendTarget, options?: SendOptions): Promise<SendExplanation>;
  /** Users' preferences: get, set, and the resolved matrix with the rule behind each decision. */
  readonly preferences: PreferencesApi;
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
  /**
   * `close()`, for `await using service = createNotificationService(…)`: the service is
   * closed (transports and store too) when the block that declared it ends.
   */
  [Symbol.asyncDispose](): Promise<void>;
  /** True while the dispatcher runs. */
  readonly running: boolean;
  /** The store the service uses, as it was given. */
  readonly store: NotificationStore;
  /** The clock the service uses. */
  readonly clock: Clock;
  /** This process's name in delivery leases. */
  readonly instanceId: string;
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
  rejectUnknownOptions(undefined, options, serviceOptionNames);
  const store = checkStore(options.store);
  const transports = checkTransports(options.transports);
  const clock = checkClock(options.clock);
  if (options.random !== undefined && typeof options.random !== 'function') throw optionError(undefined, 'options.random must be a function returning a number in [0, 1)');
  const random = options.random ?? Math.random;
  const settings = resolveSettings(options);
  const dispatcherOptions = options.dispatcher ?? {};
  const logger = checkLogger(undefined, 'options.logger', options.logger);
  const events = new ServiceEvents(logger?.child({ component: 'service' }), clock);
  if (logger !== undefined) logDeliveries(events, logger.child({ component: 'dispatcher' }));
  // Decided once: without OpenTelemetry, or with no provider registered, nothing is wrapped.
  const tracing = createServiceTracing();
  const workStore = tracing === undefined ? store : tracing.store(store);
  const policies = createPolicies(options.policies);
  let closed = false;
  let closing: Promise<void> | undefined;
  let purgeTimer: ClockTimer | undefined;
  /** Wake-ups still being published: closing waits for them, so none meets a closed store. */
  const wakes = new Set<Promise<void>>();

  const dispatcherSettings = resolveDispatcher(dispatcherOptions, random);
  const dispatcher = new Dispatcher({ store: workStore, clock, transports, events, settings: dispatcherSettings, tracing });

  const feedWatchers = new FeedWatchers(workStore, (error) => events.reportError(error, 'feed wake-up'));
  const context: ServiceContext = {
    store: workStore,
    feedWatchers,
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
      if (workStore.wake === undefined) return;
      const wake: Promise<void> = workStore
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
      const result: PurgeResult = await workStore.purgeExpired({ now, tombstonesBefore: now - settings.changeRetentionMs, limit: purgeBatch });
      notifications += result.notifications;
      subscriptions += result.subscriptions.length;
      for (const subscription of result.subscriptions) events.emit('subscription.expired', { subscription });
      // The store does not say whose notifications expired: every watcher reads again.
      if (result.notifications > 0) feedWatchers.changed(undefined);
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
    send:
      tracing === undefined
        ? (notification, target, sendOptions) => send(context, notification, target, sendOptions)
        : (notification, target, sendOptions) => tracing.send(() => send(context, notification, target, sendOptions)),
    explain: (notification, target, sendOptions) => explainSend(context, notification, target, sendOptions),
    preferences: createPreferencesApi(context),
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
        // Live feeds end at once (an HTTP stream then closes), announcements are waited for below.
        const watchersClosed = feedWatchers.close();
        stopPurge();
        await dispatcher.stop();
        const results = await Promise.allSettled([...transports.values()].map(async (transport) => transport.close?.()));
        for (const result of results) if (result.status === 'rejected') events.reportError(result.reason, 'transport close');
        await Promise.allSettled([...wakes, purging]);
        await watchersClosed;
        await workStore.close();
      })();
      return closing;
    },
    [Symbol.asyncDispose]() {
      return service.close();
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
