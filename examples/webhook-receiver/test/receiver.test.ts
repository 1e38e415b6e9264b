import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createNotificationService, fixedSchedule } from '@herald/core';
import { createMemoryStore } from '@herald/store-memory';
import { createWebhookTransport, generateWebhookSecret, type WebhookBody } from '@herald/transport-webhook';
import { createReceiverApp } from '../src/receiver.js';
import { useLoopbackOnly } from '@herald/testing';

// Every connection these tests open must stay on loopback.
useLoopbackOnly();

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

describe('the Express webhook receiver', () => {
  it('verifies Herald’s webhooks, refuses forged ones, and processes a retried delivery once', async () => {
    const secret = generateWebhookSecret();
    const processed: Array<[string, WebhookBody]> = [];
    let failNext = true;
    const app = createReceiverApp({
      secret,
      onNotification: (body, id) => {
        processed.push([id, body]);
      },
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server?.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    const url = `http://127.0.0.1:${port}/herald/webhooks`;
    // The receiver processes the first attempt but its answer fails (503): the sender
    // retries the same delivery, which the receiver must not process twice.
    server.prependListener('request', (_request, response) => {
      if (failNext) {
        failNext = false;
        const end = response.end.bind(response);
        response.end = ((...args: unknown[]) => {
          response.statusCode = 503;
          return end(...(args as []));
        }) as typeof response.end;
      }
    });

    const service = createNotificationService({
      store: createMemoryStore(),
      // The transport's own schedule applies to its deliveries; retry at once for the test.
      transports: [createWebhookTransport({ allowedNetworks: ['127.0.0.1'], retry: fixedSchedule([0, 0], { jitter: 0 }) })],
    });
    await service.subscriptions.create('alice', { targetHostName: 'app.example', platformType: 'webpush', transport: 'webhook', address: url, secret });
    const { notification } = await service.send({ targetHostName: 'app.example', appNotificationId: 'n1', payload: { visualContent: { title: 'Hi' } } }, { userId: 'alice' });
    await service.drain();
    const [delivery] = await service.deliveries.list('alice', notification.id);
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(processed).toHaveLength(1);
    expect(processed[0]?.[0]).toBe(delivery?.id);
    expect(processed[0]?.[1]).toMatchObject({ type: 'notification.created', data: { id: notification.id } });

    const forged = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'webhook-id': 'x', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': 'v1,AAAA' }, body: '{}' });
    expect(forged.status).toBe(401);
    expect(await forged.json()).toEqual({ error: 'WEBHOOK_SIGNATURE_INVALID' });
    await service.close();
  });
});
