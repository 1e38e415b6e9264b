import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { HeraldError, type DeliveryRecord, type NotificationStore, type RetryPolicy, type Transport } from '@herald/core';
import { createMemoryStore } from '@herald/store-memory';
import { app, harness, recordingTransport, referenceRequest, type Harness } from './support.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.service.close();
  h = undefined;
});

async function errorOf(call: Promise<unknown>): Promise<HeraldError> {
  const error = await call.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(HeraldError);
  return error as HeraldError;
}

async function deliveriesOf(x: Harness, notificationId: string): Promise<readonly DeliveryRecord[]> {
  return x.service.deliveries.list('alice', notificationId);
}

describe('a policy hook that fails', () => {
  it.each([
    { name: 'authorize throws', policies: { authorize: () => { throw new Error('db down'); } }, says: 'the authorize policy threw: db down' },
    { name: 'authorize rejects', policies: { authorize: () => Promise.reject(new Error('db down')) }, says: 'the authorize policy threw: db down' },
    { name: 'authorize forgets to return', policies: { authorize: (() => undefined) as never }, says: 'did it forget to return?' },
    { name: 'authorize answers a string', policies: { authorize: (() => 'yes') as never }, says: 'answered string' },
    { name: 'blockedCallers throws', policies: { blockedCallers: () => { throw new Error('list unreadable'); } }, says: 'the blockedCallers policy threw: list unreadable' },
    { name: 'blockedCallers resolves to a number', policies: { blockedCallers: (async () => 1) as never }, says: 'answered number' },
  ])('refuses the send with POLICY_ERROR when $name, storing nothing', async ({ policies, says }) => {
    h = await harness({ policies });
    const error = await errorOf(h.service.send(referenceRequest(h.clock.now()), { userId: 'alice' }, { caller: { id: 'server' } }));
    expect(error.code).toBe('POLICY_ERROR');
    expect(error.message).toContain(says);
    expect((await h.service.feed.list('alice')).items).toHaveLength(0);
  });
});

