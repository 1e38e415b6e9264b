/**
 * Cross-process wake-ups: a send through one store instance wakes the dispatcher of
 * another at once, through Redis pub/sub. The receiving dispatcher polls only every
 * 10 minutes and has finished its first claim before the send, so a delivery within the
 * test's time can only come from the wake-up. Each wait is on an event (subscribed,
 * first claim done, delivered), bounded only to fail loudly, far above a loaded
 * machine's delays, so only a missing wake-up fails the test.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createNotificationService, type DeliveryRecord, type NotificationService, type NotificationStore, type Transport } from '@herald/core';
import { createRedisStore } from '../src/index.js';
import { startRedisServer, type RedisServer } from './redis-server.js';

const pollIntervalMs = 600_000;
const deliveryBoundMs = 60_000;

/** `store`, telling `onFirstClaim` once its first `claimDeliveries` call has settled. */
function watchingClaims(store: NotificationStore, onFirstClaim: () => void): NotificationStore {
  return new Proxy(store, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      if (property !== 'claimDeliveries') return value.bind(target);
      return (...args: Parameters<NotificationStore['claimDeliveries']>) => {
        const claimed = target.claimDeliveries(...args);
        void claimed.then(onFirstClaim, onFirstClaim);
        return claimed;
      };
    },
  });
}
let server: RedisServer;
const services: NotificationService[] = [];

beforeAll(async () => {
  server = await startRedisServer();
});

afterAll(async () => {
  await Promise.all(services.map((service) => service.close()));
  await server?.destroy();
});

it('delivers a send made through instance A by the dispatcher of instance B, long before B polls', async () => {
  let firstClaimDone: () => void = () => undefined;
  const firstClaim = new Promise<void>((resolve) => {
    firstClaimDone = resolve;
  });
  const delivered: string[] = [];
  let resolveDelivered: (deliveryId: string) => void = () => undefined;
  const firstDelivery = new Promise<string>((resolve) => {
    resolveDelivered = resolve;
  });
  const push: Transport = {
    name: 'push',
    async send(message) {
      delivered.push(message.deliveryId);
      resolveDelivered(message.deliveryId);
    },
  };
  // A stores and sends but never dispatches: it has no dispatcher running and no transport.
  const a = createNotificationService({ store: await createRedisStore({ url: server.url, prefix: 'wake' }), dispatcher: { autoStart: false } });
  const b = createNotificationService({
    store: watchingClaims(await createRedisStore({ url: server.url, prefix: 'wake' }), () => firstClaimDone()),
    transports: [push],
    dispatcher: { pollIntervalMs },
  });
  services.push(a, b);

  const subscription = await b.subscriptions.create('alice', {
    targetHostName: 'app.example.com',
    platformType: 'windows',
    transport: 'push',
    address: 'device-1',
  });
  // B's dispatcher listens once its subscriber connection has subscribed: a send before
  // that would publish to nobody, and the test would fail without a fault.
  const admin = new Redis(server.url);
  const subscribedBy = Date.now() + 30_000;
  for (;;) {
    const [, listeners] = (await admin.pubsub('NUMSUB', 'wake:wake')) as [string, number];
    if (listeners > 0) break;
    if (Date.now() > subscribedBy) throw new Error('B never subscribed to the wake-up channel');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await admin.quit();
  // B's first (empty) claim has settled, so B sleeps for the poll interval: the delivery
  // cannot come from that claim.
  await firstClaim;

  const sentAt = Date.now();
  const result = await a.send(
    { targetHostName: 'app.example.com', appNotificationId: 'hello', payload: { visualContent: { title: 'Hello', body: 'from A' } } },
    { userId: 'alice' },
  );
  const deliveryId = await Promise.race([
    firstDelivery,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`B did not deliver within ${deliveryBoundMs} ms: no wake-up`)), deliveryBoundMs).unref()),
  ]);
  const latencyMs = Date.now() - sentAt;

  expect(deliveryId).toBe((result.deliveries[0] as DeliveryRecord).id);
  expect(result.deliveries[0]?.subscriptionId).toBe(subscription.id);
  expect(latencyMs, 'only the wake-up explains a delivery before the 30 s poll').toBeLessThan(pollIntervalMs);
  console.info(`[wake-up] send through A delivered by B after ${latencyMs} ms (B polls every ${pollIntervalMs} ms)`);
}, deliveryBoundMs + 40_000);
