/**
 * A receiver whose Retry-After asks for less than the schedule (0, a date in the past)
 * never gets a burst: end to end, a real receiver on loopback, the service's dispatcher on
 * a fake clock, the attempts' times read from that clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotificationService, exponentialBackoff } from '@herald/core';
import { createMemoryStore } from '@herald/store-memory';
import { createFakeClock, sampleRequest } from '@herald/testing';
import { createWebhookTransport, generateWebhookSecret } from '@herald/transport-webhook';
import { useLoopbackOnly } from '@herald/testing';
import { startReceiver, type Receiver } from './receiver.js';

useLoopbackOnly();

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver.close();
});

const app = 'chat.example.com';

describe('a receiver that answers with a short Retry-After', () => {
  it.each([
    { name: '503 with Retry-After: 0', status: 503, retryAfter: () => '0' },
    { name: '429 with Retry-After: 0', status: 429, retryAfter: () => '0' },
    { name: '503 with a date in the past', status: 503, retryAfter: (now: number) => new Date(now - 60_000).toUTCString() },
    { name: '503 with Retry-After: 1, shorter than the later delays', status: 503, retryAfter: () => '1' },
  ])('gets its attempts on the schedule, not in a burst: $name', async ({ status, retryAfter }) => {
    const path = `/busy-${status}-${Math.random().toString(36).slice(2)}`;
    const clock = createFakeClock({ quietMs: 5 });
    const attemptedAt: number[] = [];
    receiver.on(path, (response) => {
      attemptedAt.push(clock.now());
      // The transport reads dates against the service's clock: the past is the fake clock's past.
      response.writeHead(status, { 'retry-after': retryAfter(clock.now()) }).end();
    });
    const service = createNotificationService({
      store: createMemoryStore(),
      // The webhook transport brings its own schedule (Standard Webhooks': 5 s, 5 min, …); a
      // short one here keeps the run short.
      transports: [createWebhookTransport({ allowedNetworks: ['127.0.0.1'], timeoutMs: 2000, retry: exponentialBackoff({ baseDelayMs: 1000, jitter: 0, maxAttempts: 5 }) })],
      clock,
      random: () => 0.5,
    });
    try {
      await service.subscriptions.create('alice', { targetHostName: app, platformType: 'windows', transport: 'webhook', address: receiver.url(path), secret: generateWebhookSecret() });
      const { notification } = await service.send(sampleRequest({ targetHostName: app }, clock.now()), { userId: 'alice' });
      await clock.runAll();
      const gaps = attemptedAt.slice(1).map((at, index) => at - (attemptedAt[index] as number));
      expect(gaps).toEqual([1000, 2000, 4000, 8000]);
      const [delivery] = await service.deliveries.list('alice', notification.id);
      expect(delivery).toMatchObject({ status: 'dead', attempts: 5 });
    } finally {
      await service.close();
    }
  });

  it('waits as long as a Retry-After that asks for more than the schedule', async () => {
    const path = `/later-${Math.random().toString(36).slice(2)}`;
    const clock = createFakeClock({ quietMs: 5 });
    const attemptedAt: number[] = [];
    receiver.on(path, (response, _received, index) => {
      attemptedAt.push(clock.now());
      if (index === 0) response.writeHead(503, { 'retry-after': '120' }).end();
      else response.writeHead(204).end();
    });
    const service = createNotificationService({
      store: createMemoryStore(),
      transports: [createWebhookTransport({ allowedNetworks: ['127.0.0.1'], timeoutMs: 2000, retry: exponentialBackoff({ baseDelayMs: 1000, jitter: 0 }) })],
      clock,
      random: () => 0.5,
    });
    try {
      await service.subscriptions.create('alice', { targetHostName: app, platformType: 'windows', transport: 'webhook', address: receiver.url(path), secret: generateWebhookSecret() });
      await service.send(sampleRequest({ targetHostName: app }, clock.now()), { userId: 'alice' });
      await clock.runAll();
      expect(attemptedAt.map((at) => at - (attemptedAt[0] as number))).toEqual([0, 120_000]);
    } finally {
      await service.close();
    }
  });
});
