/**
 * The Web Push transport inside a service, pushing to the tests' own push service: a
 * subscription whose push resource is gone (404, 410) is deactivated; a notification too
 * large for Web Push ends dead at once as MESSAGE_TOO_LARGE; a delivered one arrives.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotificationService } from '@herald/core';
import { createMemoryStore } from '@herald/store-memory';
import { useLoopbackOnly } from '@herald/testing';
import { createWebPushTransport, generateVapidKeys } from '@herald/transport-webpush';
import { startPushService, type PushService, type Script } from './push-service.js';

useLoopbackOnly();

const vapid = { subject: 'mailto:push@example.com', ...generateVapidKeys() };
let pushService: PushService;
beforeAll(async () => {
  pushService = await startPushService();
});
afterAll(async () => {
  await pushService.close();
});

async function sendTo(script: Script | undefined, body: string) {
  const herald = createNotificationService({
    store: createMemoryStore(),
    transports: [createWebPushTransport({ vapid, agent: pushService.agent, allowedNetworks: ['127.0.0.1'] })],
    dispatcher: { autoStart: false },
  });
  const browser = pushService.subscribe(vapid.publicKey, script);
  const subscription = await herald.subscriptions.create('alice', { targetHostName: 'chat.example.com', platformType: 'webpush', transport: 'webpush', address: browser.address });
  const { notification } = await herald.send({ targetHostName: 'chat.example.com', appNotificationId: 'm-1', payload: { visualContent: { title: 'Bob', body } } }, { userId: 'alice' });
  await herald.drain();
  const [delivery] = await herald.deliveries.list('alice', notification.id);
  const stored = await herald.subscriptions.get(subscription.id);
  await herald.close();
  return { delivery, subscription: stored };
}

describe('the Web Push transport in a service', () => {
  it('delivers', async () => {
    const { delivery, subscription } = await sendTo(undefined, 'Lunch?');
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(subscription?.status).toBe('active');
  });

  it.each([404, 410])('deactivates the subscription when the push service answers %i', async (status) => {
    const { delivery, subscription } = await sendTo((response) => response.writeHead(status).end(), 'Lunch?');
    expect(delivery).toMatchObject({ status: 'dead', lastError: { code: 'ENDPOINT_GONE' } });
    expect(subscription?.status).toBe('inactive');
  });

  it('ends a notification too large for Web Push as dead with MESSAGE_TOO_LARGE, the subscription untouched', async () => {
    const before = pushService.pushes.length;
    const { delivery, subscription } = await sendTo(undefined, 'b'.repeat(3990));
    expect(delivery).toMatchObject({ status: 'dead', attempts: 1, lastError: { code: 'MESSAGE_TOO_LARGE' } });
    expect(delivery?.lastError?.message).toMatch(/over Web Push's 4096/);
    expect(subscription?.status).toBe('active');
    expect(pushService.pushes.length).toBe(before);
  });
});
