import * as api from '@opentelemetry/api';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HeraldError, type NotificationStore } from '@herald/core';
import { TransportError } from '@herald/core/transport';
import { createMemoryStore } from '@herald/store-memory';
import type { OpenTelemetryApi } from '../src/opentelemetry.js';
import { harness, referenceRequest, type Harness } from './support.js';

// Herald's own description of the API must fit the real one.
const fits: OpenTelemetryApi = api;

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const contextManager = new AsyncLocalStorageContextManager();

/** A service created before any provider is registered: it must stay untraced. */
let untraced: Harness;

beforeAll(async () => {
  untraced = await harness();
  expect(fits.trace).toBe(trace);
  context.setGlobalContextManager(contextManager.enable());
  trace.setGlobalTracerProvider(provider);
});

afterAll(async () => {
  await untraced.service.close();
  trace.disable();
  context.disable();
  await provider.shutdown();
});

let h: Harness | undefined;
afterEach(async () => {
  await h?.service.close();
  h = undefined;
  exporter.reset();
});

function spans(): ReadableSpan[] {
  return exporter.getFinishedSpans();
}

function named(name: string): ReadableSpan[] {
  return spans().filter((span) => span.name === name);
}

function only(name: string): ReadableSpan {
  const found = named(name);
  expect(found, `spans named ${name} among ${spans().map((span) => span.name).join(', ')}`).toHaveLength(1);
  return found[0] as ReadableSpan;
}

function isChildOf(child: ReadableSpan, parent: ReadableSpan): boolean {
  return child.parentSpanContext?.spanId === parent.spanContext().spanId && child.spanContext().traceId === parent.spanContext().traceId;
}

