/**
 * Sync messages through Web Push, end to end: a state change or a deletion on the memory store reaches
 * the user's other browser as an encrypted data message (decrypted by the tests' own push
 * service), with VAPID, a Topic per notification (a newer sync replaces an older one the
 * push service holds) and a day's TTL; never the browser that made the change.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotificationService } from '@herald/core';
import { createMemoryStore } from '@herald/store-memory';
import { createFakeClock, useLoopbackOnly } from '@herald/testing';
import { createWebPushTransport, generateVapidKeys, syncTimeToLiveSeconds, type WebPushSyncBody } from '@herald/transport-webpush';
import { startPushService, type PushService } from './push-service.js';

useLoopbackOnly();

const vapid = { subject: 'mailto:push@example.com', ...generateVapidKeys() };
let pushService: PushService;
beforeAll(async () => {
  pushService = await startPushService();
});
afterAll(async () => {
  await pushService.close();
});

/** A service pushing to the tests' push service, alice's phone and laptop browsers on it, and one notification pushed to both. */
async function setUp() {
  const clock = createFakeClock();
  const herald = createNotificationService({
    store: createMemoryStore(),
    transports: [createWebPushTransport({ vapid, agent: pushService.agent, allowedNetworks: ['127.0.0.1'] })],
    clock,
  });
  const phoneBrowser = pushService.subscribe(vapid.publicKey);
  const laptopBrowser = pushService.subscribe(vapid.publicKey);
  const subscribe = (address: string) => herald.subscriptions.create('alice', { targetHostName: 'chat.example.com', platformType: 'webpush', transport: 'webpush', address });
  const phone = await subscribe(phoneBrowser.address);
  await subscribe(laptopBrowser.address);
  const { notification } = await herald.send({ targetHostName: 'chat.example.com', appNotificationId: 'm-1', payload: { visualContent: { title: 'Bob', body: 'Lunch?' } } }, { userId: 'alice' });
  await herald.drain();
  return { herald, phone, laptopBrowser, notification, before: pushService.pushes.length };
}

describe('sync messages through Web Push', () => {
  it('pushes an encrypted sync data message to the other browser only, with the latest state', async () => {
    const { herald, phone, laptopBrowser, notification, before } = await setUp();
    try {

      await herald.stop();
      await herald.feed.markRead('alice', notification.id, { origin: phone.id });
      await herald.feed.setUserActionState('alice', notification.id, 'dismissed', { origin: phone.id });
      await herald.drain();

      const pushes = pushService.pushes.slice(before);
      expect(pushes.map((push) => push.path), 'one push, to the laptop: coalesced, and not echoed to the phone').toEqual([new URL(laptopBrowser.endpoint).pathname]);
      const [push] = pushes;
      expect(push?.vapid).not.toBeInstanceOf(Error);
      expect(push?.headers['ttl']).toBe(String(syncTimeToLiveSeconds));
      expect(push?.headers['urgency']).toBe('normal');
      expect(push?.headers['topic']).toMatch(/^[A-Za-z0-9_-]{32}$/);
      const [sync] = (await herald.deliveries.list('alice', notification.id)).filter((delivery) => delivery.kind === 'sync');
      const body = JSON.parse(push?.plaintext as string) as WebPushSyncBody;
      expect(body).toEqual({
        id: notification.id,
        deliveryId: sync?.id,
        kind: 'sync',
        type: 'stateChanged',
        readState: 'read',
        userActionState: 'dismissed',
        lastModifiedDateTime: body.lastModifiedDateTime,
      });
      expect(sync?.status).toBe('delivered');
    } finally {
      await herald.close();
    }
  });

  it('pushes an encrypted sync of type deleted to the other browser only, once, replacing a state sync still waiting', async () => {
    const { herald, phone, laptopBrowser, notification, before } = await setUp();
    try {
      await herald.stop();
      await herald.feed.markRead('alice', notification.id, { origin: phone.id });
      expect(await herald.feed.delete('alice', notification.id, { origin: phone.id })).toBe(true);
      await herald.drain();

      const pushes = pushService.pushes.slice(before);
      expect(pushes.map((push) => push.path), 'one push, to the laptop').toEqual([new URL(laptopBrowser.endpoint).pathname]);
      const [push] = pushes;
      expect(push?.vapid).not.toBeInstanceOf(Error);
      expect(push?.headers['ttl']).toBe(String(syncTimeToLiveSeconds));
      expect(push?.headers['topic']).toMatch(/^[A-Za-z0-9_-]{32}$/);
      const [sync, ...more] = (await herald.deliveries.list('alice', notification.id)).filter((delivery) => delivery.kind === 'sync');
      expect(more, 'only the deletion’s sync is kept, beside the tombstone').toEqual([]);
      const body = JSON.parse(push?.plaintext as string) as WebPushSyncBody;
      expect(body).toEqual({
        id: notification.id,
        deliveryId: sync?.id,
        kind: 'sync',
        type: 'deleted',
        readState: 'read',
        userActionState: 'dismissed',
        lastModifiedDateTime: body.lastModifiedDateTime,
      });
      expect(sync?.status).toBe('delivered');
    } finally {
      await herald.close();
    }
  });
});

