import { afterEach, describe, expect, it } from 'vitest';
import { createNotificationService, exponentialBackoff, fixedSchedule, type DeliveryFailedEvent } from '@herald/core';
import { TransportError } from '@herald/core/transport';
import { createMemoryStore } from '@herald/store-memory';
import { createFakeClock } from '@herald/testing';
import { harness, recordingTransport, referenceRequest, type Harness } from './support.js';

let h: Harness;
afterEach(async () => {
  await h?.service.close();
});

describe('the dispatcher', () => {
  it('delivers at once after a send, with a stable delivery id and the notification', async () => {
    h = await harness();
    const [windows] = await h.subscribe('alice', ['windows']);
    const { notification, deliveries } = await h.service.send(referenceRequest(h.clock.now()), { userId: 'alice' });
    await h.clock.settle();
    expect(h.transport.calls).toHaveLength(1);
    const [call] = h.transport.calls;
    expect(call?.message).toMatchObject({ deliveryId: deliveries[0]?.id, attempt: 1, kind: 'notification' });
    expect(call?.message.notification.id).toBe(notification.id);
    expect(call?.endpoint).toEqual({ subscriptionId: windows, userId: 'alice', targetHostName: notification.targetHostName, platformType: 'windows', address: 'windows://alice' });
    const [delivery] = await h.service.deliveries.list('alice', notification.id);
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 1, nextAttemptAt: null, deliveredAt: h.clock.now() });
    expect(delivery?.lease).toBeUndefined();
  });

  it('retries a retryable failure with backoff, the same delivery id each time, until it succeeds', async () => {
    h = await harness({ dispatcher: { retry: exponentialBackoff({ baseDelayMs: 1000, jitter: 0 }) } });
    await h.subscribe('alice', ['windows']);
    h.transport.behave((_call, index) => {
      if (index < 3) throw new Error(`flaky ${index}`);
    });
    const failures: DeliveryFailedEvent[] = [];
    h.service.on('delivery.failed', (event) => failures.push(event));
    const start = h.clock.now();
    const { notification } = await h.service.send(referenceRequest(start), { userId: 'alice' });
    await h.clock.runAll();
    expect(h.transport.calls.map((c) => c.message.attempt)).toEqual([1, 2, 3, 4]);
    expect(new Set(h.transport.calls.map((c) => c.message.deliveryId)).size).toBe(1);
    expect(failures.map((f) => f.nextAttemptAt - start)).toEqual([1000, 3000, 7000]);
    expect(failures[0]?.error).toMatchObject({ failure: 'retryable', message: 'flaky 0' });
    const [delivery] = await h.service.deliveries.list('alice', notification.id);
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 4 });
  });

  it('honours a retry-after hint over the backoff', async () => {
    h = await harness({ dispatcher: { retry: exponentialBackoff({ baseDelayMs: 1000, jitter: 0 }) } });
    await h.subscribe('alice', ['windows']);
    h.transport.behave((_call, index) => {
      if (index === 0) throw TransportError.retryable('busy', { retryAfterMs: 120_000 });
    });
    await h.service.send(referenceRequest(h.clock.now()), { userId: 'alice' });
    await h.clock.advance('119s');
    expect(h.transport.calls).toHaveLength(1);
    await h.clock.advance('1s');
    expect(h.transport.calls).toHaveLength(2);
  });

  it('ends a delivery as dead on a permanent error, at once', async () => {
    h = await harness();
    await h.subscribe('alice', ['windows']);
    h.transport.behave(() => {
      throw TransportError.permanent('400 Bad Request');
    });
    const dead: string[] = [];
    h.service.on('delivery.dead', (event) => dead.push(event.error.message));
    const { notification } = await h.service.send(referenceRequest(h.clock.now()), { userId: 'alice' });
    await h.clock.runAll();
    expect(h.transport.calls).toHaveLength(1);
    expect(dead).toEqual(['400 Bad Request']);
    const [delivery] = await h.service.deliveries.list('alice', notification.id);
    expect(delivery).toMatchObject({ status: 'dead', attempts: 1, lastError: { code: 'TRANSPORT_PERMANENT', message: '400 Bad Request' } });
    expect((await h.service.deliveries.listDead()).items.map((d) => d.id)).toEqual([delivery?.id]);
  });

  it('deactivates the subscription of an endpoint that is gone', async () => {
    h = await harness();
    const [windows] = await h.subscribe('alice', ['windows']);
    h.transport.behave(() => {
      throw TransportError.endpointGone('410 Gone');
    });
    const deactivated: string[] = [];
    h.service.on('subscription.deactivated', (event) => deactivated.push(event.subscription.id));
    await h.service.send(referenceRequest(h.clock.now()), { userId: 'alice' });
    await h.clock.runAll();
    const subscription = await h.service.subscriptions.get(windows as string);
    expect(subscription).toMatchObject({ status: 'inactive', statusReason: 'endpoint gone: 410 Gone' });
    expect(deactivated).toEqual([windows]);
    const next = await h.service.send(referenceRequest(h.clock.now(), { appNotificationId: 'again' }), { userId: 'alice' });
    expect(next.deliveries).toHaveLength(0);
  });

  it('gives up after the last attempt of the schedule, then a retry revives it', async () => {
    h = await harness({ dispatcher: { retry: fixedSchedule([1000, 5000], { jitter: 0 }) } });
    await h.subscribe('alice', ['windows']);
    h.transport.behave(() => {
      throw new Error('down');
    });
    const { notification } = await h.service.send(referenceRequest(h.clock.now()), { userId: 'alice' });
    await h.clock.runAll();
    expect(h.transport.calls).toHaveLength(3);
    const [dead] = await h.service.deliveries.list('alice', notification.id);
    expect(dead).toMatchObject({ status: 'dead', attempts: 3, lastError: { message: 'down (gave up after 3 attempts)' } });

    h.transport.behave(() => undefined);
    const revived = await h.service.deliveries.retry('alice', dead?.id as string);
    expect(revived).toMatchObject({ status: 'pending', attempts: 0 });
    await h.clock.settle();
    expect(h.transport.calls).toHaveLength(4);
    expect(h.transport.calls[3]?.message.deliveryId).toBe(dead?.id);
    await expect(h.service.deliveries.retry('alice', dead?.id as string)).rejects.toMatchObject({ code: 'DELIVERY_NOT_DEAD' });
    await expect(h.service.deliveries.retry('alice', 'missing')).rejects.toMatchObject({ code: 'DELIVERY_NOT_FOUND' });
  });

  it('uses a transport’s own retry schedule', async () => {
    const transport = { ...recordingTransport('own'), retry: fixedSchedule([60_000], { jitter: 0 }) };
    const clock = createFakeClock();
    const service = createNotificationService({ store: createMemoryStore(), transports: [transport], clock });
    try {
      await service.subscriptions.create('alice', { targetHostName: 'app.example', platformType: 'ios', transport: 'own', address: 'x' });
      let calls = 0;
      transport.send = async () => {
        calls += 1;
        throw new Error('no');
      };
      const { notification } = await service.send(referenceRequest(clock.now(), { targetHostName: 'app.example' }), { userId: 'alice' });
      await clock.runAll();
      expect(calls).toBe(2);
      expect(clock.now() - Date.parse(notification.createdDateTime)).toBe(60_000);
    } finally {
      await service.close();
    }
  });

  it('times out an attempt that hangs, as a retryable failure', async () => {
    h = await harness({ dispatcher: { attemptTimeoutMs: 5000, retry: fixedSchedule([1000], { jitter: 0 }) } });
    await h.subscribe('alice', ['windows']);
    const signals: AbortSignal[] = [];
    h.transport.behave((call, index) => (index === 0 ? new Promise<void>(() => signals.push(call.context.signal)) : undefined));
    const failures: string[] = [];
    h.service.on('delivery.failed', (event) => failures.push(event.error.code));
    const { notification } = await h.service.send(referenceRequest(h.clock.now()), { userId: 'alice' });
    await h.clock.advance('4999ms');
    expect(failures).toEqual([]);
    await h.clock.advance('1ms');
    expect(failures).toEqual(['TRANSPORT_TIMEOUT']);
    expect(signals[0]?.aborted).toBe(true);
    await h.clock.runAll();
    const [delivery] = await h.service.deliveries.list('alice', notification.id);
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('reclaims a delivery whose holder froze once its lease expires, and ignores the late holder', async () => {
    const store = createMemoryStore();
    // The frozen instance has a clock of its own that never moves: its lease is never renewed.
    const frozenClock = createFakeClock();
    const clock = createFakeClock();
    const hanging = recordingTransport();
    hanging.behave(() => new Promise<void>(() => undefined));
    const frozen = createNotificationService({ store, clock: frozenClock, transports: [hanging], dispatcher: { leaseMs: 10_000, attemptTimeoutMs: 60_000 } });
    await frozen.subscriptions.create('alice', { targetHostName: 'app.example', platformType: 'ios', transport: 'test', address: 'x' });
    const { notification } = await frozen.send(referenceRequest(clock.now(), { targetHostName: 'app.example' }), { userId: 'alice' });
    await frozenClock.settle();
    expect(hanging.calls).toHaveLength(1);

    const healthy = recordingTransport();
    const other = createNotificationService({ store, clock, transports: [healthy], dispatcher: { autoStart: false, leaseMs: 10_000 } });
    await other.drain();
    expect(healthy.calls).toHaveLength(0); // the lease is still live
    await clock.advance('10s');
    await other.drain();
    expect(healthy.calls).toHaveLength(1);
    expect(healthy.calls[0]?.message.deliveryId).toBe(hanging.calls[0]?.message.deliveryId);

    // The frozen instance wakes up, times out, and its stale lease records nothing.
    await frozenClock.advance('60s');
    const [delivery] = await other.deliveries.list('alice', notification.id);
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 1 });
    await frozen.close();
    await other.close();
  });

  it('drain resolves once everything due is done, and stop waits for attempts under way', async () => {
    h = await harness({ dispatcher: { autoStart: false, concurrency: 2 } });
    await h.subscribe('alice', ['windows', 'ios', 'android', 'webpush']);
    await h.service.send(referenceRequest(h.clock.now(), { targetPolicy: undefined }), { userId: 'alice' });
    expect(h.transport.calls).toHaveLength(0);
    await h.service.drain();
    expect(h.transport.calls).toHaveLength(4);
    expect(h.service.running).toBe(false);
  });

  it('cancels deliveries whose subscription went away before they were due', async () => {
    h = await harness();
    const [windows] = await h.subscribe('alice', ['windows']);
    const { notification } = await h.service.send(referenceRequest(h.clock.now()), { userId: 'alice' }, { sendAt: h.clock.now() + 60_000 });
    await h.service.subscriptions.delete(windows as string);
    await h.clock.runAll();
    expect(h.transport.calls).toHaveLength(0);
    const [delivery] = await h.service.deliveries.list('alice', notification.id);
    expect(delivery).toMatchObject({ status: 'cancelled', attempts: 0, lastError: { code: 'CANCELLED', message: 'the subscription was deleted' } });
  });

  it('expires deliveries of a notification that expired first', async () => {
    h = await harness();
    await h.subscribe('alice', ['windows']);
    const { notification } = await h.service.send(referenceRequest(h.clock.now(), { expirationDateTime: new Date(h.clock.now() + 60_000).toISOString() }), { userId: 'alice' }, { sendAt: h.clock.now() + 59_000 });
    h.transport.behave(() => {
      throw new Error('down');
    });
    await h.clock.runAll();
    expect(h.transport.calls).toHaveLength(1);
    expect(await h.service.feed.get('alice', notification.id)).toBeUndefined();
  });

  it('sends the visual fallback of an unacknowledged raw notification, and skips an acknowledged one', async () => {
    h = await harness();
    await h.subscribe('alice', ['ios', 'android']);
    const raw = (id: string) =>
      referenceRequest(h.clock.now(), {
        appNotificationId: id,
        payload: { rawContent: '{"chat":1}' },
        targetPolicy: { platformTypes: ['ios', 'android'] },
        fallbackPolicy: { endpointFallback: { platformTypes: ['ios'], fallbackDelayInSeconds: 60, visualContent: { title: 'New message' } } },
      });
    const ignored = await h.service.send(raw('ignored'), { userId: 'alice' });
    const read = await h.service.send(raw('read'), { userId: 'alice' });
    expect(ignored.deliveries.map((d) => `${d.platformType}:${d.kind}`).sort()).toEqual(['android:notification', 'ios:fallback', 'ios:notification']);
    await h.service.feed.markRead('alice', read.notification.id);
    await h.clock.runAll();
    const fallbacks = h.transport.calls.filter((c) => c.message.kind === 'fallback');
    expect(fallbacks).toHaveLength(1);
    expect(fallbacks[0]?.message.notification.id).toBe(ignored.notification.id);
    expect(fallbacks[0]?.message.notification.payload).toEqual({ visualContent: { title: 'New message' } });
    const readDeliveries = await h.service.deliveries.list('alice', read.notification.id);
    expect(readDeliveries.find((d) => d.kind === 'fallback')?.status).toBe('cancelled');
  });

  it('reports a store failure as an error event and keeps going', async () => {
    h = await harness({ dispatcher: { errorBackoffMs: 1000 } });
    await h.subscribe('alice', ['windows']);
    const store = h.service.store;
    const claim = store.claimDeliveries.bind(store);
    let failures = 1;
    (store as { claimDeliveries: typeof store.claimDeliveries }).claimDeliveries = async (request) => {
      if (failures-- > 0) throw new Error('store hiccup');
      return claim(request);
    };
    const errors: string[] = [];
    h.service.on('error', (event) => errors.push(`${event.source}: ${(event.error as Error).message}`));
    await h.service.send(referenceRequest(h.clock.now()), { userId: 'alice' });
    await h.clock.settle();
    expect(errors).toEqual(['dispatcher: store hiccup']);
    expect(h.transport.calls).toHaveLength(0);
    await h.clock.advance('1s');
    expect(h.transport.calls).toHaveLength(1);
  });
});
