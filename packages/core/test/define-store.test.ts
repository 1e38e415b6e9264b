/**
 * The store kit: what `defineStore` owns for every store — the closed guard, lease tokens,
 * the one form of a write's deliveries, the optional methods tied to the capabilities —
 * checked on an implementation that hands each call to a real memory store and records
 * what the kit gave it.
 */
import { describe, expect, it } from 'vitest';
import {
  defineStore,
  isHeraldError,
  optionalStoreMethods,
  storeMethodNames,
  type NotificationStore,
  type PlannedNotificationWrite,
  type StoreCapabilities,
  type StoreImplementation,
} from '@herald/core/store';
import { createMemoryStore } from '@herald/store-memory';
import { sampleDeliveries, sampleNotification, sampleSubscription } from '@herald/testing';

const t0 = Date.parse('2026-01-01T00:00:00Z');
const quiet: StoreCapabilities = { durable: false, shared: false, wakeups: false, feedWakeups: false, sync: false, transactions: false };

/** What the kit handed the implementation. */
interface Seen {
  readonly calls: string[];
  readonly writes: PlannedNotificationWrite[];
  readonly tokens: (readonly string[])[];
  closes: number;
}

/** An implementation over a real memory store that records what reaches it. */
function recordingImplementation(extra: Partial<StoreImplementation> & Record<string, unknown> = {}): { implementation: StoreImplementation; seen: Seen } {
  const inner = createMemoryStore();
  const seen: Seen = { calls: [], writes: [], tokens: [], closes: 0 };
  const passOn: Record<string, unknown> = {};
  for (const method of storeMethodNames) {
    passOn[method] = (...args: unknown[]) => {
      seen.calls.push(method);
      return (inner[method] as (...a: unknown[]) => Promise<unknown>)(...args);
    };
  }
  const implementation = {
    ...(passOn as unknown as StoreImplementation),
    name: 'recording',
    capabilities: quiet,
    async saveNotification(write: PlannedNotificationWrite) {
      seen.calls.push('saveNotification');
      seen.writes.push(write);
      return inner.saveNotification(write);
    },
    async claimDeliveries(request, leaseTokens) {
      seen.calls.push('claimDeliveries');
      seen.tokens.push(leaseTokens(3));
      return inner.claimDeliveries(request);
    },
    async close() {
      seen.closes += 1;
      await inner.close();
    },
    ...extra,
  } satisfies StoreImplementation;
  return { implementation, seen };
}

async function closedCode(call: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await call();
    return undefined;
  } catch (error) {
    return isHeraldError(error) ? error.code : String(error);
  }
}

