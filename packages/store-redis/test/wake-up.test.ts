/**
 * Cross-process wake-ups: a send through one store instance wakes the dispatcher of
 * another at once, through Redis pub/sub. The receiving dispatcher polls only every
 * 30 s, so a delivery well before that can only come from the wake-up.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createNotificationService, type DeliveryRecord, type NotificationService, type Transport } from '@herald/core';
import { createRedisStore } from '../src/index.js';
import { startRedisServer, type RedisServer } from './redis-server.js';

const pollIntervalMs = 30_000;
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
    store: await createRedisStore({ url: server.url, prefix: 'wake' }),
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
  // B's dispatcher listens once its subscriber connection has subscribed.
  const admin = new Redis(server.url);
  for (let tries = 0; tries < 100; tries += 1) {
    const [, listeners] = (await admin.pubsub('NUMSUB', 'wake:wake')) as [string, number];
    if (listeners > 0) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await admin.quit();
  // Let B's dispatcher finish its first (empty) claim and go to sleep for the poll interval.
  await new Promise((resolve) => setTimeout(resolve, 200));

  const sentAt = Date.now();
  const result = await a.send(
    { targetHostName: 'app.example.com', appNotificationId: 'hello', payload: { visualContent: { title: 'Hello', body: 'from A' } } },
    { userId: 'alice' },
  );
  const deliveryId = await Promise.race([
    firstDelivery,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('B did not deliver within 10 s: no wake-up')), 10_000)),
  ]);
  const latencyMs = Date.now() - sentAt;

  expect(deliveryId).toBe((result.deliveries[0] as DeliveryRecord).id);
  expect(result.deliveries[0]?.subscriptionId).toBe(subscription.id);
  expect(latencyMs, 'only the wake-up explains a delivery before the 30 s poll').toBeLessThan(pollIntervalMs);
  console.info(`[wake-up] send through A delivered by B after ${latencyMs} ms (B polls every ${pollIntervalMs} ms)`);
});
