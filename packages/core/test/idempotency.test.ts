import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { HeraldError, type NotificationRequest } from '@herald/core';
import { formatDateTime } from '@herald/core/store';
import { harness, referenceRequest, type Harness } from './support.js';

let h: Harness;
afterEach(async () => {
  await h?.service.close();
});

/** The same object with its keys, at every depth, in another order. */
function reordered(value: unknown, random: () => number): unknown {
  if (Array.isArray(value)) return value.map((item) => reordered(item, random));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value).map(([key, item]) => [key, reordered(item, random)] as const);
  entries.sort(() => random() - 0.5);
  return Object.fromEntries(entries);
}

async function errorOf(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('an idempotency key', () => {
  // The instances reported: the fingerprint was taken after sendAt was raised to now.
  it.each([
    { name: 'sendAt now, repeated 1 s later', sendAtOffsetMs: 0, repeatAfterMs: 1000 },
    { name: 'sendAt 5 s in the past', sendAtOffsetMs: -5000, repeatAfterMs: 1000 },
    { name: 'sendAt 2 s ahead, repeated 3 s later', sendAtOffsetMs: 2000, repeatAfterMs: 3000 },
    { name: 'sendAt 1 h ahead, repeated 2 h later', sendAtOffsetMs: 3_600_000, repeatAfterMs: 7_200_000 },
  ])('replays an identical send whatever the time since: $name', async ({ sendAtOffsetMs, repeatAfterMs }) => {
    h = await harness();
    await h.subscribe('alice', ['windows']);
    const start = h.clock.now();
    const body = referenceRequest(start);
    const options = { idempotencyKey: 'k', sendAt: start + sendAtOffsetMs };
    const first = await h.service.send(body, { userId: 'alice' }, options);
    await h.clock.advance(repeatAfterMs);
    const again = await h.service.send(body, { userId: 'alice' }, options);
    expect(again).toMatchObject({ replayed: true, created: first.created });
    expect(again.notification.id).toBe(first.notification.id);
    expect((await h.service.feed.list('alice')).items).toHaveLength(1);
  });

  it('replays a send without expirationDateTime made later, whose default expiry differs', async () => {
    h = await harness();
    const body = referenceRequest(h.clock.now(), { expirationDateTime: undefined });
    const first = await h.service.send(body, { userId: 'alice' }, { idempotencyKey: 'k' });
    await h.clock.advance('10m');
    const again = await h.service.send(body, { userId: 'alice' }, { idempotencyKey: 'k' });
    expect(again).toMatchObject({ replayed: true });
    expect(again.notification.id).toBe(first.notification.id);
  });

  it('replays the same request written differently: keys in any order, sendAt as a Date, epoch ms or ISO string', async () => {
    h = await harness();
    const start = h.clock.now();
    const body = referenceRequest(start) as unknown as Record<string, unknown>;
    const at = start + 60_000;
    const sendAts = [at, new Date(at), formatDateTime(at), new Date(at).toISOString()];
    const first = await h.service.send(body as unknown as NotificationRequest, { userId: 'alice' }, { idempotencyKey: 'k', sendAt: at });
    await fc.assert(
      fc.asyncProperty(fc.integer(), fc.constantFrom(...sendAts), fc.nat({ max: 50_000 }), async (seed, sendAt, laterMs) => {
        let state = seed;
        const random = (): number => ((state = (state * 1_103_515_245 + 12_345) & 0x7fffffff) / 0x80000000);
        await h.clock.advance(laterMs);
        const again = await h.service.send(reordered(body, random) as NotificationRequest, { userId: 'alice' }, { sendAt, idempotencyKey: 'k' });
        expect(again.replayed).toBe(true);
        expect(again.notification.id).toBe(first.notification.id);
      }),
      { numRuns: 50 },
    );
  });

  it.each([
    { name: 'displayTimeToLive as a number or a string', first: { displayTimeToLive: 60 }, again: [{ displayTimeToLive: '60' }, { displayTimeToLive: '060' }] },
    { name: 'platform names in any case', first: { targetPolicy: { platformTypes: ['iOS', 'Android'] } }, again: [{ targetPolicy: { platformTypes: ['ios', 'android'] } }] },
    { name: 'platforms in any order, repeated or not', first: { targetPolicy: { platformTypes: ['ios', 'android'] } }, again: [{ targetPolicy: { platformTypes: ['android', 'ios'] } }, { targetPolicy: { platformTypes: ['ios', 'ios', 'android'] } }] },
    { name: 'an empty targetPolicy or none', first: { targetPolicy: {} }, again: [{ targetPolicy: undefined }] },
    {
      name: 'the same instant written three ways',
      first: { expirationDateTime: '2026-01-02T00:00:00Z' },
      again: [{ expirationDateTime: '2026-01-02T00:00:00.000Z' }, { expirationDateTime: '2026-01-02T01:00:00+01:00' }],
    },
    {
      name: 'fallback platforms in any case and order',
      first: { payload: { rawContent: 'r', visualContent: { title: 't' } }, targetPolicy: { platformTypes: ['ios', 'android'] }, fallbackPolicy: { endpointFallback: { platformTypes: ['IOS', 'android'], fallbackDelayInSeconds: 60 } } },
      again: [{ payload: { rawContent: 'r', visualContent: { title: 't' } }, targetPolicy: { platformTypes: ['ios', 'android'] }, fallbackPolicy: { endpointFallback: { platformTypes: ['android', 'ios'], fallbackDelayInSeconds: 60 } } }],
    },
  ])('replays a request that means the same: $name', async ({ first, again }) => {
    h = await harness();
    const start = h.clock.now();
    const original = await h.service.send(referenceRequest(start, first), { userId: 'alice' }, { idempotencyKey: 'k' });
    for (const form of again) {
      const repeat = await h.service.send(referenceRequest(start, form), { userId: 'alice' }, { idempotencyKey: 'k' });
      expect(repeat.replayed, JSON.stringify(form)).toBe(true);
      expect(repeat.notification.id).toBe(original.notification.id);
    }
  });

  it('refuses a different request under the same key, whatever differs', async () => {
    h = await harness();
    const start = h.clock.now();
    const body = referenceRequest(start);
    await h.service.send(body, { userId: 'alice' }, { idempotencyKey: 'k', sendAt: start + 60_000, caller: { id: 'app-server' } });
    const variants: ReadonlyArray<readonly [string, NotificationRequest, Record<string, unknown>]> = [
      ['another title', referenceRequest(start, { payload: { visualContent: { title: 'Other' } } }), { sendAt: start + 60_000, caller: { id: 'app-server' } }],
      ['another group', referenceRequest(start, { groupName: 'Other' }), { sendAt: start + 60_000, caller: { id: 'app-server' } }],
      ['a platform more', referenceRequest(start, { targetPolicy: { platformTypes: ['windows'] } }), { sendAt: start + 60_000, caller: { id: 'app-server' } }],
      ['another sendAt', body, { sendAt: start + 61_000, caller: { id: 'app-server' } }],
      ['no sendAt', body, { caller: { id: 'app-server' } }],
      ['another expiry', referenceRequest(start, { expirationDateTime: new Date(start + 3_600_000).toISOString() }), { sendAt: start + 60_000, caller: { id: 'app-server' } }],
      ['another TTL', referenceRequest(start, { displayTimeToLive: 61 }), { sendAt: start + 60_000, caller: { id: 'app-server' } }],
      ['a priority more', referenceRequest(start, { priority: 'Low' }), { sendAt: start + 60_000, caller: { id: 'app-server' } }],
      ['another caller', body, { sendAt: start + 60_000, caller: { id: 'other-server' } }],
    ];
    for (const [name, request, options] of variants) {
      const error = await errorOf(h.service.send(request, { userId: 'alice' }, { ...options, idempotencyKey: 'k' }));
      expect(error, name).toBeInstanceOf(HeraldError);
      expect((error as HeraldError).code, name).toBe('IDEMPOTENCY_KEY_REUSED');
    }
    // The same key for another user is another key.
    const bob = await h.service.send(body, { userId: 'bob' }, { idempotencyKey: 'k' });
    expect(bob.replayed).toBe(false);
  });
});
