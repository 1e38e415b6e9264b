/**
 * The suites run against real parts: the store suite against the memory store, and the
 * transport suite against a small transport that records what it delivers and fails
 * as its endpoint's address says. If either suite is wrong, these fail.
 */
import { describe, expect, it } from 'vitest';
import { TransportError, type Endpoint, type TransportMessage, type Transport } from '@herald/core/transport';
import { createMemoryStore } from '@herald/store-memory';
import {
  runStoreConformance,
  runTransportConformance,
  sampleEndpoint,
  storeConformanceGroups,
  transportConformanceGroups,
} from '@herald/testing';

runStoreConformance({ name: 'memory', createStore: () => createMemoryStore() });

/** What a recording endpoint received. */
const inbox: TransportMessage[] = [];

/** A transport whose endpoint's address picks the outcome: `ok`, `busy`, `refuse`, `gone`, `hang`. */
function recordingTransport(): Transport {
  let closed = false;
  return {
    name: 'recording',
    async send(message: TransportMessage, endpoint: Endpoint, context) {
      if (closed) throw TransportError.permanent('the transport is closed');
      switch (endpoint.address) {
        case 'busy':
          throw TransportError.retryable('the endpoint is busy', { retryAfterMs: 1_000 });
        case 'refuse':
          throw TransportError.permanent('the endpoint refused the message');
        case 'gone':
          throw TransportError.endpointGone('the endpoint no longer exists');
        case 'hang':
          // Never answers; only the signal ends the wait.
          await new Promise<never>((_, reject) => {
            context.signal.addEventListener('abort', () => reject(context.signal.reason), { once: true });
          });
          return;
        default:
          inbox.push(message);
      }
    },
    close() {
      closed = true;
    },
  };
}

runTransportConformance({
  name: 'recording',
  createTransport: recordingTransport,
  endpoint: () => sampleEndpoint({ address: 'ok' }),
  received: () => inbox,
  failingEndpoints: {
    retryable: () => sampleEndpoint({ address: 'busy' }),
    permanent: () => sampleEndpoint({ address: 'refuse' }),
    gone: () => sampleEndpoint({ address: 'gone' }),
    hanging: () => sampleEndpoint({ address: 'hang' }),
  },
  additionalTests: ({ createTransport }) => {
    it('runs additional tests inside the suite, with a transport closed after the test', async () => {
      const transport = await createTransport();
      expect(transport.name).toBe('recording');
    });
  },
});

runStoreConformance({
  name: 'memory (only lifecycle, with additional tests)',
  createStore: () => createMemoryStore(),
  skip: Object.fromEntries(storeConformanceGroups.filter((group) => group !== 'lifecycle').map((group) => [group, true])),
  additionalTests: ({ createStore }) => {
    it('gives additional tests fresh stores', async () => {
      const store = await createStore();
      expect((await store.listFeed('alice', { limit: 10 }, 0)).items).toEqual([]);
    });
  },
});

describe('the suites refuse bad options', () => {
  it('names the option that is wrong', () => {
    expect(() => runStoreConformance({ name: '', createStore: () => createMemoryStore() })).toThrow(/`name` must be a non-empty string/);
    expect(() => runStoreConformance({ name: 'x', createStore: undefined as never })).toThrow(/`createStore` must be a function/);
    expect(() => runStoreConformance({ name: 'x', createStore: () => createMemoryStore(), skip: { feeds: true } as never })).toThrow(/unknown group "feeds"/);
    expect(() => runTransportConformance({ name: 'x', createTransport: recordingTransport, endpoint: undefined as never })).toThrow(/`endpoint` must be a function/);
    expect(() => runTransportConformance({ name: 'x', createTransport: recordingTransport, endpoint: () => sampleEndpoint(), skip: { nope: true } as never })).toThrow(
      new RegExp(`the groups are ${transportConformanceGroups.join(', ')}`),
    );
  });
});
