import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createNotificationService, HeraldError, type Logger, type NotificationStore } from '@herald/core';
import { processWarningLogger } from '@herald/core/store';
import { TransportError } from '@herald/core/transport';
import { createMemoryStore } from '@herald/store-memory';
import { harness, referenceRequest, type Harness } from './support.js';

/** A real pino logger writing JSON lines to a stream the test reads. */
function pinoLines(): { logger: Logger; lines: () => Record<string, unknown>[]; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString('utf8');
      done();
    },
  });
  const logger = pino({ level: 'debug' }, stream);
  return {
    logger,
    text: () => text,
    lines: () =>
      text
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** Process warnings emitted while `run` runs. */
async function warningsDuring(run: () => Promise<void>): Promise<Error[]> {
  const warnings: Error[] = [];
  const listen = (warning: Error): void => {
    warnings.push(warning);
  };
  process.on('warning', listen);
  try {
    await run();
    await new Promise((resolve) => setImmediate(resolve)); // process warnings are emitted on the next tick
  } finally {
    process.off('warning', listen);
  }
  return warnings;
}

/** A memory store whose first `completeDelivery` of a success fails, as a store that is briefly down does. */
function storeFailingOnce(): NotificationStore {
  const store = createMemoryStore();
  let failNext = true;
  return Object.create(store, {
    completeDelivery: {
      value: (...args: Parameters<NotificationStore['completeDelivery']>) => {
        if (failNext && args[1].status === 'delivered') {
          failNext = false;
          return Promise.reject(new HeraldError('STORE_UNAVAILABLE', 'the store is down'));
        }
        return store.completeDelivery(...args);
      },
    },
  }) as NotificationStore;
}

/** A memory store that fails every call, with `message`, while `down` — as a store whose server stopped. */
function storeThatGoesDown(): { store: NotificationStore; outage: { down: boolean; message: string; failedCalls: number } } {
  const store = createMemoryStore();
  const outage = { down: false, message: 'the store is down', failedCalls: 0 };
  const wrapped = new Proxy(store, {
    get(target, name) {
      const value: unknown = Reflect.get(target, name, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (!outage.down) return (value as (...args: unknown[]) => unknown).apply(target, args);
        outage.failedCalls += 1;
        return Promise.reject(new HeraldError('STORE_UNAVAILABLE', outage.message));
      };
    },
  });
  return { store: wrapped, outage };
}

let h: Harness | undefined;
afterEach(async () => {
  await h?.service.close();
  h = undefined;
});

describe('the service with a pino logger', () => {
  it('logs a dispatcher failure as an error with its code, source and ids, and no process warning', async () => {
    const log = pinoLines();
    h = await harness({ store: storeFailingOnce(), logger: log.logger });
    await h.subscribe('alice', ['windows']);
    const warnings = await warningsDuring(async () => {
      const { deliveries } = await h!.service.send(referenceRequest(h!.clock.now()), { userId: 'alice' });
      await h!.clock.settle();
      const failure = log.lines().find((line) => line['source'] === 'dispatcher');
      expect(failure).toMatchObject({
        level: 50,
        component: 'service',
        code: 'STORE_UNAVAILABLE',
        deliveryId: deliveries[0]?.id,
        notificationId: deliveries[0]?.notificationId,
        msg: 'dispatcher failed',
        err: { message: 'the store is down', code: 'STORE_UNAVAILABLE' },
      });
    });
    expect(warnings).toEqual([]);
  });

  it('logs a failed attempt as a warning and a dead delivery as an error, with code and ids, never the user id', async () => {
    const log = pinoLines();
    h = await harness({ logger: log.logger });
    const [subscriptionId] = await h.subscribe('alice', ['windows']);
    h.transport.behave((_call, index) => {
      throw index === 0 ? TransportError.retryable('busy') : TransportError.permanent('no such device');
    });
    const { notification, deliveries } = await h.service.send(referenceRequest(h.clock.now()), { userId: 'alice' });
    await h.clock.runAll();
    const ids = { deliveryId: deliveries[0]?.id, notificationId: notification.id, subscriptionId, transport: 'test' };
    const failed = log.lines().find((line) => line['code'] === 'TRANSPORT_RETRYABLE');
    expect(failed).toMatchObject({ level: 40, component: 'dispatcher', attempts: 1, ...ids });
    expect(failed?.['msg']).toContain('busy');
    const dead = log.lines().find((line) => line['code'] === 'TRANSPORT_PERMANENT');
    expect(dead).toMatchObject({ level: 50, component: 'dispatcher', attempts: 2, msg: 'delivery is dead: no such device', ...ids });
    expect(log.text()).not.toContain('alice');
  });

  it('logs an endpoint deactivated because it is gone as info', async () => {
    const log = pinoLines();
    h = await harness({ logger: log.logger });
    const [subscriptionId] = await h.subscribe('alice', ['windows']);
    h.transport.behave(() => {
      throw TransportError.endpointGone('410 Gone');
    });
    await h.service.send(referenceRequest(h.clock.now()), { userId: 'alice' });
    await h.clock.runAll();
    expect(log.lines().find((line) => line['code'] === 'SUBSCRIPTION_DEACTIVATED')).toMatchObject({ level: 30, component: 'dispatcher', subscriptionId });
  });

  it('survives a logger that throws: the failure becomes a process warning', async () => {
    const throwing: Logger = {
      debug: () => undefined,
      info: () => undefined,
      warn: () => undefined,
      error: () => {
        throw new Error('log sink is full');
      },
      child: () => throwing,
    };
    h = await harness({ store: storeFailingOnce(), logger: throwing });
    await h.subscribe('alice', ['windows']);
    const warnings = await warningsDuring(async () => {
      await h!.service.send(referenceRequest(h!.clock.now()), { userId: 'alice' });
      await h!.clock.settle();
    });
    expect(warnings.map((warning) => (warning as Error & { code?: string }).code)).toContain('HERALD_BACKGROUND_ERROR');
  });
});

/** What ends the first line of a failure the default logger will fold. */
const counted = ' (repeats are counted: a count follows every 60 s while it lasts)';

describe('the service without a logger', () => {
  it('reports a background failure as a process warning HERALD_BACKGROUND_ERROR, as before', async () => {
    h = await harness({ store: storeFailingOnce() });
    await h.subscribe('alice', ['windows']);
    const warnings = await warningsDuring(async () => {
      await h!.service.send(referenceRequest(h!.clock.now()), { userId: 'alice' });
      await h!.clock.settle();
    });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ code: 'HERALD_BACKGROUND_ERROR' });
    expect(warnings[0]?.message).toMatch(/^\[herald\] dispatcher failed: HeraldError: the store is down \(repeats are counted: a count follows every 60 s while it lasts\)\n\s+at /);
  });

  it('reports a store that fails every poll once, each different failure once, and each one\'s end, not one warning per poll', async () => {
    const { store, outage } = storeThatGoesDown();
    h = await harness({ store });
    await h.subscribe('alice', ['windows']);
    const warnings = await warningsDuring(async () => {
      await h!.service.send(referenceRequest(h!.clock.now()), { userId: 'alice' }, { sendAt: h!.clock.now() + 1000 });
      outage.down = true;
      // The dispatcher tries again every second (errorBackoffMs): some 30 polls fail.
      await h!.clock.advance('30s');
      const pollsWithTheFirstFailure = outage.failedCalls;
      outage.message = 'the store timed out';
      await h!.clock.advance('30s');
      expect(pollsWithTheFirstFailure).toBeGreaterThanOrEqual(25);
      expect(outage.failedCalls - pollsWithTheFirstFailure).toBeGreaterThanOrEqual(25);
      outage.down = false;
      await h!.clock.advance('3m');
    });
    expect(h.transport.calls).toHaveLength(1);
    expect(warnings.map((warning) => warning.message.split('\n')[0])).toEqual([
      `[herald] dispatcher failed: HeraldError: the store is down${counted}`,
      `[herald] dispatcher failed: HeraldError: the store timed out${counted}`,
      // The purge, once a minute, fails once during the outage: another failure, reported on its own.
      `[herald] purge failed: HeraldError: the store timed out${counted}`,
      expect.stringMatching(/^\[herald\] dispatcher failed: HeraldError: the store is down — over: \d+ more times since .+, the last at .+, then none for 120 s$/),
      expect.stringMatching(/^\[herald\] dispatcher failed: HeraldError: the store timed out — over: \d+ more times since .+, the last at .+, then none for 120 s$/),
    ]);
    for (const warning of warnings) expect(warning).toMatchObject({ code: 'HERALD_BACKGROUND_ERROR' });
  });

  it('processWarningLogger drops debug and info, and warns with the stack of err', async () => {
    const logger = processWarningLogger('[herald] [test]', 'HERALD_TEST');
    const warnings = await warningsDuring(async () => {
      logger.debug({}, 'not shown');
      logger.child({ component: 'x' }).info({}, 'not shown either');
      logger.warn({ err: new Error('boom') }, 'it broke');
    });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ code: 'HERALD_TEST' });
    expect(warnings[0]?.message).toMatch(/^\[herald\] \[test\] it broke: Error: boom \(repeats are counted: a count follows every 60 s while it lasts\)\n/);
  });
});

describe('the logger option', () => {
  it.each([
    { logger: 'loud', says: 'options.logger must be a logger with debug, info, warn, error and child methods, such as a pino logger (got string)' },
    { logger: null, says: '(got null)' },
    { logger: { debug() {}, info() {}, warn() {}, error() {} }, says: 'it lacks child' },
    { logger: console, says: 'it lacks child' },
  ])('refuses $says at creation', ({ logger, says }) => {
    expect(() => createNotificationService({ store: createMemoryStore(), logger: logger as never })).toThrow(expect.objectContaining({ name: 'TypeError', code: 'INVALID_OPTION', message: expect.stringContaining(says) }));
  });

  it('is named among the options when one is misspelt', () => {
    expect(() => createNotificationService({ store: createMemoryStore(), loger: pino() } as never)).toThrow(/unknown option loger \(did you mean logger\?\)/);
  });
});
