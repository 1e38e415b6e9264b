import { afterEach, describe, expect, it } from 'vitest';
import type { Caller } from '@herald/core';
import { harness, referenceRequest, type Harness } from './support.js';

let h: Harness;
afterEach(async () => {
  await h?.service.close();
});

describe('policies', () => {
  it('refuses a blocked caller (403) before reading the body', async () => {
    h = await harness({ policies: { blockedCallers: ['spammer'] } });
    await expect(h.service.send({ not: 'even valid' } as never, { userId: 'alice' }, { caller: { id: 'spammer' } })).rejects.toMatchObject({
      code: 'CALLER_BLOCKED',
      status: 403,
    });
    await expect(h.service.send(referenceRequest(h.clock.now()), { userId: 'alice' }, { caller: { id: 'friend' } })).resolves.toBeDefined();
  });

  it('takes a blocking function of the caller', async () => {
    h = await harness({ policies: { blockedCallers: async (caller) => caller['tier'] === 'banned' } });
    await expect(h.service.send(referenceRequest(h.clock.now()), { userId: 'alice' }, { caller: { id: 'x', tier: 'banned' } })).rejects.toMatchObject({ code: 'CALLER_BLOCKED' });
  });

  it('asks authorize whether the caller may send to the user (403)', async () => {
    const asked: Array<[string | undefined, string, string]> = [];
    h = await harness({
      policies: {
        authorize: (caller: Caller | undefined, userId, targetHostName) => {
          asked.push([caller?.id, userId, targetHostName]);
          return caller?.id === 'backend';
        },
      },
    });
    const [windows] = await h.subscribe('alice', ['windows']);
    await expect(h.service.send(referenceRequest(h.clock.now()), { subscriptionId: windows as string }, { caller: { id: 'intruder' } })).rejects.toMatchObject({
      code: 'CALLER_UNAUTHORIZED',
      status: 403,
    });
    await h.service.send(referenceRequest(h.clock.now()), { userId: 'alice' }, { caller: { id: 'backend' } });
    expect(asked).toEqual([
      ['intruder', 'alice', 'graphnotifications.sample.windows.com'],
      ['backend', 'alice', 'graphnotifications.sample.windows.com'],
    ]);
    expect((await h.service.feed.list('alice')).items).toHaveLength(1);
  });

  it('throttles per caller with a token bucket (406, retry after)', async () => {
    h = await harness({ policies: { throttle: { perCaller: { ratePerSecond: 1, burst: 2 } } } });
    const send = (i: number) => h.service.send(referenceRequest(h.clock.now(), { appNotificationId: `n${i}` }), { userId: `user${i}` }, { caller: { id: 'app' } });
    await send(1);
    await send(2);
    const refused = send(3);
    await expect(refused).rejects.toMatchObject({ code: 'THROTTLED', status: 406, retryAfterSeconds: 1 });
    await h.service.send(referenceRequest(h.clock.now()), { userId: 'alice' }, { caller: { id: 'other-app' } });
    await h.clock.advance('1s');
    await expect(send(4)).resolves.toBeDefined();
  });

  it('throttles per user across callers', async () => {
    h = await harness({ policies: { throttle: { perUser: { ratePerSecond: 0.1, burst: 1 } } } });
    await h.service.send(referenceRequest(h.clock.now(), { appNotificationId: 'a' }), { userId: 'alice' }, { caller: { id: 'one' } });
    await expect(h.service.send(referenceRequest(h.clock.now(), { appNotificationId: 'b' }), { userId: 'alice' }, { caller: { id: 'two' } })).rejects.toMatchObject({
      code: 'THROTTLED',
      retryAfterSeconds: 10,
    });
    await expect(h.service.send(referenceRequest(h.clock.now(), { appNotificationId: 'b' }), { userId: 'bob' })).resolves.toBeDefined();
    expect((await h.service.feed.list('alice')).items).toHaveLength(1);
  });

  it('refuses bad policy options at construction, naming them', async () => {
    await expect(harness({ policies: { throttle: { perCaller: { ratePerSecond: 0 } } } })).rejects.toThrow(/throttle.perCaller.ratePerSecond/);
    await expect(harness({ policies: { blockedCallers: 42 as never } })).rejects.toThrow(/blockedCallers/);
  });
});
