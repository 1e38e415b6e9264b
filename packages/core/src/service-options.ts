/**
 * The options of `createNotificationService`, and their checks: every option is checked
 * when the service is created (an unknown one is refused, naming the one probably
 * meant), so a wrong setting never surfaces later as a stuck delivery.
 */
import { systemClock, type Clock } from './clock.js';
import { contractLimits } from './contract/limits.js';
import type { ServiceSettings } from './context.js';
import type { DispatcherSettings } from './dispatcher.js';
import { optionError } from './errors.js';
import { newId } from './ids.js';
import type { Logger } from './logger.js';
import { positiveWholeNumberOption, checkOptionsObject } from './option-checks.js';
import type { PolicyOptions } from './policies.js';
import { checkRetryPolicy, exponentialBackoff, type RetryPolicy } from './retry.js';
import type { NotificationStore } from './store/interface.js';
import { storeMethodNames } from './store/methods.js';
import type { Transport } from './transport/interface.js';

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
  /**
   * Where the service logs (a pino logger, or anything with pino's methods, fields first):
   * background failures as `error` (`component` `service`, `code`, `source`, the
   * delivery's ids, `err`); from the dispatcher (`component` `dispatcher`) each failed
   * attempt as `warn`, each dead delivery as `error` (`code`, `deliveryId`,
   * `notificationId`, `subscriptionId`, `transport`, `attempts`) and each endpoint
   * deactivated as `info`. User ids are never logged. With a logger, background failures
   * are logged even when `error` listeners hear them too. Your logger receives every
   * record, each repeat of a failure included (a store that is down fails every poll,
   * about once a second), as `error` listeners do: rate-limit or count them in your log
   * pipeline if you need to.
   * @default none: background failures go to `error` listeners, or else become process
   *   warnings (`HERALD_BACKGROUND_ERROR`, made by `processWarningLogger` on the
   *   service's clock); nothing else is reported. Those warnings fold repeats: a failure
   *   (same code, message and error) is printed once with its stack, its first line saying
   *   that repeats are counted; while it goes on, one line a minute counts its repeats;
   *   once it has not recurred for 2 minutes, a last line says it is over, with the count
   *   and when it was last seen. A different failure is printed at once; one that comes
   *   back after it was over is printed in full again. Fields (ids) are not shown, so
   *   deliveries failing with the same message fold together: give a logger to see them.
   */
  readonly logger?: Logger;
}

export const serviceOptionNames = [
  'store', 'transports', 'clock', 'policies', 'dispatcher', 'defaultExpirationMs', 'subscriptionLifetimeMs',
  'maxSubscriptionLifetimeMs', 'maxSubscriptionsPerUser', 'idempotencyKeyTtlMs', 'changeRetentionMs', 'purgeIntervalMs', 'random', 'logger',
] as const satisfies readonly (keyof NotificationServiceOptions)[];

const dispatcherOptionNames = [
  'autoStart', 'concurrency', 'leaseMs', 'attemptTimeoutMs', 'retry', 'maxRetryAfterMs', 'pollIntervalMs', 'errorBackoffMs', 'instanceId',
] as const satisfies readonly (keyof DispatcherOptions)[];



export function checkStore(store: unknown): NotificationStore {
  if (store === null || typeof store !== 'object') throw optionError(undefined, 'options.store is required: pass a store such as createMemoryStore()');
  const missing = storeMethodNames.filter((method) => typeof (store as Record<string, unknown>)[method] !== 'function');
  if (missing.length > 0) throw optionError(undefined, `options.store is not a NotificationStore: it lacks ${missing.join(', ')}`);
  return store as NotificationStore;
}

export function checkTransports(transports: Iterable<Transport> | undefined): Map<string, Transport> {
  if (transports !== undefined && (transports === null || typeof (transports as Partial<Iterable<Transport>>)[Symbol.iterator] !== 'function')) {
    throw optionError(undefined, 'options.transports must be a list of transports, such as [createConsoleTransport()]');
  }
  const byName = new Map<string, Transport>();
  for (const transport of transports ?? []) {
    if (transport === null || typeof transport !== 'object' || typeof transport.send !== 'function') {
      throw optionError(undefined, 'every transport must be an object with a name and a send(message, endpoint, context) method');
    }
    if (typeof transport.name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(transport.name)) {
      throw optionError(undefined, `transport name ${JSON.stringify(transport.name)} must be 1–64 letters, digits, dots, hyphens or underscores`);
    }
    if (byName.has(transport.name)) throw optionError(undefined, `two transports are named ${JSON.stringify(transport.name)}`);
    // Every optional hook: one of another type would fail only later, inside a delivery
    // (a sendSync that is not a function would plan sync deliveries that can never run).
    for (const hook of ['checkEndpoint', 'close', 'sendSync'] as const) {
      if (transport[hook] !== undefined && typeof transport[hook] !== 'function') {
        throw optionError(undefined, `transport ${JSON.stringify(transport.name)}: ${hook} must be a function when given`);
      }
    }
    if (transport.retry !== undefined) checkRetryPolicy(transport.retry, `transport ${JSON.stringify(transport.name)}'s retry`);
    byName.set(transport.name, transport);
  }
  return byName;
}

export function checkClock(clock: unknown): Clock {
  if (clock === undefined) return systemClock;
  const methods = ['now', 'setTimer', 'clearTimer'] as const;
  if (clock === null || typeof clock !== 'object' || methods.some((method) => typeof (clock as Record<string, unknown>)[method] !== 'function')) {
    throw optionError(undefined, 'options.clock must have now(), setTimer(callback, delayMs, purpose) and clearTimer(timer); use systemClock or the test kit\'s fake clock');
  }
  return clock as Clock;
}

export function resolveDispatcher(options: DispatcherOptions, random: () => number): DispatcherSettings {
  checkOptionsObject('dispatcher', 'options.dispatcher', options, dispatcherOptionNames);
  if (options.autoStart !== undefined && typeof options.autoStart !== 'boolean') throw optionError(undefined, 'dispatcher.autoStart must be true or false');
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
    retry: options.retry === undefined ? exponentialBackoff() : checkRetryPolicy(options.retry, 'dispatcher.retry'),
    maxRetryAfterMs: positiveWholeNumberOption(undefined, 'dispatcher.maxRetryAfterMs', options.maxRetryAfterMs, day),
    pollIntervalMs: positiveWholeNumberOption(undefined, 'dispatcher.pollIntervalMs', options.pollIntervalMs, 1000),
    errorBackoffMs: positiveWholeNumberOption(undefined, 'dispatcher.errorBackoffMs', options.errorBackoffMs, 1000),
    random,
  };
}

export function resolveSettings(options: NotificationServiceOptions): ServiceSettings {
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
