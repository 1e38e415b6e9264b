/**
 * The transport conformance suite: what the dispatcher relies on from every transport
 * (docs/concepts.md, "Transports"; `Transport` in @herald/core). A transport runs it from
 * one test file:
 *
 * ```ts
 * import { runTransportConformance } from '@herald/testing';
 * import { createMyTransport } from '../src/index.js';
 * runTransportConformance({ name: 'my-transport', createTransport: () => createMyTransport(), endpoint: () => myEndpoint });
 * ```
 */
import { afterEach, describe, expect, it } from 'vitest';
import { checkKeys, describe as describeValue, kitError } from './kit-checks.js';
import { formatDateTime } from '@herald/core/store';
import { rejectUnknownOptions, TransportError, type Endpoint, type SyncMessage, type TransportFailure, type TransportMessage, type Transport } from '@herald/core/transport';
import { sampleMessage, sampleSyncMessage } from './fixtures.js';

/** The groups of the transport suite, in the order they run. */
export const transportConformanceGroups = ['name', 'send', 'sync', 'failures', 'abort', 'close'] as const;

/** A group of the transport suite. */
export type TransportConformanceGroup = (typeof transportConformanceGroups)[number];

/** Something that gives an endpoint, now or later. */
export type EndpointSource = () => Endpoint | Promise<Endpoint>;

/** A message as it arrived at the endpoint: at least the delivery id the transport passed on. */
export interface ReceivedMessage {
  /** The delivery id the endpoint saw (a webhook id, a collapse key, …). */
  readonly deliveryId: string;
}

/** Endpoints at which a send fails in a known way. Each one left out skips its test. */
export interface FailingEndpoints {
  /** An endpoint that fails in a way worth retrying (a 503): `TransportError` with `failure: 'retryable'`. */
  readonly retryable?: EndpointSource;
  /** An endpoint that refuses for good (a 400): `failure: 'permanent'`. */
  readonly permanent?: EndpointSource;
  /** An endpoint that no longer exists (a 410): `failure: 'endpointGone'`. */
  readonly gone?: EndpointSource;
  /** An endpoint that never answers: `send` must reject promptly once `context.signal` aborts. */
  readonly hanging?: EndpointSource;
}

/** What the transport suite needs. */
export interface TransportConformanceOptions {
  /** The transport's name, shown in the suite's `describe`. */
  readonly name: string;
  /** A fresh transport; called before every test and closed after it. */
  readonly createTransport: () => Transport | Promise<Transport>;
  /** An endpoint the transport delivers to successfully. */
  readonly endpoint: EndpointSource;
  /**
   * What has arrived at the success endpoint so far, to check the delivery id is passed
   * on. Without it, only that `send` resolves is checked.
   * @default not checked
   */
  readonly received?: () => Promise<readonly ReceivedMessage[]> | readonly ReceivedMessage[];
  /**
   * Endpoints at which sends fail; a test whose endpoint is missing is skipped.
   * @default none
   */
  readonly failingEndpoints?: FailingEndpoints;
  /**
   * Groups to switch off, e.g. `{ abort: true }`; a skipped group shows as skipped.
   * @default every group runs
   */
  readonly skip?: Partial<Record<TransportConformanceGroup, boolean>>;
  /**
   * Transport-specific tests, registered inside the suite's `describe`. Transports from
   * `createTransport` are closed after each test.
   * @default none
   */
  readonly additionalTests?: (context: { createTransport: () => Promise<Transport> }) => void;
}

/** How long a send may take to reject after its signal aborts. */
const abortDeadlineMs = 1_000;
/** How long to wait for a message to show up at the endpoint after `send` resolved. */
const arrivalWaitMs = 2_000;

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const failure = (error as { failure?: unknown }).failure;
    return `${error.name}${failure === undefined ? '' : ` (failure ${String(failure)})`}: ${error.message}`;
  }
  return String(error);
}

/** Transports of the running test, closed after it. */
function transportHarness(options: TransportConformanceOptions): () => Promise<Transport> {
  let opened: Transport[] = [];
  afterEach(async () => {
    const transports = opened;
    opened = [];
    for (const transport of transports) await transport.close?.();
  });
  return async () => {
    const transport = await options.createTransport();
    opened.push(transport);
    return transport;
  };
}

/** Sends one message with a signal that never aborts. */
async function sendOnce(transport: Transport, message: TransportMessage, endpoint: Endpoint): Promise<void> {
  await transport.send(message, endpoint, { signal: new AbortController().signal, now: Date.now() });
}

/** Sends one sync message with a signal that never aborts; the transport has `sendSync`. */
async function sendSyncOnce(transport: Transport, message: SyncMessage, endpoint: Endpoint): Promise<void> {
  const { sendSync } = transport;
  if (sendSync === undefined) throw new TypeError('the transport has no sendSync');
  await sendSync.call(transport, message, endpoint, { signal: new AbortController().signal, now: Date.now() });
}

