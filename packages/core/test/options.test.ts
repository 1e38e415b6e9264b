import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { createNotificationService, exponentialBackoff, fixedSchedule, HeraldError, validateNotification, type NotificationServiceOptions } from '@herald/core';
import { closestName } from '@herald/core/store';
import { createMemoryStore } from '@herald/store-memory';
import { harness, recordingTransport, referenceRequest, type Harness } from './support.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.service.close();
  h = undefined;
});

function thrownBy(make: () => unknown): unknown {
  try {
    const made = make() as { close?: () => Promise<void> } | undefined;
    void made?.close?.();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** A service's options with one thing changed: `patch` gets a fresh, valid object to spoil. */
function serviceWith(patch: (options: Record<string, unknown>) => void): () => unknown {
  return () => {
    const options: Record<string, unknown> = { store: createMemoryStore(), transports: [recordingTransport()], dispatcher: { autoStart: false } };
    patch(options);
    return createNotificationService(options as unknown as NotificationServiceOptions);
  };
}

describe('options of createNotificationService', () => {
  // The instances reported, and more of the kind: each is refused at once, naming the
  // option and the one probably meant.
  it.each([
    { name: 'dispatcher.autostart', patch: (o: Record<string, unknown>) => (o['dispatcher'] = { autostart: false }), says: ['autostart', 'did you mean autoStart?'] },
    { name: 'dispatcher.retry as a list of delays', patch: (o: Record<string, unknown>) => (o['dispatcher'] = { retry: { delaysMs: [200, 200] } }), says: ['delayMs must be a function', 'fixedSchedule([200,200])'] },
    { name: 'dispatcher.retry without maxAttempts', patch: (o: Record<string, unknown>) => (o['dispatcher'] = { retry: { delayMs: () => 1 } }), says: ['maxAttempts'] },
    { name: 'dispatcher.retry null', patch: (o: Record<string, unknown>) => (o['dispatcher'] = { retry: null }), says: ['dispatcher.retry must be a retry policy'] },
    { name: 'dispatcher.leaseMS', patch: (o: Record<string, unknown>) => (o['dispatcher'] = { leaseMS: 10 }), says: ['leaseMS', 'did you mean leaseMs?'] },
    { name: 'dispatcher.timeout', patch: (o: Record<string, unknown>) => (o['dispatcher'] = { timeout: 10 }), says: ['timeout', 'attemptTimeoutMs'] },
    { name: 'dispatcher.autoStart "no"', patch: (o: Record<string, unknown>) => (o['dispatcher'] = { autoStart: 'no' }), says: ['autoStart must be true or false'] },
    { name: 'a misspelt top-level option', patch: (o: Record<string, unknown>) => (o['transport'] = []), says: ['transport', 'did you mean transports?'] },
    { name: 'an unknown top-level option', patch: (o: Record<string, unknown>) => (o['verbose'] = true), says: ['unknown option verbose', 'store, transports'] },
    { name: 'policies.authorise', patch: (o: Record<string, unknown>) => (o['policies'] = { authorise: () => true }), says: ['authorise', 'did you mean authorize?'] },
    { name: 'policies.throttle.perUsr', patch: (o: Record<string, unknown>) => (o['policies'] = { throttle: { perUsr: { ratePerSecond: 1 } } }), says: ['perUsr', 'did you mean perUser?'] },
    { name: 'a rate with perSecond', patch: (o: Record<string, unknown>) => (o['policies'] = { throttle: { perUser: { perSecond: 1 } } }), says: ['perSecond', 'did you mean ratePerSecond?'] },
    { name: 'a clock without timers', patch: (o: Record<string, unknown>) => (o['clock'] = { now: () => 0 }), says: ['options.clock'] },
    { name: 'random not a function', patch: (o: Record<string, unknown>) => (o['random'] = 0.5), says: ['options.random'] },
    { name: 'a transport whose retry is wrong', patch: (o: Record<string, unknown>) => (o['transports'] = [{ ...recordingTransport(), retry: { delaysMs: [1] } }]), says: ['retry.delayMs must be a function'] },
    { name: 'transports as a number', patch: (o: Record<string, unknown>) => (o['transports'] = 5), says: ['options.transports must be a list of transports'] },
    { name: 'transports as a map of names', patch: (o: Record<string, unknown>) => (o['transports'] = { test: recordingTransport() }), says: ['options.transports must be a list of transports'] },
    // Each optional hook of a transport, each with a value of another type.
    ...(['checkEndpoint', 'close', 'sendSync'] as const).flatMap((hook) =>
      [true, 'send', {}, null, 0].map((value) => ({
        name: `a transport whose ${hook} is ${JSON.stringify(value)}`,
        patch: (o: Record<string, unknown>) => (o['transports'] = [{ ...recordingTransport(), [hook]: value }]),
        says: [`transport "test": ${hook} must be a function when given`],
      })),
    ),
  ])('refuses $name', ({ patch, says }) => {
    const error = thrownBy(serviceWith(patch));
    expect(error).toBeInstanceOf(TypeError);
    expect((error as { code?: string }).code).toBe('INVALID_OPTION');
    for (const words of says) expect((error as Error).message).toContain(words);
  });

  it('suggests an option only when one is near, and always the nearest', () => {
    const names = ['autoStart', 'concurrency', 'leaseMs', 'attemptTimeoutMs', 'retry', 'maxRetryAfterMs', 'pollIntervalMs', 'errorBackoffMs', 'instanceId'];
    for (const name of names) {
      expect(closestName(name.toLowerCase(), names)).toBe(name);
      expect(closestName(`${name}s`, names)).toBe(name);
      expect(closestName(name.slice(0, -1), names)).toBe(name);
    }
    expect(closestName('zzzzzzzz', names)).toBeUndefined();
    expect(closestName('delay', ['sendAt', 'idempotencyKey', 'caller'])).toBeUndefined();
  });
});

describe('options of the retry schedules', () => {
  it.each([
    { name: 'exponentialBackoff({ maxDelay })', make: () => exponentialBackoff({ maxDelay: 5 } as never), says: ['maxDelay', 'did you mean maxDelayMs?'] },
    { name: 'exponentialBackoff({ baseDelay })', make: () => exponentialBackoff({ baseDelay: 5 } as never), says: ['did you mean baseDelayMs?'] },
    { name: 'exponentialBackoff(null)', make: () => exponentialBackoff(null as never), says: ['the options of exponentialBackoff must be an object'] },
    { name: 'exponentialBackoff with a string delay', make: () => exponentialBackoff({ baseDelayMs: '1000' } as never), says: ['baseDelayMs must be a number, got "1000"'] },
    { name: 'exponentialBackoff with a string jitter', make: () => exponentialBackoff({ jitter: '0.5' } as never), says: ['jitter must be a number'] },
    { name: 'exponentialBackoff with a string maxAttempts', make: () => exponentialBackoff({ maxAttempts: '3' } as never), says: ['maxAttempts must be a number'] },
    { name: 'fixedSchedule([1000], { jiter })', make: () => fixedSchedule([1000], { jiter: 0.5 } as never), says: ['jiter', 'did you mean jitter?'] },
    { name: "fixedSchedule('1000')", make: () => fixedSchedule('1000' as never), says: ['fixedSchedule needs a list of delays'] },
    { name: "fixedSchedule(['1000'])", make: () => fixedSchedule(['1000'] as never), says: ['every delay of a fixed schedule must be a finite number'] },
    { name: 'fixedSchedule with a string jitter', make: () => fixedSchedule([1], { jitter: '0' } as never), says: ['jitter must be a number'] },
  ])('refuses $name', ({ make, says }) => {
    const error = thrownBy(make);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as { code?: string }).code).toBe('INVALID_OPTION');
    for (const words of says) expect((error as Error).message).toContain(words);
  });
});

