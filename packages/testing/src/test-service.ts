/**
 * `createTestService`: a real Herald service for an app's unit tests, on the memory store
 * (or any store), with a recording transport under the names the app uses, a fake clock,
 * and the dispatcher driven by that clock. No network, no database, no sleeps.
 */
import { createNotificationService, type DeliveryRecord, type NotificationService, type NotificationServiceOptions, type NotificationStore, type PlatformType, type StoredNotification, type StoredSubscription } from '@herald/core';
import { rejectUnknownOptions } from '@herald/core/store';
import { createMemoryStore } from '@herald/store-memory';
import { countStoreCalls } from './counted-store.js';
import { createFakeClock, type FakeClock } from './fake-clock.js';
import { createRecordingTransport, type RecordingTransport } from './recording-transport.js';
import { checkKeys, checkString, describe, isPlainObject, kitError } from './kit-checks.js';
import { checkTransportNames } from './recording-transport.js';
import { seededRandom } from './seeded-random.js';

/** Options of {@link createTestService}. */
export interface TestServiceOptions {
  /**
   * The store; pass a file or Redis store to run the same test on it.
   * @default a fresh memory store (`@herald/store-memory`)
   */
  readonly store?: NotificationStore;
  /**
   * The transport names the app's subscriptions use; each records into the same list.
   * @default ['test', 'webhook', 'console']
   */
  readonly transports?: readonly string[];
  /**
   * When the fake clock starts.
   * @default 2026-01-01T00:00:00.000Z
   */
  readonly start?: Date | number | string;
  /**
   * The seed of retry jitter, so backoff is the same on every run.
   * @default 0x5eed
   */
  readonly seed?: number;
  /** Any other service option: policies, dispatcher settings, lifetimes. */
  readonly service?: Omit<Partial<NotificationServiceOptions>, 'store' | 'transports' | 'clock' | 'random'>;
}

/** A notification a send stored, as the test kit saw it. */
export interface SentNotification {
  /** The stored notification. */
  readonly notification: StoredNotification;
  /** True when created, false when an update by `appNotificationId`. */
  readonly created: boolean;
  /** The deliveries the send created. */
  readonly deliveries: readonly DeliveryRecord[];
}

/** Options of {@link TestService.subscribe}. */
export interface TestSubscribeOptions {
  /** The app. @default 'app.example' */
  readonly targetHostName?: string;
  /** The transport name. @default the first of `transports` */
  readonly transport?: string;
}

/** A Herald service for tests, with its fake clock and recording transport. */
export interface TestService {
  /** The real service the app under test uses. */
  readonly service: NotificationService;
  /** The fake clock driving it. */
  readonly clock: FakeClock;
  /** The recording transport behind every transport name. */
  readonly transport: RecordingTransport;
  /** Every notification stored by a send, in order. */
  readonly sent: readonly SentNotification[];
  /** Subscribes one endpoint of `userId` per platform, addressed `<platform>:<userId>`. */
  subscribe(userId: string, platforms?: readonly PlatformType[] | PlatformType, options?: TestSubscribeOptions): Promise<StoredSubscription[]>;
  /** Moves time forward (`'15m'`, `'2h'`, ms), running everything that falls due, in order. */
  advance(duration: number | string): Promise<void>;
  /** Runs until nothing is due: deliveries, retries with their backoff, scheduled sends. */
  runAll(): Promise<void>;
  /** Closes the service (and its store). */
  close(): Promise<void>;
}

/** The app's default in tests. */
export const testApp = 'app.example';

const testServiceOptionNames = ['store', 'transports', 'start', 'seed', 'service'] as const satisfies readonly (keyof TestServiceOptions)[];

/**
 * The service options `service` may hold. A record over every key of
 * `NotificationServiceOptions` but the kit's own, so a service option added to core
 * fails this file's compile until it is listed here.
 */
const passedServiceOptions: Record<Exclude<keyof NotificationServiceOptions, keyof typeof kitOwned>, true> = {
  policies: true, dispatcher: true, defaultExpirationMs: true, subscriptionLifetimeMs: true, maxSubscriptionLifetimeMs: true,
  maxSubscriptionsPerUser: true, idempotencyKeyTtlMs: true, changeRetentionMs: true, purgeIntervalMs: true, logger: true,
};

