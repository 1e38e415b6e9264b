import { afterEach, describe, expect, it } from 'vitest';
import { HeraldError, isHeraldError } from '@herald/core';
import { app, harness, referenceRequest, type Harness } from './support.js';

let h: Harness;
afterEach(async () => {
  await h?.service.close();
});

async function refusal(promise: Promise<unknown>): Promise<HeraldError> {
  try {
    await promise;
  } catch (error) {
    if (isHeraldError(error)) return error;
    throw error;
  }
  throw new Error('the call succeeded');
}

describe('send', () => {
  it('stores the notification with one delivery per matching endpoint, in the feed', async () => {
    h = await harness();
    await h.subscribe('alice');
    const result = await h.service.send(referenceRequest(h.clock.now()), { userId: 'alice' });
    expect(result.created).toBe(true);
    expect(result.replayed).toBe(false);
    expect(result.notification).toMatchObject({ userId: 'alice', readState: 'unread', userActionState: 'noInteraction', displayTimeToLive: 60 });
    expect(result.deliveries.map((d) => d.platformType).sort()).toEqual(['android', 'ios', 'windows']);
    expect(result.deliveries.every((d) => d.status === 'pending' && d.notificationId === result.notification.id)).toBe(true);
    const page = await h.service.feed.list('alice');
    expect(page.items.map((n) => n.id)).toEqual([result.notification.id]);
  });

  it('targets the user behind a subscription id (X-UNS-ID)', async () => {
    h = await harness();
    const [windows] = await h.subscribe('alice');
    const result = await h.service.send(referenceRequest(h.clock.now()), { subscriptionId: windows as string });
    expect(result.notification.userId).toBe('alice');
    expect(result.deliveries).toHaveLength(3);
  });

  it('refuses an unknown, inactive or foreign-app subscription id', async () => {
    h = await harness();
    const [windows] = await h.subscribe('alice', ['windows']);
    const [other] = await h.subscribe('alice', ['ios'], 'other.example.com');
    expect((await refusal(h.service.send(referenceRequest(h.clock.now()), { subscriptionId: 'nope' }))).code).toBe('SUBSCRIPTION_NOT_FOUND');
    expect((await refusal(h.service.send(referenceRequest(h.clock.now()), { subscriptionId: other as string }))).code).toBe('TARGET_MISMATCH');
    await h.service.subscriptions.deactivate(windows as string, 'uninstalled');
    expect((await refusal(h.service.send(referenceRequest(h.clock.now()), { subscriptionId: windows as string }))).code).toBe('SUBSCRIPTION_INACTIVE');
  });

  it('matches endpoints by app, platform, status and expiry', async () => {
    h = await harness();
    const [windows, ios] = await h.subscribe('alice', ['windows', 'ios', 'webpush']);
    await h.subscribe('alice', ['android'], 'other.example.com');
    await h.subscribe('bob', ['windows']);
    await h.service.subscriptions.deactivate(ios as string, 'logged out');
    const result = await h.service.send(referenceRequest(h.clock.now(), { targetPolicy: { platformTypes: ['Windows', 'iOS', 'Android'] } }), { userId: 'alice' });
    expect(result.deliveries.map((d) => d.subscriptionId)).toEqual([windows]);

    const all = await h.service.send(referenceRequest(h.clock.now(), { appNotificationId: 'n2', targetPolicy: undefined }), { userId: 'alice' });
    expect(all.deliveries.map((d) => d.platformType).sort()).toEqual(['webpush', 'windows']);
  });

  it('gives expired subscriptions nothing', async () => {
    h = await harness();
    const expiring = await h.service.subscriptions.create('alice', {
      targetHostName: app,
      platformType: 'ios',
      transport: 'test',
      address: 'ios://alice',
      expirationDateTime: new Date(h.clock.now() + 60_000).toISOString(),
    });
    await h.clock.advance('2m');
    const result = await h.service.send(referenceRequest(h.clock.now()), { userId: 'alice' });
    expect(result.deliveries).toHaveLength(0);
    expect(expiring.status).toBe('active');
  });

  it('updates the notification sent with the same appNotificationId, keeping its id', async () => {
    h = await harness({ dispatcher: { autoStart: false } });
    await h.subscribe('alice', ['windows']);
    const first = await h.service.send(referenceRequest(h.clock.now()), { userId: 'alice' });
    await h.service.feed.markRead('alice', first.notification.id);
    await h.clock.advance('1m');
    const second = await h.service.send(referenceRequest(h.clock.now(), { payload: { visualContent: { title: 'Updated' } } }), { userId: 'alice' });
    expect(second.created).toBe(false);
    expect(second.notification.id).toBe(first.notification.id);
    expect(second.notification.createdDateTime).toBe(first.notification.createdDateTime);
    expect(second.notification.readState).toBe('unread');
    expect(second.notification.payload).toEqual({ visualContent: { title: 'Updated' } });
    const page = await h.service.feed.list('alice');
    expect(page.items).toHaveLength(1);
    const deliveries = await h.service.deliveries.list('alice', first.notification.id);
    expect(deliveries.map((d) => d.status).sort()).toEqual(['cancelled', 'pending']);
    expect(deliveries.find((d) => d.status === 'cancelled')?.lastError?.code).toBe('SUPERSEDED');
  });

  it('schedules with sendAt, and a scheduled send can be cancelled before it is due', async () => {
    h = await harness();
    await h.subscribe('alice', ['windows']);
    const sendAt = new Date(h.clock.now() + 15 * 60_000);
    const scheduled = await h.service.send(referenceRequest(h.clock.now()), { userId: 'alice' }, { sendAt });
    expect(scheduled.deliveries[0]?.nextAttemptAt).toBe(sendAt.getTime());
    await h.clock.advance('14m');
    expect(h.transport.calls).toHaveLength(0);
    await h.clock.advance('1m');
    expect(h.transport.calls).toHaveLength(1);

    const later = await h.service.send(referenceRequest(h.clock.now(), { appNotificationId: 'later' }), { userId: 'alice' }, { sendAt: '2026-01-02T00:00:00Z' });
    expect(await h.service.deliveries.cancel('alice', later.notification.id)).toBe(1);
    await h.clock.runAll();
    expect(h.transport.calls).toHaveLength(1);
    const [cancelled] = await h.service.deliveries.list('alice', later.notification.id);
    expect(cancelled?.status).toBe('cancelled');
  });

  it('refuses a sendAt after the notification expires', async () => {
    h = await harness();
    const error = await refusal(h.service.send(referenceRequest(h.clock.now()), { userId: 'alice' }, { sendAt: h.clock.now() + 3 * 86_400_000 }));
    expect(error.code).toBe('INVALID_ARGUMENT');
  });

  it('returns the first result for a repeated idempotency key and stores nothing new', async () => {
    h = await harness({ dispatcher: { autoStart: false } });
    await h.subscribe('alice', ['windows']);
    const request = referenceRequest(h.clock.now());
    const first = await h.service.send(request, { userId: 'alice' }, { idempotencyKey: 'order-17' });
    const again = await h.service.send(request, { userId: 'alice' }, { idempotencyKey: 'order-17' });
    expect(again.replayed).toBe(true);
    expect(again.created).toBe(true);
    expect(again.notification.id).toBe(first.notification.id);
    expect(again.deliveries).toHaveLength(0);
    expect(await h.service.deliveries.list('alice', first.notification.id)).toHaveLength(1);
    const reused = await refusal(h.service.send({ ...request, groupName: 'Other' }, { userId: 'alice' }, { idempotencyKey: 'order-17' }));
    expect(reused.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('lets concurrent repeats of one idempotency key store once', async () => {
    h = await harness({ dispatcher: { autoStart: false } });
    await h.subscribe('alice', ['windows']);
    const request = referenceRequest(h.clock.now());
    const results = await Promise.all(Array.from({ length: 10 }, () => h.service.send(request, { userId: 'alice' }, { idempotencyKey: 'k' })));
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(new Set(results.map((r) => r.notification.id)).size).toBe(1);
  });

  it.each([
    [undefined, 'INVALID_ARGUMENT'],
    [{}, 'INVALID_ARGUMENT'],
    [{ userId: 'a', subscriptionId: 'b' }, 'INVALID_ARGUMENT'],
    [{ userId: '' }, 'INVALID_ARGUMENT'],
    [{ userId: 'x'.repeat(300) }, 'INVALID_ARGUMENT'],
    [{ userId: 'a\u0000b' }, 'INVALID_ARGUMENT'],
    ['alice', 'INVALID_ARGUMENT'],
  ])('refuses the target %j', async (target, code) => {
    h = await harness();
    expect((await refusal(h.service.send(referenceRequest(h.clock.now()), target as never))).code).toBe(code);
  });

  it('refuses bad options with INVALID_ARGUMENT', async () => {
    h = await harness();
    const request = referenceRequest(h.clock.now());
    for (const options of [{ sendAt: 'soon' }, { idempotencyKey: '' }, { idempotencyKey: 'x'.repeat(300) }, { caller: { id: 7 } }, 'fast']) {
      expect((await refusal(h.service.send(request, { userId: 'alice' }, options as never))).code).toBe('INVALID_ARGUMENT');
    }
  });
});
