import { afterEach, describe, expect, it } from 'vitest';
import { createNotificationService, type NotificationStore } from '@herald/core';
import { createMemoryStore } from '@herald/store-memory';
import { harness, recordingTransport, referenceRequest, type Harness } from './support.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.service.close();
  h = undefined;
});

describe('the service', () => {
  it('emits typed events for sends, state changes, deletes and deliveries', async () => {
    h = await harness();
    await h.subscribe('alice', ['windows']);
    const seen: string[] = [];
    for (const event of ['notification.created', 'notification.updated', 'notification.deleted', 'notification.stateChanged', 'delivery.succeeded'] as const) {
      h.service.on(event, () => seen.push(event));
    }
    const { notification } = await h.service.send(referenceRequest(h.clock.now()), { userId: 'alice' });
    await h.clock.settle();
    await h.service.send(referenceRequest(h.clock.now()), { userId: 'alice' });
    await h.clock.settle();
    await h.service.feed.markRead('alice', notification.id);
    await h.service.feed.delete('alice', notification.id);
    expect(seen).toEqual(['notification.created', 'delivery.succeeded', 'notification.updated', 'delivery.succeeded', 'notification.stateChanged', 'notification.deleted']);
  });

  it('isolates a throwing listener: the send succeeds, others still run, the error is reported', async () => {
    h = await harness();
    const order: string[] = [];
    h.service.on('notification.created', () => {
      throw new Error('listener bug');
    });
    h.service.on('notification.created', () => order.push('second listener'));
    h.service.on('error', (event) => order.push(`${event.source}: ${(event.error as Error).message}`));
    await expect(h.service.send(referenceRequest(h.clock.now()), { userId: 'alice' })).resolves.toBeDefined();
    expect(order).toEqual(['listener of notification.created: listener bug', 'second listener']);
  });

  it('removes listeners with the function on() returns, and once() fires once', async () => {
    h = await harness();
    let count = 0;
    let onceCount = 0;
    const off = h.service.on('notification.created', () => (count += 1));
    h.service.once('notification.created', () => (onceCount += 1));
    await h.service.send(referenceRequest(h.clock.now(), { appNotificationId: 'a' }), { userId: 'alice' });
    off();
    await h.service.send(referenceRequest(h.clock.now(), { appNotificationId: 'b' }), { userId: 'alice' });
    expect([count, onceCount]).toEqual([1, 1]);
  });

  it('refuses every call after close, with SERVICE_CLOSED, and closes the store and transports once', async () => {
    const transport = recordingTransport();
    let closes = 0;
    const closing = { ...transport, close: () => void (closes += 1) };
    const store = createMemoryStore();
    const service = createNotificationService({ store, transports: [closing] });
    await Promise.all([service.close(), service.close()]);
    expect(closes).toBe(1);
    await expect(service.send(referenceRequest(Date.now()), { userId: 'alice' })).rejects.toMatchObject({ code: 'SERVICE_CLOSED' });
    await expect(service.feed.list('alice')).rejects.toMatchObject({ code: 'SERVICE_CLOSED' });
    await expect(service.subscriptions.list('alice')).rejects.toMatchObject({ code: 'SERVICE_CLOSED' });
    await expect(service.deliveries.listDead()).rejects.toMatchObject({ code: 'SERVICE_CLOSED' });
    await expect(store.listSubscriptions('alice')).rejects.toMatchObject({ code: 'STORE_CLOSED' });
    expect(() => service.start()).toThrow(/closed/);
  });

  it('refuses wrong options at construction with a TypeError naming the option', () => {
    const store = createMemoryStore();
    const make = (options: Record<string, unknown>) => () => createNotificationService({ store, ...options } as never);
    expect(() => createNotificationService(undefined as never)).toThrow(TypeError);
    expect(make({ store: undefined })).toThrow(/options.store is required/);
    expect(make({ store: { saveNotification() {} } })).toThrow(/lacks getNotification/);
    expect(make({ transports: [{ name: 'a b', send() {} }] })).toThrow(/transport name "a b"/);
    expect(make({ transports: [recordingTransport('x'), recordingTransport('x')] })).toThrow(/two transports are named "x"/);
    expect(make({ transports: [{ name: 'x' }] })).toThrow(/send\(message, endpoint, context\)/);
    expect(make({ dispatcher: { concurrency: 0 } })).toThrow(/dispatcher.concurrency/);
    expect(make({ dispatcher: { leaseMs: -1 } })).toThrow(/dispatcher.leaseMs/);
    expect(make({ defaultExpirationMs: 31 * 86_400_000 })).toThrow(/defaultExpirationMs/);
    expect(make({ maxSubscriptionsPerUser: 1.5 })).toThrow(/maxSubscriptionsPerUser/);
  });

  it('does not start the dispatcher with autoStart: false, until start()', async () => {
    h = await harness({ dispatcher: { autoStart: false } });
    await h.subscribe('alice', ['windows']);
    await h.service.send(referenceRequest(h.clock.now()), { userId: 'alice' });
    await h.clock.settle();
    expect(h.transport.calls).toHaveLength(0);
    h.service.start();
    await h.clock.settle();
    expect(h.transport.calls).toHaveLength(1);
    await h.service.stop();
    expect(h.service.running).toBe(false);
  });

  it('purges on its own while running', async () => {
    h = await harness({ purgeIntervalMs: 60_000 });
    await h.service.send(referenceRequest(h.clock.now(), { expirationDateTime: new Date(h.clock.now() + 30_000).toISOString() }), { userId: 'alice' });
    const store: NotificationStore = h.service.store;
    await h.clock.advance('61s');
    const changes = await store.listChanges('alice', 1, 10, h.clock.now());
    expect(changes.changes.map((change) => change.type)).toEqual(['deleted']);
  });
});
