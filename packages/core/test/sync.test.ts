/**
 * Cross-device sync on the memory store: a state change reaches the user's other
 * endpoints as a `sync` delivery (only through transports with sendSync), coalesced to
 * the latest state, never echoed to the endpoint that made it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createNotificationService, type NotificationStore } from '@herald/core';
import { createMemoryStore } from '@herald/store-memory';
import { createFakeClock } from '@herald/testing';
import { closeSyncServices, setUpSync, syncsOf, syncTransport } from './sync-support.js';
import { app, referenceRequest } from './support.js';

let service: ReturnType<typeof createNotificationService> | undefined;
afterEach(async () => {
  await service?.close();
  service = undefined;
  await closeSyncServices();
});

const setUp = setUpSync;

describe('cross-device sync', () => {
  it('tells the other endpoints of a state change, not the one that made it', async () => {
    const t = await setUp();
    await t.service.feed.markRead('alice', t.notification.id, { origin: t.phone });
    await t.service.drain();
    expect(t.carrier.syncs.map((call) => call.endpoint.subscriptionId).sort()).toEqual([t.laptop, t.tablet].sort());
    for (const { message } of t.carrier.syncs) {
      expect(message).toMatchObject({ kind: 'sync', attempt: 1, sync: { type: 'stateChanged', notificationId: t.notification.id, userId: 'alice', readState: 'read', userActionState: 'noInteraction' } });
    }
    expect((await syncsOf(t.service, t.notification.id)).map((delivery) => delivery.status)).toEqual(['delivered', 'delivered']);
  });

  it('without an origin tells every endpoint that received the notification', async () => {
    const t = await setUp();
    await t.service.feed.setUserActionState('alice', t.notification.id, 'dismissed');
    await t.service.drain();
    expect(t.carrier.syncs.map((call) => call.endpoint.subscriptionId).sort()).toEqual([t.phone, t.laptop, t.tablet].sort());
  });

  it('coalesces: changes made before the sync is attempted reach each endpoint once, as the latest state', async () => {
    const t = await setUp();
    const id = t.notification.id;
    await t.service.stop();
    await t.service.feed.markRead('alice', id, { origin: t.phone });
    await t.service.feed.setUserActionState('alice', id, 'dismissed', { origin: t.phone });
    await t.service.feed.markUnread('alice', id, { origin: t.laptop });
    // The laptop made the last change, but the phone's two changes are still to tell it.
    expect((await syncsOf(t.service, id)).map((delivery) => delivery.subscriptionId).sort()).toEqual([t.laptop, t.tablet, t.phone].sort());
    await t.service.drain();
    expect(t.carrier.syncs).toHaveLength(3);
    for (const { message } of t.carrier.syncs) expect(message.sync).toMatchObject({ readState: 'unread', userActionState: 'dismissed' });
  });

  it('a change after a sync was delivered makes a new one', async () => {
    const t = await setUp();
    await t.service.feed.markRead('alice', t.notification.id, { origin: t.phone });
    await t.service.drain();
    await t.service.feed.markUnread('alice', t.notification.id, { origin: t.phone });
    await t.service.drain();
    expect(t.carrier.syncs.map((call) => call.message.sync.readState)).toEqual(['read', 'read', 'unread', 'unread']);
  });

  it('a sync waiting for a retry takes the newer state instead of a second delivery; a retry never sends an older state', async () => {
    const t = await setUp();
    t.carrier.behave((call) => {
      if (call.endpoint.subscriptionId === t.laptop && call.message.attempt === 1) throw new Error('the laptop is offline');
    });
    await t.service.feed.markRead('alice', t.notification.id, { origin: t.phone });
    await t.service.drain();
    await t.service.feed.setUserActionState('alice', t.notification.id, 'activated', { origin: t.phone });
    const toLaptop = (await syncsOf(t.service, t.notification.id)).filter((delivery) => delivery.subscriptionId === t.laptop);
    expect(toLaptop.map((delivery) => delivery.status)).toEqual(['failed']);
    await t.clock.advance(60 * 60 * 1000);
    await t.service.drain();
    const last = t.carrier.syncs.filter((call) => call.endpoint.subscriptionId === t.laptop).at(-1);
    expect(last?.message).toMatchObject({ attempt: 2, sync: { readState: 'read', userActionState: 'activated' } });
  });

  it('a change while a sync is being attempted makes a second one, which carries the newer state', async () => {
    const t = await setUp();
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started!: () => void;
    const underway = new Promise<void>((resolve) => {
      started = resolve;
    });
    t.carrier.behave(async (call) => {
      if (call.endpoint.subscriptionId !== t.laptop || call.message.sync.readState !== 'read') return;
      started();
      await held;
    });
    await t.service.feed.markRead('alice', t.notification.id, { origin: t.phone });
    await underway;
    await t.service.feed.markUnread('alice', t.notification.id, { origin: t.phone });
    release();
    await t.service.drain();
    const toLaptop = t.carrier.syncs.filter((call) => call.endpoint.subscriptionId === t.laptop).map((call) => call.message.sync.readState);
    expect(toLaptop).toEqual(['read', 'unread']);
  });

  it('goes only through transports that carry sync messages, and only to endpoints the notification reached', async () => {
    const t = await setUp();
    const plainEndpoint = await t.subscribe('webpush', 'plain');
    const otherApp = await t.subscribe('webpush', 'carrier', 'other.example.com');
    const { notification } = await t.service.send(referenceRequest(t.clock.now(), { appNotificationId: 'windows-only', targetPolicy: { platformTypes: ['windows'] } }), { userId: 'alice' });
    await t.service.drain();
    await t.service.feed.markRead('alice', notification.id);
    await t.service.drain();
    expect(t.carrier.syncs.map((call) => call.endpoint.subscriptionId)).toEqual([t.laptop]);
    const told = (await syncsOf(t.service, notification.id)).map((delivery) => delivery.subscriptionId);
    expect(told).not.toContain(plainEndpoint);
    expect(told).not.toContain(otherApp);
  });

  it('a change that changes nothing syncs nothing', async () => {
    const t = await setUp();
    await t.service.feed.markUnread('alice', t.notification.id);
    await t.service.feed.update('alice', t.notification.id, { userActionState: 'noInteraction' });
    await t.service.drain();
    expect(t.carrier.syncs).toEqual([]);
    expect(await syncsOf(t.service, t.notification.id)).toEqual([]);
  });

  it('a store without the sync capability gets no plan and makes no syncs', async () => {
    const memory = createMemoryStore();
    const store: NotificationStore = { ...memory, capabilities: { ...memory.capabilities, sync: false } };
    const plans: unknown[] = [];
    const update = memory.updateNotificationState.bind(memory);
    store.updateNotificationState = (...args) => {
      plans.push(args[4]);
      return update(...args);
    };
    const t = await setUp(store);
    await t.service.feed.markRead('alice', t.notification.id);
    await t.service.drain();
    expect(plans).toEqual([undefined]);
    expect(t.carrier.syncs).toEqual([]);
  });

  it('a sync whose transport no longer carries sync messages is cancelled, not sent', async () => {
    const clock = createFakeClock();
    const store = createMemoryStore();
    const first = syncTransport('carrier');
    const before = createNotificationService({ store, transports: [first], clock, dispatcher: { autoStart: false } });
    const phone = await before.subscriptions.create('alice', { targetHostName: app, platformType: 'android', transport: 'carrier', address: 'phone' });
    const { notification } = await before.send(referenceRequest(clock.now()), { userId: 'alice' });
    await before.feed.markRead('alice', notification.id);
    // The same store, served by a service whose `carrier` transport has no sendSync.
    service = createNotificationService({ store, transports: [{ name: 'carrier', async send() {} }], clock });
    await service.drain();
    const [sync] = (await service.deliveries.list('alice', notification.id)).filter((delivery) => delivery.kind === 'sync');
    expect(sync).toMatchObject({ subscriptionId: phone.id, status: 'cancelled', lastError: { code: 'CANCELLED' } });
    expect(sync?.lastError?.message).toMatch(/does not carry sync messages/);
    expect(first.syncs).toEqual([]);
  });

  it('refuses a malformed origin and unknown options', async () => {
    const t = await setUp();
    await expect(t.service.feed.markRead('alice', t.notification.id, { origin: '' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(t.service.feed.markRead('alice', t.notification.id, { orign: t.phone } as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect((await t.service.feed.get('alice', t.notification.id))?.readState).toBe('unread');
  });
});