/** Waits until the endpoint has received `count` messages with `deliveryId`, or the wait ends. */
async function arrivals(received: NonNullable<TransportConformanceOptions['received']>, deliveryId: string, count: number): Promise<number> {
  const deadline = Date.now() + arrivalWaitMs;
  for (;;) {
    const seen = (await received()).filter((message) => message.deliveryId === deliveryId).length;
    if (seen >= count || Date.now() >= deadline) return seen;
    await pause(20);
  }
}

/** Expects `send` to reject with a `TransportError` of the given failure. */
async function expectFailure(transport: Transport, endpoint: Endpoint, failure: TransportFailure): Promise<void> {
  let rejected = false;
  let error: unknown;
  try {
    await sendOnce(transport, sampleMessage({}, Date.now()), endpoint);
  } catch (caught) {
    rejected = true;
    error = caught;
  }
  if (!rejected) expect.fail(`send to this endpoint must reject with a TransportError (failure ${failure}), but it resolved`);
  // A second copy of @herald/core (a dual install) breaks instanceof; the name still tells.
  const isTransportError = error instanceof TransportError || (error instanceof Error && error.name === 'TransportError');
  if (!isTransportError) expect.fail(`send must reject with a TransportError so the dispatcher knows how it failed; got ${describeError(error)}`);
  if ((error as TransportError).failure !== failure) expect.fail(`the TransportError's failure must be ${failure}; got ${describeError(error)}`);
}

const transportConformanceOptionNames = [
  'name', 'createTransport', 'endpoint', 'received', 'failingEndpoints', 'skip', 'additionalTests',
] as const satisfies readonly (keyof TransportConformanceOptions)[];

const failingEndpointNames = ['retryable', 'permanent', 'gone', 'hanging'] as const satisfies readonly (keyof FailingEndpoints)[];

function checkOptions(options: TransportConformanceOptions): void {
  const where = 'runTransportConformance';
  if (options === null || typeof options !== 'object') throw kitError(where, `needs an options object, got ${describeValue(options)}`);
  rejectUnknownOptions('testing', options, transportConformanceOptionNames);
  if (typeof options.name !== 'string' || options.name.length === 0) throw kitError(where, '`name` must be a non-empty string');
  if (typeof options.createTransport !== 'function') throw kitError(where, '`createTransport` must be a function that returns a fresh transport');
  if (typeof options.endpoint !== 'function') throw kitError(where, '`endpoint` must be a function that returns an endpoint the transport delivers to');
  if (options.received !== undefined && typeof options.received !== 'function') throw kitError(where, '`received` must be a function that returns what arrived so far');
  if (options.additionalTests !== undefined && typeof options.additionalTests !== 'function') throw kitError(where, '`additionalTests` must be a function that registers tests');
  // A misspelt failing endpoint would skip its test without a word, as if it were left out.
  if (options.failingEndpoints !== undefined) {
    checkKeys(where, options.failingEndpoints, failingEndpointNames, 'failing endpoint');
    for (const [key, value] of Object.entries(options.failingEndpoints)) {
      if (value !== undefined && typeof value !== 'function') throw kitError(where, `failingEndpoints.${key} must be a function that returns an endpoint, got ${describeValue(value)}`);
    }
  }
  if (options.skip !== undefined) {
    checkKeys(where, options.skip, transportConformanceGroups, 'group');
    for (const [key, value] of Object.entries(options.skip)) {
      if (typeof value !== 'boolean') throw kitError(where, `skip.${key} must be true or false, got ${describeValue(value)}`);
    }
  }
}