describe('the context of validateNotification', () => {
  it.each([
    { name: 'a misspelt key', context: { now: 0, defaultExpirationMS: 1 }, says: 'did you mean defaultExpirationMs?' },
    { name: 'no now', context: {}, says: 'needs a context { now }' },
    { name: 'now as a Date', context: { now: new Date() }, says: 'needs a context { now }' },
  ])('refuses $name', ({ context, says }) => {
    const error = thrownBy(() => validateNotification(referenceRequest(0), context as never));
    expect((error as { code?: string }).code).toBe('INVALID_OPTION');
    expect((error as Error).message).toContain(says);
  });
});

describe('options of the service calls', () => {
  it.each([
    { name: 'send options', call: (x: Harness) => x.service.send(referenceRequest(x.clock.now()), { userId: 'alice' }, { delay: 1000 } as never), says: ['delay', 'sendAt'] },
    { name: 'send options (idempotency_key)', call: (x: Harness) => x.service.send(referenceRequest(x.clock.now()), { userId: 'alice' }, { idempotency_key: 'k' } as never), says: ['idempotency_key', 'did you mean idempotencyKey?'] },
    { name: 'a send target', call: (x: Harness) => x.service.send(referenceRequest(x.clock.now()), { userId: 'alice', user: 'bob' } as never), says: ['user', 'did you mean userId?'] },
    { name: 'feed.list options', call: (x: Harness) => x.service.feed.list('alice', { unreadOnly: true } as never), says: ['unreadOnly', 'did you mean unread?'] },
    { name: 'feed.unreadCount filter', call: (x: Harness) => x.service.feed.unreadCount('alice', { group: 'g' } as never), says: ['group', 'groupName'] },
    { name: 'feed.changesSince options', call: (x: Harness) => x.service.feed.changesSince('alice', undefined, { limt: 5 } as never), says: ['limt', 'did you mean limit?'] },
    { name: 'feed.deleteGroup options', call: (x: Harness) => x.service.feed.deleteGroup('alice', 'g', { app: 'x' } as never), says: ['unknown field app'] },
    { name: 'deliveries.listDead options', call: (x: Harness) => x.service.deliveries.listDead({ next: 'c' } as never), says: ['unknown field next'] },
  ])('refuses unknown fields of $name with INVALID_ARGUMENT, storing nothing', async ({ call, says }) => {
    h = await harness();
    const error = await call(h).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(HeraldError);
    expect((error as HeraldError).code).toBe('INVALID_ARGUMENT');
    for (const words of says) expect((error as Error).message).toContain(words);
    expect((await h.service.feed.list('alice')).items).toHaveLength(0);
    expect((await h.service.feed.list('bob')).items).toHaveLength(0);
  });

  it('accepts every known send option and refuses any other name', async () => {
    h = await harness();
    const known = new Set(['caller', 'sendAt', 'idempotencyKey']);
    const service = h.service;
    const now = h.clock.now();
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 16 }).filter((name) => !known.has(name) && name !== '__proto__'), async (name) => {
        const error = await service.send(referenceRequest(now), { userId: 'carol' }, { [name]: 1 } as never).then(
          () => undefined,
          (thrown: unknown) => thrown,
        );
        expect((error as HeraldError | undefined)?.code).toBe('INVALID_ARGUMENT');
      }),
      { numRuns: 100 },
    );
    expect((await service.feed.list('carol')).items).toHaveLength(0);
  });
});