/** Service options the kit sets itself, and what to use instead of each. */
const kitOwned = {
  store: 'store is an option of createTestService itself: createTestService({ store })',
  transports: "the kit's recording transport stands behind every transport name; name them with createTestService's own option transports",
  clock: "the kit's fake clock drives the service; set when it starts with createTestService's own option start, and move it with advance() and runAll()",
  random: "the kit seeds retry jitter itself; choose the seed with createTestService's own option seed",
} as const;

const subscribeOptionNames = ['targetHostName', 'transport'] as const satisfies readonly (keyof TestSubscribeOptions)[];

/** Refuses a `service` option that the kit would override, or that the service does not know. */
function checkServiceOptions(service: unknown): void {
  if (service === undefined) return;
  if (!isPlainObject(service)) throw kitError('createTestService', `service must be an object of service options, got ${describe(service)}`);
  for (const key of Object.keys(service)) {
    if (Object.hasOwn(kitOwned, key)) throw kitError('createTestService', `service.${key} is not taken: ${kitOwned[key as keyof typeof kitOwned]}`);
  }
  checkKeys('createTestService', service, Object.keys(passedServiceOptions), 'service option');
}

/** Creates a service for a test, on a fresh memory store unless another is given. */
export async function createTestService(options: TestServiceOptions = {}): Promise<TestService> {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw kitError('createTestService', `takes an options object, got ${describe(options)}`);
  rejectUnknownOptions('testing', options, testServiceOptionNames);
  checkServiceOptions(options.service);
  if (options.store !== undefined && (!isPlainObject(options.store) || !isPlainObject(options.store.capabilities))) {
    throw kitError('createTestService', `store must be a Herald store (e.g. createMemoryStore() or createFileStore(…)), got ${describe(options.store)}`);
  }
  if (options.seed !== undefined && (typeof options.seed !== 'number' || !Number.isInteger(options.seed))) {
    throw kitError('createTestService', `seed must be a whole number, got ${describe(options.seed)}`);
  }
  if (options.transports !== undefined) checkTransportNames('createTestService', 'transports', options.transports);
  // A store doing real I/O (durable or shared) needs real time for its answers to arrive
  // between clock steps; it says so in its capabilities.
  const io = options.store !== undefined && (options.store.capabilities.durable || options.store.capabilities.shared);
  const quietMs = io ? 10 : 0;
  // Each clock step also waits for the store's answers to everything it asked.
  const { store, busy } = countStoreCalls(options.store ?? createMemoryStore());
  const clock = createFakeClock({ ...(options.start === undefined ? {} : { start: options.start }), quietMs, busy });
  const names = options.transports ?? ['test', 'webhook', 'console'];
  const transport = createRecordingTransport(names, () => clock.now());
  const service = createNotificationService({
    ...options.service,
    store,
    transports: transport.transports,
    clock,
    random: seededRandom(options.seed),
  });
  const sent: SentNotification[] = [];
  service.on('notification.created', ({ notification, deliveries }) => sent.push({ notification, created: true, deliveries }));
  service.on('notification.updated', ({ notification, deliveries }) => sent.push({ notification, created: false, deliveries }));

  return {
    service,
    clock,
    transport,
    sent,
    async subscribe(userId, platforms = ['windows', 'ios', 'android'], subscribeOptions = {}) {
      checkString('subscribe', 'userId', userId, false);
      checkKeys('subscribe', subscribeOptions, subscribeOptionNames);
      checkString('subscribe', 'targetHostName', subscribeOptions.targetHostName);
      checkString('subscribe', 'transport', subscribeOptions.transport);
      if (subscribeOptions.transport !== undefined && !names.includes(subscribeOptions.transport)) {
        throw kitError('subscribe', `transport ${JSON.stringify(subscribeOptions.transport)} is not one of the kit's transports (${names.join(', ')}); add it to createTestService's option transports`);
      }
      const list = typeof platforms === 'string' ? [platforms] : platforms;
      if (!Array.isArray(list) || list.some((platform) => typeof platform !== 'string')) {
        throw kitError('subscribe', `platforms must be a platform name or an array of them, e.g. ['ios', 'android'], got ${describe(platforms)}`);
      }
      const created: StoredSubscription[] = [];
      for (const platformType of list) {
        created.push(
          await service.subscriptions.create(userId, {
            targetHostName: subscribeOptions.targetHostName ?? testApp,
            platformType,
            transport: subscribeOptions.transport ?? (names[0] as string),
            address: `${platformType}:${userId}`,
          }),
        );
      }
      return created;
    },
    advance: (duration) => clock.advance(duration),
    runAll: () => clock.runAll(),
    close: () => service.close(),
  };
}