const groupTests: Record<TransportConformanceGroup, (options: TransportConformanceOptions, open: () => Promise<Transport>) => void> = {
  name(_options, open) {
    it('has a non-empty name', async () => {
      const transport = await open();
      expect(typeof transport.name === 'string' && transport.name.length > 0, 'a transport has a non-empty name: subscriptions pick it by name').toBe(true);
      expect(typeof transport.send, 'a transport has a send method').toBe('function');
    });
  },

  send(options, open) {
    it('delivers a message to the endpoint, passing the delivery id on', async () => {
      const transport = await open();
      const message = sampleMessage({}, Date.now());
      await sendOnce(transport, message, await options.endpoint());
      if (options.received !== undefined) {
        expect(await arrivals(options.received, message.deliveryId, 1), 'the message arrived at the endpoint with the delivery id (the receivers’ idempotency key)').toBe(1);
      }
    });

    it('passes the same delivery id on every attempt of a delivery', async () => {
      const transport = await open();
      const endpoint = await options.endpoint();
      const first = sampleMessage({}, Date.now());
      await sendOnce(transport, first, endpoint);
      await sendOnce(transport, { ...first, attempt: 2 }, endpoint);
      if (options.received !== undefined) {
        expect(await arrivals(options.received, first.deliveryId, 2), 'both attempts arrived, each with the same delivery id').toBe(2);
      }
    });

    it('delivers a raw notification and a visual fallback', async () => {
      const transport = await open();
      const endpoint = await options.endpoint();
      const raw = sampleMessage({}, Date.now());
      await sendOnce(transport, { ...raw, notification: { ...raw.notification, payload: { rawContent: '{"type":"sync"}' } } }, endpoint);
      await sendOnce(transport, sampleMessage({ kind: 'fallback' }, Date.now()), endpoint);
    });
  },

  // Only for transports that carry sync messages (`sendSync`); others skip it.
  sync(options, open) {
    it('delivers sync messages (a state change and a deletion), passing the delivery id on', async (context) => {
      const transport = await open();
      if (transport.sendSync === undefined) {
        context.skip('the transport carries no sync messages (it has no sendSync)');
        return;
      }
      expect(typeof transport.sendSync, 'sendSync, when present, is a method').toBe('function');
      const endpoint = await options.endpoint();
      const changed = sampleSyncMessage({}, Date.now());
      const deleted = sampleSyncMessage({
        sync: { ...changed.sync, type: 'deleted', readState: 'read', userActionState: 'dismissed', lastModifiedDateTime: formatDateTime(Date.now()) },
      });
      await sendSyncOnce(transport, changed, endpoint);
      await sendSyncOnce(transport, deleted, endpoint);
      if (options.received !== undefined) {
        expect(await arrivals(options.received, changed.deliveryId, 1), 'the state change arrived at the endpoint with its delivery id').toBe(1);
        expect(await arrivals(options.received, deleted.deliveryId, 1), 'the deletion arrived at the endpoint with its delivery id').toBe(1);
      }
    });

    const permanent = options.failingEndpoints?.permanent;
    it.skipIf(permanent === undefined)('a sync message to a permanent endpoint rejects with a permanent TransportError, as a send does', async (context) => {
      const transport = await open();
      if (transport.sendSync === undefined) {
        context.skip('the transport carries no sync messages (it has no sendSync)');
        return;
      }
      let error: unknown;
      await sendSyncOnce(transport, sampleSyncMessage({}, Date.now()), await (permanent as EndpointSource)()).catch((caught: unknown) => {
        error = caught;
      });
      expect((error as TransportError | undefined)?.failure, `sendSync must reject with failure permanent; got ${describeError(error)}`).toBe('permanent');
    });
  },

  failures(options, open) {
    const endpoints = options.failingEndpoints ?? {};
    const cases: [string, EndpointSource | undefined, TransportFailure][] = [
      ['retryable', endpoints.retryable, 'retryable'],
      ['permanent', endpoints.permanent, 'permanent'],
      ['gone', endpoints.gone, 'endpointGone'],
    ];
    for (const [label, source, failure] of cases) {
      it.skipIf(source === undefined)(`rejects with a ${failure} TransportError at a ${label} endpoint`, async () => {
        const transport = await open();
        await expectFailure(transport, await (source as EndpointSource)(), failure);
      });
    }
  },

  abort(options, open) {
    const hanging = options.failingEndpoints?.hanging;
    it.skipIf(hanging === undefined)(`rejects within ${abortDeadlineMs} ms once the signal aborts, at an endpoint that never answers`, async () => {
      const transport = await open();
      const endpoint = await (hanging as EndpointSource)();
      const controller = new AbortController();
      let settled: 'resolved' | 'rejected' | undefined;
      const work = transport.send(sampleMessage({}, Date.now()), endpoint, { signal: controller.signal, now: Date.now() }).then(
        () => {
          settled = 'resolved';
        },
        () => {
          settled = 'rejected';
        },
      );
      await pause(50);
      expect(settled, 'send to an endpoint that never answers must still be waiting before the signal aborts').toBeUndefined();
      controller.abort(new TransportError('timeout', 'the attempt timed out'));
      const abortedAt = Date.now();
      await Promise.race([work, pause(abortDeadlineMs)]);
      expect(settled, `send must reject within ${abortDeadlineMs} ms after context.signal aborts (it stops the work)`).toBe('rejected');
      expect(Date.now() - abortedAt).toBeLessThanOrEqual(abortDeadlineMs + 100);
    });
  },

  close(_options, open) {
    it('may be closed more than once', async () => {
      const transport = await open();
      if (transport.close === undefined) return; // close is optional: nothing to release
      await transport.close();
      await transport.close();
    });
  },
};

/**
 * Registers the transport conformance suite with vitest: one `describe` named after the
 * transport, a nested `describe` per group, a fresh transport per test (closed after it).
 * Call it at the top level of a test file.
 */
export function runTransportConformance(options: TransportConformanceOptions): void {
  checkOptions(options);
  describe(`${options.name} transport conformance`, () => {
    const open = transportHarness(options);
    for (const group of transportConformanceGroups) {
      const register = (): void => groupTests[group](options, open);
      if (options.skip?.[group] === true) describe.skip(group, register);
      else describe(group, register);
    }
    options.additionalTests?.({ createTransport: open });
  });
}
