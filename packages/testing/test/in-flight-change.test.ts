/**
 * A change made while an attempt is under way is honoured when it settles, end to end:
 * the real service and dispatcher, the fake clock, and a transport whose every attempt
 * takes 500 ms and then fails retryably. A send is scheduled 300 ms ahead, the change is
 * made 200 ms into its first attempt, and the retry 200 ms after that attempt must not
 * happen. On the memory store and on a real redis-server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotificationService, fixedSchedule } from '@herald/core';
import { TransportError } from '@herald/core/transport';
import type { DeliveryRecord, NotificationService, NotificationStore, StoredNotification, StoredSubscription, Transport } from '@herald/core';
import { createMemoryStore } from '@herald/store-memory';
import { createRedisStore } from '@herald/store-redis';
import { createFakeClock, type FakeClock } from '@herald/testing';
import { countStoreCalls } from '../src/counted-store.js';
import { startRedisServer, type RedisServer } from '../../store-redis/test/redis-server.js';

const user = 'ada';
const app = 'app.example';

/** What a scenario is made of, for a change to act on. */
interface Scenario {
  readonly service: NotificationService;
  readonly notification: StoredNotification;
  readonly subscription: StoredSubscription;
}

/** A change made during the first attempt, and how the delivery must end. */
interface Change {
  readonly name: string;
  /** Makes the change; returns the count it answered, when it answers one. */
  readonly apply: (scenario: Scenario) => Promise<number | undefined>;
  /** The delivery's final status, or `gone` when it went with its notification. */
  readonly final: 'cancelled' | 'gone';
  /** The code of its last error when cancelled. */
  readonly code?: string;
}

const changes: readonly Change[] = [
  {
    name: 'deliveries.cancel',
    apply: ({ service, notification }) => service.deliveries.cancel(user, notification.id),
    final: 'cancelled',
    code: 'CANCELLED',
  },
  {
    name: 'an update with the same appNotificationId',
    apply: async ({ service }) => {
      await service.send({ targetHostName: app, appNotificationId: 'm1', payload: { visualContent: { title: 'edited' } } }, { userId: user });
      return undefined;
    },
    final: 'cancelled',
    code: 'SUPERSEDED',
  },
  {
    name: 'feed.delete',
    apply: async ({ service, notification }) => ((await service.feed.delete(user, notification.id)) ? 1 : 0),
    final: 'gone',
  },
  {
    name: 'subscriptions.delete',
    apply: async ({ service, subscription }) => ((await service.subscriptions.delete(subscription.id)) ? 1 : 0),
    final: 'cancelled',
    code: 'CANCELLED',
  },
  {
    name: 'subscriptions.deactivate',
    apply: async ({ service, subscription }) => ((await service.subscriptions.deactivate(subscription.id, 'the user signed out')).status === 'inactive' ? 1 : 0),
    final: 'cancelled',
    code: 'CANCELLED',
  },
];

/** Runs the instance with `change` on a fresh store; returns the attempts made of the first delivery and the delivery at the end. */
async function run(store: NotificationStore, change: Change): Promise<{ count: number | undefined; attempts: number; delivery: DeliveryRecord | undefined }> {
  // Each clock step waits for the store's answers, as the test kit's own service does.
  const counted = countStoreCalls(store);
  const clock: FakeClock = createFakeClock({ quietMs: store.capabilities.shared ? 10 : 0, busy: counted.busy });
  const attemptsOf = new Map<string, number>();
  const slow: Transport = {
    name: 'slow',
    async send(message) {
      attemptsOf.set(message.deliveryId, (attemptsOf.get(message.deliveryId) ?? 0) + 1);
      await new Promise<void>((resolve) => clock.setTimer(resolve, 500, 'work'));
      throw TransportError.retryable('the endpoint is busy');
    },
  };
  const service = createNotificationService({
    store: counted.store,
    transports: [slow],
    clock,
    dispatcher: { retry: fixedSchedule([200, 200, 200], { jitter: 0 }), attemptTimeoutMs: 10_000, pollIntervalMs: 60_000 },
  });
  try {
    const subscription = await service.subscriptions.create(user, { targetHostName: app, platformType: 'android', transport: 'slow', address: 'android:ada' });
    const start = clock.now();
    const sent = await service.send(
      { targetHostName: app, appNotificationId: 'm1', payload: { visualContent: { title: 'hello' } } },
      { userId: user },
      { sendAt: start + 300 },
    );
    const first = sent.deliveries[0] as DeliveryRecord;
    await clock.advanceTo(start + 500); // the first attempt is due at +300 and runs for 500 ms
    expect(attemptsOf.get(first.id), 'the first attempt is under way').toBe(1);
    const count = await change.apply({ service, notification: sent.notification, subscription });
    await clock.advanceTo(start + 5_000); // past the attempt's end
    await service.drain(); // waits for the attempt under way to settle and record what it may
    await clock.advanceTo(start + 10_000); // whatever retry it asked for (200 ms after) is due by now
    await service.drain();
    return { count, attempts: attemptsOf.get(first.id) ?? 0, delivery: await service.deliveries.get(user, first.id) };
  } finally {
    await service.close();
  }
}

function checks(createStore: () => Promise<NotificationStore>): void {
  for (const change of changes) {
    it(`after ${change.name} during the first attempt, no other attempt starts and the delivery ends ${change.final}`, async () => {
      const { count, attempts, delivery } = await run(await createStore(), change);
      if (count !== undefined) expect(count, `${change.name} counts what it changed, the delivery under way included`).toBe(1);
      expect(attempts, 'only the attempt under way at the change was made').toBe(1);
      if (change.final === 'gone') {
        expect(delivery, 'the delivery went with its notification').toBeUndefined();
        return;
      }
      expect(delivery?.status).toBe('cancelled');
      expect(delivery?.lastError?.code).toBe(change.code);
    });
  }
}

describe('a change during an attempt, on the memory store', () => {
  checks(async () => createMemoryStore());
});

describe('a change during an attempt, on the Redis store', () => {
  let server: RedisServer;
  let prefixes = 0;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server?.destroy();
  });
  checks(async () => createRedisStore({ url: server.url, prefix: `in-flight-${(prefixes += 1)}` }));
});
