/** `await using` a webhook transport closes it, and its kept-alive connections, when the block ends. */
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransportError, type Endpoint, type TransportMessage } from '@herald/core/transport';
import { useLoopbackOnly, sampleStoredNotification } from '@herald/testing';
import { createWebhookTransport, generateWebhookSecret } from '@herald/transport-webhook';
import { startReceiver, type Receiver } from './receiver.js';

useLoopbackOnly();

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver.close();
});

describe('the webhook transport as an AsyncDisposable', () => {
  it('closes when the block that declared it ends: its connection is closed and later sends fail', async () => {
    const message: TransportMessage = { deliveryId: 'd-dispose', attempt: 1, kind: 'notification', notification: sampleStoredNotification() };
    const endpoint: Endpoint = { subscriptionId: 's-1', userId: 'u-1', targetHostName: 'chat.example.com', platformType: 'webpush', address: receiver.url('/dispose'), secret: generateWebhookSecret() };
    const context = () => ({ signal: new AbortController().signal, now: Date.now() });
    let kept: ReturnType<typeof createWebhookTransport> | undefined;
    let socketClosed: Promise<unknown> | undefined;
    {
      await using webhook = createWebhookTransport({ allowedNetworks: ['127.0.0.0/8'] });
      kept = webhook;
      await webhook.send(message, endpoint, context());
      const socket = receiver.received.at(-1)?.socket;
      expect(socket?.destroyed, 'the connection is kept alive after the answer').toBe(false);
      socketClosed = once(socket!, 'close');
    }
    await socketClosed; // the receiver sees the transport's connection end
    await expect(kept.send(message, endpoint, context())).rejects.toSatisfy((error) => error instanceof TransportError && error.message.includes('the transport is closed'));
  });
});
