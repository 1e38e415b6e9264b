/**
 * `createTestService`: a real Herald service for an app's unit tests, on the memory store
 * (or any store), with a recording transport under the names the app uses, a fake clock,
 * and the dispatcher driven by that clock. No network, no database, no sleeps.
 */
import {
  createNotificationService,
  rejectUnknownOptions,
  type DeliveryRecord,
  type NotificationService,
  type NotificationServiceOptions,
  type NotificationStore,
  type PlatformType,
  type StoredNotification,
  type StoredSubscription,
} from '@herald/core';
import { createMemoryStore } from '@herald/store-memory';
import { createFakeClock, type FakeClock } from './fake-clock.js';
import { createRecordingTransport, type RecordingTransport } from './recording-transport.js';
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

/** Creates a service for a test, on a fresh memory store unless another is given. */
export async function createTestService(options: TestServiceOptions = {}): Promise<TestService> {
  if (options === null || typeof options !== 'object') throw new TypeError('[herald] [testing] createTestService takes an options object');
  rejectUnknownOptions('testing', options, testServiceOptionNames);
  // A store doing real I/O (durable or shared) needs real time for its answers to arrive
  // between clock steps; it says so in its capabilities.
  const io = options.store !== undefined && (options.store.capabilities.durable || options.store.capabilities.shared);
  const quietMs = io ? 10 : 0;
  const clock = createFakeClock({ ...(options.start === undefined ? {} : { start: options.start }), quietMs });
  const names = options.transports ?? ['test', 'webhook', 'console'];
  if (names.length === 0) throw new TypeError('[herald] [testing] transports must name at least one transport');
  const transport = createRecordingTransport(names, () => clock.now());
  const store = options.store ?? createMemoryStore();
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
      const list = typeof platforms === 'string' ? [platforms] : platforms;
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