describe('tracing with a registered provider', () => {
  it('makes a send span (PRODUCER) whose store calls are its children', async () => {
    h = await harness();
    await h.subscribe('alice', ['windows', 'ios']);
    exporter.reset();
    const { notification } = await h.service.send(referenceRequest(h.clock.now()), { userId: 'alice' });
    const send = only('send');
    expect(send.kind).toBe(SpanKind.PRODUCER);
    expect(send.attributes).toEqual({
      'messaging.system': 'herald',
      'messaging.operation.name': 'send',
      'messaging.operation.type': 'send',
      'herald.notification.id': notification.id,
      'herald.target_host_name': notification.targetHostName,
      'herald.notification.created': true,
      'herald.send.replayed': false,
      'messaging.batch.message_count': 2,
    });
    expect(send.status.code).toBe(SpanStatusCode.UNSET);
    const save = only('saveNotification');
    expect(save.kind).toBe(SpanKind.CLIENT);
    expect(save.attributes).toEqual({ 'db.system.name': 'herald.memory', 'db.operation.name': 'saveNotification' });
    expect(isChildOf(save, send)).toBe(true);
  });

  it('makes a span per attempt: a success, then a failure with its status and error.type, and a dead one; the outcome recorded is its child', async () => {
    h = await harness();
    const [subscriptionId] = await h.subscribe('alice', ['windows']);
    h.transport.behave((_call, index) => {
      if (index === 1) throw TransportError.retryable('busy');
      if (index === 2) throw TransportError.permanent('unknown device');
    });
    const first = await h.service.send(referenceRequest(h.clock.now()), { userId: 'alice' });
    await h.clock.runAll();
    const second = await h.service.send(referenceRequest(h.clock.now(), { appNotificationId: 'other' }), { userId: 'alice' });
    await h.clock.runAll();

    const attempts = named('deliver test').sort((a, b) => Number(a.attributes['herald.delivery.attempt']) - Number(b.attributes['herald.delivery.attempt']) || (a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]));
    expect(attempts).toHaveLength(3);
    const [delivered, failed, dead] = [
      attempts.find((span) => span.attributes['messaging.message.id'] === first.deliveries[0]?.id),
      attempts.find((span) => span.attributes['messaging.message.id'] === second.deliveries[0]?.id && span.attributes['herald.delivery.attempt'] === 1),
      attempts.find((span) => span.attributes['messaging.message.id'] === second.deliveries[0]?.id && span.attributes['herald.delivery.attempt'] === 2),
    ];
    expect(delivered?.kind).toBe(SpanKind.CLIENT);
    expect(delivered?.attributes).toEqual({
      'messaging.system': 'herald',
      'messaging.operation.name': 'deliver',
      'messaging.operation.type': 'send',
      'messaging.message.id': first.deliveries[0]?.id,
      'messaging.destination.name': 'test',
      'herald.notification.id': first.notification.id,
      'herald.subscription.id': subscriptionId,
      'herald.delivery.attempt': 1,
      'herald.delivery.kind': 'notification',
      'herald.delivery.outcome': 'delivered',
    });
    expect(delivered?.status.code).toBe(SpanStatusCode.UNSET);
    expect(failed?.attributes).toMatchObject({ 'herald.delivery.outcome': 'failed', 'error.type': 'TRANSPORT_RETRYABLE' });
    expect(failed?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'busy' });
    expect(dead?.attributes).toMatchObject({ 'herald.delivery.outcome': 'dead', 'error.type': 'TRANSPORT_PERMANENT' });
    expect(dead?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'unknown device' });

    const completions = named('completeDelivery');
    expect(completions).toHaveLength(3);
    for (const attempt of [delivered, failed, dead]) {
      expect(completions.filter((completion) => isChildOf(completion, attempt as ReadableSpan))).toHaveLength(1);
    }
    // No user id on any span: it may be personal data.
    expect(JSON.stringify(spans().map((span) => span.attributes))).not.toContain('alice');
  });

  it('marks a refused send and a failing store call with error.type, the HeraldError code', async () => {
    h = await harness();
    await expect(h.service.send({ targetHostName: 'x' } as never, { userId: 'alice' })).rejects.toThrow(HeraldError);
    const send = only('send');
    expect(send.status.code).toBe(SpanStatusCode.ERROR);
    expect(send.attributes['error.type']).toMatch(/^(CONTRACT_MISMATCH|INVALID_PAYLOAD)$/);
    expect(send.events.map((event) => event.name)).toEqual(['exception']);

    await h.service.close();
    exporter.reset();
    const store = createMemoryStore();
    const failing = Object.create(store, {
      listFeed: { value: () => Promise.reject(new HeraldError('STORE_UNAVAILABLE', 'the store is down')) },
    }) as NotificationStore;
    h = await harness({ store: failing });
    await trace.getTracer('app').startActiveSpan('request', async (request) => {
      await expect(h!.service.feed.list('alice')).rejects.toThrow('the store is down');
      request.end();
    });
    const list = only('listFeed');
    expect(list.attributes['error.type']).toBe('STORE_UNAVAILABLE');
    expect(list.status).toEqual({ code: SpanStatusCode.ERROR, message: 'the store is down' });
    // service.store is the store as given, untraced: only the service's own calls are.
    exporter.reset();
    await trace.getTracer('app').startActiveSpan('request', async (request) => {
      await h!.service.store.countUnread('alice', {}, 0);
      request.end();
    });
    expect(named('countUnread')).toEqual([]);
    expect(h.service.store).toBe(failing);
  });

  it('traces the service\'s store calls made inside the application\'s span, and none outside a span', async () => {
    h = await harness();
    await h.subscribe('alice', ['windows']);
    exporter.reset();
    const request = await trace.getTracer('app').startActiveSpan('GET /me/notifications', async (span) => {
      await h!.service.feed.list('alice');
      span.end();
      return span as unknown as ReadableSpan;
    });
    const list = only('listFeed');
    expect(isChildOf(list, request)).toBe(true);
    exporter.reset();
    await h.service.feed.list('alice');
    await h.service.drain(); // claims and due-time look-ups outside any span: no root spans of their own
    expect(spans()).toEqual([]);
  });

  it('leaves a service created before the provider was registered untraced', async () => {
    await untraced.subscribe('bob', ['windows']);
    await untraced.service.send(referenceRequest(untraced.clock.now()), { userId: 'bob' });
    await untraced.clock.settle();
    expect(untraced.transport.calls).toHaveLength(1);
    expect(spans()).toEqual([]);
  });
});
