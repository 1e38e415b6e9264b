/**
 * Sync messages through the webhook transport: a signed Standard Webhooks request of type
 * `notification.sync`, end to end from a state change or a deletion on the memory store
 * to a real receiver on loopback, coalesced, and never to the endpoint that made the change.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotificationService } from '@herald/core';
import { createMemoryStore } from '@herald/store-memory';
import { createFakeClock, sampleRequest, useLoopbackOnly } from '@herald/testing';
import { createWebhookTransport, generateWebhookSecret, SYNC_EVENT_TYPE, verifyWebhook, type WebhookSyncBody } from '@herald/transport-webhook';
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

async function setUp(name: string) {
  const clock = createFakeClock();
  const service = createNotificationService({ store: createMemoryStore(), transports: [createWebhookTransport({ allowedNetworks: ['127.0.0.1'] })], clock });
  const secrets = { phone: generateWebhookSecret(), laptop: generateWebhookSecret() };
  const subscribe = (device: 'phone' | 'laptop', platformType: 'android' | 'windows') =>
    service.subscriptions.create('alice', { targetHostName: app, platformType, transport: 'webhook', address: receiver.url(`/${name}/${device}`), secret: secrets[device] });
  const phone = await subscribe('phone', 'android');
  await subscribe('laptop', 'windows');
  const { notification } = await service.send(sampleRequest({ targetHostName: app }, clock.now()), { userId: 'alice' });
  await service.drain();
  const syncsAt = (device: 'phone' | 'laptop') =>
    receiver.received.filter((entry) => entry.path === `/${name}/${device}` && (JSON.parse(entry.body) as { type: string }).type === SYNC_EVENT_TYPE);
  return { service, clock, phone, notification, secrets, syncsAt };
}

describe('the webhook transport and sync messages', () => {
  it('POSTs a signed notification.sync to the other endpoint, with the latest state, once', async () => {
    const t = await setUp('signed');
    try {
      await t.service.stop();
      await t.service.feed.markRead('alice', t.notification.id, { origin: t.phone.id });
      await t.service.feed.setUserActionState('alice', t.notification.id, 'dismissed', { origin: t.phone.id });
      await t.service.drain();
      expect(t.syncsAt('phone')).toEqual([]);
      const [request, ...more] = t.syncsAt('laptop');
      expect(more).toEqual([]);
      const verified = verifyWebhook<WebhookSyncBody>(t.secrets.laptop, request?.headers ?? {}, request?.body ?? '', { now: t.clock.now() });
      const body = verified.payload;
      expect(body).toEqual({
        type: 'notification.sync',
        timestamp: body.data.lastModifiedDateTime,
        data: { type: 'stateChanged', notificationId: t.notification.id, userId: 'alice', readState: 'read', userActionState: 'dismissed', lastModifiedDateTime: body.data.lastModifiedDateTime },
      });
      const [sync] = (await t.service.deliveries.list('alice', t.notification.id)).filter((delivery) => delivery.kind === 'sync');
      expect(request?.headers['webhook-id']).toBe(sync?.id);
    } finally {
      await t.service.close();
    }
  });

  it('POSTs a signed notification.sync of type deleted once, replacing a state sync still waiting', async () => {
    const t = await setUp('deleted');
    try {
      await t.service.stop();
      await t.service.feed.markRead('alice', t.notification.id, { origin: t.phone.id });
      expect(await t.service.feed.delete('alice', t.notification.id, { origin: t.phone.id })).toBe(true);
      await t.service.drain();
      expect(t.syncsAt('phone')).toEqual([]);
      const [request, ...more] = t.syncsAt('laptop');
      expect(more).toEqual([]);
      const body = verifyWebhook<WebhookSyncBody>(t.secrets.laptop, request?.headers ?? {}, request?.body ?? '', { now: t.clock.now() }).payload;
      expect(body).toEqual({
        type: 'notification.sync',
        timestamp: body.data.lastModifiedDateTime,
        data: { type: 'deleted', notificationId: t.notification.id, userId: 'alice', readState: 'read', userActionState: 'dismissed', lastModifiedDateTime: body.data.lastModifiedDateTime },
      });
      const syncs = (await t.service.deliveries.list('alice', t.notification.id)).filter((delivery) => delivery.kind === 'sync');
      expect(syncs.map((delivery) => [delivery.id, delivery.status]), 'the deletion’s sync, kept beside the tombstone').toEqual([[request?.headers['webhook-id'], 'delivered']]);
    } finally {
      await t.service.close();
    }
  });
});