describe('defineStore', () => {
  it('refuses every method with STORE_CLOSED after close, and no call reaches the implementation', async () => {
    const { implementation, seen } = recordingImplementation();
    const store = defineStore(implementation);
    await store.close();
    const before = seen.calls.length;
    for (const method of storeMethodNames) {
      if (method === 'close') continue;
      // The guard answers before the arguments matter.
      expect(await closedCode(() => (store[method] as () => Promise<unknown>)()), method).toBe('STORE_CLOSED');
    }
    expect(seen.calls.length).toBe(before);
  });

  it('closes the implementation once, however often and however concurrently close is called', async () => {
    const { implementation, seen } = recordingImplementation();
    const store = defineStore(implementation);
    const first = store.close();
    expect(await closedCode(() => store.listFeed('alice', { limit: 1 }, t0)), 'a call right after close()').toBe('STORE_CLOSED');
    await Promise.all([first, store.close(), store[Symbol.asyncDispose]()]);
    await store.close();
    expect(seen.closes).toBe(1);
  });

  it('gives every caller of close the implementation’s failure to close', async () => {
    const { implementation } = recordingImplementation({
      async close() {
        throw new Error('the disk went away');
      },
    });
    const store = defineStore(implementation);
    await expect(store.close()).rejects.toThrow('the disk went away');
    await expect(store.close()).rejects.toThrow('the disk went away');
  });

  it('names the store in its STORE_CLOSED message, or uses the implementation’s', async () => {
    const named = defineStore(recordingImplementation().implementation);
    await named.close();
    await expect(named.nextDueAt()).rejects.toThrow('[herald] [store-recording] the recording store is closed');
    const own = defineStore(recordingImplementation({ closedMessage: 'the shelf is shut' }).implementation);
    await own.close();
    await expect(own.nextDueAt()).rejects.toThrow('the shelf is shut');
  });

  it('always hands the implementation a plan: a listed write as a plan that returns its list whatever the subscriptions', async () => {
    const { implementation, seen } = recordingImplementation();
    const store = defineStore(implementation);
    const subscription = await store.createSubscription(sampleSubscription({ userId: 'alice' }), t0);
    const listed = sampleDeliveries(2, { nextAttemptAt: t0 });
    await store.saveNotification({ notification: sampleNotification({ userId: 'alice' }, t0), deliveries: listed, now: t0 });
    const planned = ({ subscriptions }: { readonly subscriptions: readonly { id: string }[] }) => ({
      deliveries: subscriptions.map((each) => ({ ...sampleDeliveries(1, { nextAttemptAt: t0 })[0]!, subscriptionId: each.id })),
    });
    await store.saveNotification({ notification: sampleNotification({ userId: 'alice', appNotificationId: 'second' }, t0), deliveries: planned, now: t0 });
    const [first, second] = seen.writes;
    expect(typeof first?.deliveries).toBe('function');
    expect(first?.deliveries({ subscriptions: [subscription], preferences: undefined })).toEqual({ deliveries: listed });
    expect(first?.deliveries({ subscriptions: [], preferences: { default: 'optOut' } })).toEqual({ deliveries: listed });
    expect(second?.deliveries).toBe(planned);
    await store.close();
  });

  it('mints the lease tokens: as many as asked, fresh and unguessable', async () => {
    const { implementation, seen } = recordingImplementation();
    const store = defineStore(implementation);
    await store.claimDeliveries({ owner: 'me', now: t0, leaseMs: 1000, limit: 10 });
    await store.claimDeliveries({ owner: 'me', now: t0, leaseMs: 1000, limit: 10 });
    const tokens = seen.tokens.flat();
    expect(tokens).toHaveLength(6);
    expect(new Set(tokens).size).toBe(6);
    for (const token of tokens) expect(token).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    await store.close();
  });

  it('keeps the implementation’s extras, guarding its further methods like the interface’s', async () => {
    const { implementation } = recordingImplementation();
    const store = defineStore({ ...implementation, directory: '/data/herald', compact: async () => 'compacted' });
    expect(store.directory).toBe('/data/herald');
    expect(await store.compact()).toBe('compacted');
    await store.close();
    expect(await closedCode(() => store.compact())).toBe('STORE_CLOSED');
  });

  it('turns a call that throws into a rejection', async () => {
    const { implementation } = recordingImplementation({
      nextDueAt: () => {
        throw new RangeError('bad');
      },
    });
    const store = defineStore(implementation);
    const result = store.nextDueAt();
    expect(result).toBeInstanceOf(Promise);
    await expect(result).rejects.toThrow(RangeError);
    await store.close();
  });

  // Every pair of optional methods against its capability: both, one, the other, neither.
  for (const [capability, { listen, call }] of Object.entries(optionalStoreMethods)) {
    const listener = () => ({ close: () => undefined });
    const caller = async () => undefined;
    const variants: { name: string; declared: boolean; methods: Record<string, unknown>; refused: boolean }[] = [
      { name: `${capability} without ${listen} or ${call}`, declared: true, methods: {}, refused: true },
      { name: `${capability} with ${listen} only`, declared: true, methods: { [listen]: listener }, refused: true },
      { name: `${capability} with ${call} only`, declared: true, methods: { [call]: caller }, refused: true },
      { name: `no ${capability} but ${listen}`, declared: false, methods: { [listen]: listener }, refused: true },
      { name: `no ${capability} but ${call}`, declared: false, methods: { [call]: caller }, refused: true },
      { name: `${capability} with both`, declared: true, methods: { [listen]: listener, [call]: caller }, refused: false },
      { name: `no ${capability} and neither`, declared: false, methods: {}, refused: false },
    ];
    for (const variant of variants) {
      it(`ties optional methods to the capabilities: ${variant.name}`, async () => {
        const { implementation } = recordingImplementation({ capabilities: { ...quiet, [capability]: variant.declared }, ...variant.methods });
        if (variant.refused) {
          expect(() => defineStore(implementation)).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringContaining(`${listen} and ${call}`) }));
          return;
        }
        const store = defineStore(implementation) as unknown as Record<string, unknown> & NotificationStore;
        expect(typeof store[listen] === 'function').toBe(variant.declared);
        expect(typeof store[call] === 'function').toBe(variant.declared);
        if (variant.declared) expect((store[listen] as () => unknown)(), 'a listener registers synchronously').not.toBeInstanceOf(Promise);
        await store.close();
        if (variant.declared) expect(await closedCode(() => (store[call] as () => Promise<void>)())).toBe('STORE_CLOSED');
      });
    }
  }

  it('refuses an implementation that lacks a method, naming it', () => {
    for (const method of storeMethodNames) {
      const { implementation } = recordingImplementation();
      const lacking = { ...implementation, [method]: undefined } as unknown as StoreImplementation;
      expect(() => defineStore(lacking), method).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringContaining(`lacks ${method}`) }));
    }
  });

  it('lists exactly the methods the stores have', async () => {
    const store = createMemoryStore();
    const methods = Object.keys(store).filter((key) => typeof (store as unknown as Record<string, unknown>)[key] === 'function');
    expect(new Set(methods)).toEqual(new Set(storeMethodNames));
    await store.close();
  });
});
