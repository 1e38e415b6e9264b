/**
 * Values `String` refuses, thrown by the parts an application supplies — a transport, a
 * transport's endpoint check, an authorize policy, a retry policy, a store — become the
 * typed outcome each part's failure has (a retryable delivery failure, INVALID_ENDPOINT,
 * POLICY_ERROR, DISPATCH_ERROR), never a TypeError or an unhandled rejection from the
 * dispatcher's loop.
 */
import { describe, expect, it } from 'vitest';
import { HeraldError, type NotificationStore } from '@herald/core';
import { createMemoryStore } from '@herald/store-memory';
import { sampleRequest } from '@herald/testing';
import { app, harness } from './support.js';

const throwing = (): never => {
  throw new Error('cannot be read');
};
const odd: ReadonlyArray<readonly [string, () => unknown]> = [
  ['an object without a prototype', () => Object.create(null)],
  ['an object whose toString throws', () => ({ toString: throwing })],
  ['an Error whose message getter throws', () => Object.defineProperty(new Error('odd'), 'message', { get: throwing })],
  ['a Proxy whose traps throw', () => new Proxy({}, { get: throwing, getPrototypeOf: throwing, has: throwing, ownKeys: throwing, getOwnPropertyDescriptor: throwing })],
];

/** A memory store whose first `completeDelivery` throws `make()`; every other call goes through. */
function storeFailingFirstCompletion(make: () => unknown): NotificationStore {
  const store = createMemoryStore();
  let completions = 0;
  return new Proxy(store, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
      if (key !== 'completeDelivery') return value.bind(target);
      return (...args: unknown[]) => {
        completions += 1;
        if (completions === 1) throw make();
        return value.apply(target, args);
      };
    },
  });
}

/** Unhandled rejections while `run` runs (the dispatcher's loop has no caller to reject to). */
async function unhandledDuring(run: () => Promise<void>): Promise<unknown[]> {
  const unhandled: unknown[] = [];
  const listen = (reason: unknown): void => void unhandled.push(reason);
  process.on('unhandledRejection', listen);
  try {
    await run();
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('unhandledRejection', listen);
  }
  return unhandled;
}

describe('odd values thrown by an application\'s parts', () => {
  it.each(odd)('%s from a transport: the attempt fails, retryably, with a message', async (_name, make) => {
    const h = await harness();
    try {
      await h.subscribe('alice', ['windows']);
      h.transport.behave(() => {
        throw make();
      });
      const failed: string[] = [];
      h.service.on('delivery.failed', (event) => failed.push(event.error.message));
      const unhandled = await unhandledDuring(async () => {
        const result = await h.service.send(sampleRequest({}, h.clock.now()), { userId: 'alice' });
        await h.clock.advance(1);
        const [delivery] = await h.service.deliveries.list('alice', result.notification.id);
        expect(delivery?.status).toBe('failed');
        expect(delivery?.attempts).toBe(1);
      });
      expect(unhandled).toEqual([]);
      expect(failed).toHaveLength(1);
      expect(failed[0]?.length).toBeGreaterThan(0);
    } finally {
      await h.service.close();
    }
  });

  it.each(odd)('%s from a retry policy: the delivery ends with POLICY_ERROR', async (_name, make) => {
    const h = await harness({ dispatcher: { retry: { maxAttempts: 5, delayMs: () => { throw make(); } } } });
    try {
      await h.subscribe('alice', ['windows']);
      h.transport.behave(() => {
        throw new Error('down');
      });
      const unhandled = await unhandledDuring(async () => {
        const result = await h.service.send(sampleRequest({}, h.clock.now()), { userId: 'alice' });
        await h.clock.advance(1);
        const [delivery] = await h.service.deliveries.list('alice', result.notification.id);
        expect(delivery?.lastError?.code).toBe('POLICY_ERROR');
      });
      expect(unhandled).toEqual([]);
    } finally {
      await h.service.close();
    }
  });

  it.each(odd)('%s from an authorize policy: the send is refused with POLICY_ERROR', async (_name, make) => {
    const h = await harness({ policies: { authorize: () => { throw make(); } } });
    try {
      await h.subscribe('alice', ['windows']);
      const refused = await h.service.send(sampleRequest({}, h.clock.now()), { userId: 'alice' }, { caller: { id: 'app' } }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(HeraldError);
      expect((refused as HeraldError).code).toBe('POLICY_ERROR');
    } finally {
      await h.service.close();
    }
  });

  it.each(odd)('%s from a transport\'s endpoint check: the subscription is refused with INVALID_ENDPOINT', async (_name, make) => {
    const h = await harness();
    try {
      h.transport.checkEndpoint = () => {
        throw make();
      };
      const refused = await h.service.subscriptions
        .create('alice', { targetHostName: app, platformType: 'windows', transport: 'test', address: 'windows://alice' })
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      expect(refused).toBeInstanceOf(HeraldError);
      expect((refused as HeraldError).code).toBe('INVALID_ENDPOINT');
    } finally {
      await h.service.close();
    }
  });

  it.each(odd)('%s from the store recording an outcome: the attempt is released as failed with DISPATCH_ERROR', async (_name, make) => {
    const h = await harness({ store: storeFailingFirstCompletion(make) });
    try {
      await h.subscribe('alice', ['windows']);
      const unhandled = await unhandledDuring(async () => {
        const result = await h.service.send(sampleRequest({}, h.clock.now()), { userId: 'alice' });
        await h.clock.advance(1);
        const [delivery] = await h.service.deliveries.list('alice', result.notification.id);
        expect(delivery?.status).toBe('failed');
        expect(delivery?.lastError?.code).toBe('DISPATCH_ERROR');
        expect(delivery?.lastError?.message).toMatch(/^the attempt could not be finished: \S/);
      });
      expect(unhandled).toEqual([]);
    } finally {
      await h.service.close();
    }
  });
});
