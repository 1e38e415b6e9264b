/**
 * Cross-device sync of deletions on the memory store: a deleted notification reaches the
 * user's other endpoints as a `deleted` sync, never the endpoint that deleted it, only
 * those the notification reached, and replaces a sync of a state change still waiting.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStore } from '@herald/store-memory';
import type { NotificationStore } from '@herald/core';
import { closeSyncServices, setUpSync, syncsOf } from './sync-support.js';
import { referenceRequest } from './support.js';

afterEach(closeSyncServices);

const removed = { type: 'deleted', userId: 'alice', readState: 'read', userActionState: 'dismissed' } as const;

describe('cross-device sync of deletions', () => {
  it('tells the other endpoints a deleted notification is gone, not the one that deleted it', async () => {
    const t = await setUpSync();
    expect(await t.service.feed.delete('alice', t.notification.id, { origin: t.phone })).toBe(true);
    await t.service.drain();
    expect(t.carrier.syncs.map((call) => call.endpoint.subscriptionId).sort()).toEqual([t.laptop, t.tablet].sort());
    for (const { message } of t.carrier.syncs) expect(message).toMatchObject({ kind: 'sync', attempt: 1, sync: { ...removed, notificationId: t.notification.id } });
    expect((await syncsOf(t.service, t.notification.id)).map((delivery) => delivery.status), 'the syncs outlive the notification, done').toEqual(['delivered', 'delivered']);
  });

  it('a deletion replaces a sync of a state change still waiting: each endpoint gets one message, removed', async () => {
    const t = await setUpSync();
    await t.service.stop();
    await t.service.feed.markRead('alice', t.notification.id, { origin: t.phone });
    expect(await syncsOf(t.service, t.notification.id)).toHaveLength(2);
    await t.service.feed.delete('alice', t.notification.id, { origin: t.phone });
    t.service.start();
    await t.service.drain();
    expect(t.carrier.syncs.map((call) => [call.endpoint.subscriptionId, call.message.sync.type]).sort()).toEqual([
      [t.laptop, 'deleted'],
      [t.tablet, 'deleted'],
    ].sort());
  });

  it('reaches only the endpoints the notification reached, through transports that carry sync messages', async () => {
    const t = await setUpSync();
    const plainEndpoint = await t.subscribe('webpush', 'plain');
    const otherApp = await t.subscribe('webpush', 'carrier', 'other.example.com');
    const { notification } = await t.service.send(referenceRequest(t.clock.now(), { appNotificationId: 'windows-only', targetPolicy: { platformTypes: ['windows'] } }), { userId: 'alice' });
    await t.service.drain();
    await t.service.feed.delete('alice', notification.id);
    await t.service.drain();
    expect(t.carrier.syncs.map((call) => [call.endpoint.subscriptionId, call.message.sync.type])).toEqual([[t.laptop, 'deleted']]);
    const told = (await syncsOf(t.service, notification.id)).map((delivery) => delivery.subscriptionId);
    expect(told).not.toContain(plainEndpoint);
    expect(told).not.toContain(otherApp);
  });

  it('a group deletion tells the other endpoints of each notification, not the origin', async () => {
    const t = await setUpSync();
    const grouped = await Promise.all(
      ['a', 'b'].map(async (key) => (await t.service.send(referenceRequest(t.clock.now(), { appNotificationId: `grouped-${key}`, groupName: 'chat' }), { userId: 'alice' })).notification),
    );
    await t.service.drain();
    expect(await t.service.feed.deleteGroup('alice', 'chat', { origin: t.tablet })).toBe(2);
    await t.service.drain();
    const told = t.carrier.syncs.map((call) => [call.message.sync.notificationId, call.endpoint.subscriptionId, call.message.sync.type]);
    expect(told.sort()).toEqual(grouped.flatMap((notification) => [t.phone, t.laptop].map((endpoint) => [notification.id, endpoint, 'deleted'])).sort());
  });

  it('a store without the sync capability gets no plan for a deletion', async () => {
    const memory = createMemoryStore();
    const store: NotificationStore = { ...memory, capabilities: { ...memory.capabilities, sync: false } };
    const plans: unknown[] = [];
    const deleteNotification = memory.deleteNotification.bind(memory);
    store.deleteNotification = (...args) => {
      plans.push(args[3]);
      return deleteNotification(...args);
    };
    const t = await setUpSync(store);
    await t.service.feed.delete('alice', t.notification.id);
    await t.service.drain();
    expect(plans).toEqual([undefined]);
    expect(t.carrier.syncs).toEqual([]);
  });

  it('refuses a malformed origin and unknown options, deleting nothing', async () => {
    const t = await setUpSync();
    await expect(t.service.feed.delete('alice', t.notification.id, { origin: '' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(t.service.feed.delete('alice', t.notification.id, { orign: t.phone } as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(t.service.feed.deleteGroup('alice', 'chat', { origin: '' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(await t.service.feed.get('alice', t.notification.id)).toBeDefined();
  });
});