describe('a delivery is never left claimed by a live process', () => {
  // A retry policy of the right shape whose delayMs fails when asked: the delivery ends
  // dead with the reason, instead of staying claimed until its lease runs out, forever.
  it.each([
    { name: 'throws', delayMs: () => { throw new Error('no schedule'); }, says: "delayMs threw after attempt 1: no schedule" },
    { name: 'answers NaN', delayMs: () => Number.NaN, says: 'answered NaN' },
    { name: 'answers a negative delay', delayMs: () => -1, says: 'answered -1' },
    { name: 'answers a string', delayMs: (() => '200') as never, says: 'answered 200' },
  ])('when the retry policy $name', async ({ delayMs, says }) => {
    const retry: RetryPolicy = { maxAttempts: 5, delayMs };
    h = await harness({ dispatcher: { retry, leaseMs: 60_000 } });
    await h.subscribe('alice', ['windows']);
    h.transport.behave(() => {
      throw new Error('flaky');
    });
    const { notification } = await h.service.send(referenceRequest(h.clock.now()), { userId: 'alice' });
    await h.clock.settle();
    const [delivery] = await deliveriesOf(h, notification.id);
    expect(delivery).toMatchObject({ status: 'dead', attempts: 1, lastError: { code: 'POLICY_ERROR' } });
    expect(delivery?.lastError?.message).toContain(says);
    expect(delivery?.lease).toBeUndefined();
  });

  it('when a transport throws synchronously or returns no promise', async () => {
    const throwing: Transport = {
      name: 'sync-throw',
      send: (() => {
        throw new Error('sync failure');
      }) as Transport['send'],
    };
    const plain: Transport = { name: 'sync-ok', send: (() => undefined) as unknown as Transport['send'] };
    h = await harness({ transports: [throwing, plain] });
    for (const transport of ['sync-throw', 'sync-ok']) {
      await h.service.subscriptions.create('alice', { targetHostName: app, platformType: 'windows', transport, address: transport });
    }
    const { notification } = await h.service.send(referenceRequest(h.clock.now()), { userId: 'alice' });
    await h.clock.settle();
    const byTransport = new Map((await deliveriesOf(h, notification.id)).map((d) => [d.transport, d]));
    expect(byTransport.get('sync-throw')).toMatchObject({ status: 'failed', attempts: 1, lastError: { code: 'TRANSPORT_RETRYABLE', message: 'sync failure' } });
    expect(byTransport.get('sync-throw')?.lease).toBeUndefined();
    expect(byTransport.get('sync-ok')).toMatchObject({ status: 'delivered', attempts: 1 });
  });

  it('when recording the outcome fails once: the attempt is released as DISPATCH_ERROR and retried', async () => {
    const store = createMemoryStore();
    let failNext = true;
    const flaky: NotificationStore = Object.create(store, {
      completeDelivery: {
        value: (...args: Parameters<NotificationStore['completeDelivery']>) => {
          if (failNext && args[1].status === 'delivered') {
            failNext = false;
            return Promise.reject(new Error('connection reset'));
          }
          return store.completeDelivery(...args);
        },
      },
    });
    h = await harness({ store: flaky });
    const errors: unknown[] = [];
    h.service.on('error', (event) => errors.push(event));
    await h.subscribe('alice', ['windows']);
    const { notification } = await h.service.send(referenceRequest(h.clock.now()), { userId: 'alice' });
    await h.clock.settle();
    const [released] = await deliveriesOf(h, notification.id);
    expect(released).toMatchObject({ status: 'failed', attempts: 1, lastError: { code: 'DISPATCH_ERROR' } });
    expect(released?.lastError?.message).toContain('connection reset');
    expect(released?.lease).toBeUndefined();
    expect(errors).toHaveLength(1);
    await h.clock.runAll();
    expect((await deliveriesOf(h, notification.id))[0]).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('when the service stops while a claim is under way: the claimed deliveries are attempted and recorded before stop resolves', async () => {
    const store = createMemoryStore();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let claimsHeld = 0;
    const slowClaims: NotificationStore = Object.create(store, {
      claimDeliveries: {
        value: async (...args: Parameters<NotificationStore['claimDeliveries']>) => {
          const claims = await store.claimDeliveries(...args);
          if (claims.length > 0) {
            claimsHeld += 1;
            await gate; // the claim is taken in the store, but not yet handed to the dispatcher
          }
          return claims;
        },
      },
    });
    h = await harness({ store: slowClaims });
    await h.subscribe('alice', ['windows']);
    const { notification } = await h.service.send(referenceRequest(h.clock.now()), { userId: 'alice' });
    while (claimsHeld === 0) await new Promise((resolve) => setImmediate(resolve));
    const stopped = h.service.stop();
    release();
    await stopped;
    const [delivery] = await deliveriesOf(h, notification.id);
    expect(delivery, 'stop waited for the claim under way and its attempt').toMatchObject({ status: 'delivered', attempts: 1 });
    expect(delivery?.lease).toBeUndefined();
  });

  it('whatever fails, in any order: after the clock runs out no delivery is leased or open', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom('ok', 'throw', 'reject', 'permanent', 'gone', 'no-promise'), { minLength: 1, maxLength: 12 }),
        fc.constantFrom('fine', 'throws', 'NaN'),
        async (script, policyKind) => {
          const retry: RetryPolicy = {
            maxAttempts: 4,
            delayMs: () => {
              if (policyKind === 'throws') throw new Error('broken policy');
              return policyKind === 'NaN' ? Number.NaN : 500;
            },
          };
          const x = await harness({ dispatcher: { retry } });
          try {
            await x.subscribe('alice', ['windows', 'ios']);
            x.transport.behave(async (_call, index) => {
              const step = script[index % script.length];
              if (step === 'throw') throw new Error('boom');
              if (step === 'reject') await Promise.reject(new TypeError('bad'));
              if (step === 'permanent') throw new HeraldError('TRANSPORT_PERMANENT', 'no');
              if (step === 'gone') throw Object.assign(new Error('gone'), { failure: 'endpointGone' });
            });
            const { notification } = await x.service.send(referenceRequest(x.clock.now()), { userId: 'alice' });
            await x.clock.runAll();
            for (const delivery of await x.service.deliveries.list('alice', notification.id)) {
              expect(delivery.lease).toBeUndefined();
              expect(['delivered', 'dead', 'cancelled', 'expired']).toContain(delivery.status);
            }
          } finally {
            await x.service.close();
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('an endpoint the transport refuses', () => {
  it.each([
    { name: 'a HeraldError', check: () => { throw new HeraldError('INVALID_ENDPOINT', 'address must be a URL'); }, says: 'address must be a URL' },
    { name: 'a plain Error', check: () => { throw new Error('bad token'); }, says: 'the picky transport refused this endpoint: bad token' },
    { name: 'a rejection', check: () => Promise.reject(new Error('bad token')), says: 'refused this endpoint: bad token' },
  ])('is refused by subscriptions.create as INVALID_ENDPOINT when the check throws $name, storing nothing', async ({ check, says }) => {
    const picky: Transport = { ...recordingTransport('picky'), checkEndpoint: check };
    h = await harness({ transports: [picky] });
    const error = await errorOf(h.service.subscriptions.create('alice', { targetHostName: app, platformType: 'windows', transport: 'picky', address: 'x' }));
    expect(error.code).toBe('INVALID_ENDPOINT');
    expect(error.message).toContain(says);
    expect(await h.service.subscriptions.list('alice')).toHaveLength(0);
  });

  it('is asked with the endpoint as it will be stored', async () => {
    const seen: unknown[] = [];
    const picky: Transport = { ...recordingTransport('picky'), checkEndpoint: (endpoint) => void seen.push(endpoint) };
    h = await harness({ transports: [picky] });
    await h.service.subscriptions.create('alice', { targetHostName: app, platformType: 'Windows', transport: 'picky', address: 'x', secret: 's' });
    expect(seen).toEqual([{ userId: 'alice', targetHostName: app, platformType: 'windows', address: 'x', secret: 's' }]);
  });
});
