/**
 * Anything can be thrown, and the default process-warning logger reports it without
 * throwing itself: values `String` refuses (no prototype, a throwing `toString`), errors
 * whose `name`, `message` or `stack` cannot be read or are Symbols, Proxies that trap.
 * Through the service: a listener that throws such a value is reported and the send that
 * stored its notification still resolves.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { processWarningLogger } from '@herald/core/store';
import { sampleRequest } from '@herald/testing';
import { harness } from './support.js';

const code = 'HERALD_TEST_ODD_THROWN';
let lines: string[] = [];
let background: string[] = [];
const listen = (warning: Error & { code?: string }): void => {
  if (warning.code === code) lines.push(warning.message);
  if (warning.code === 'HERALD_BACKGROUND_ERROR') background.push(warning.message);
};
beforeEach(() => {
  lines = [];
  background = [];
  process.on('warning', listen);
});
afterEach(() => {
  process.off('warning', listen);
});
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const throwing = (): never => {
  throw new Error('cannot be read');
};
const errorWith = (field: 'name' | 'message' | 'stack', value: PropertyDescriptor): Error => Object.defineProperty(new Error('odd'), field, value);

const odd: ReadonlyArray<readonly [string, () => unknown]> = [
  ['an object without a prototype', () => Object.create(null)],
  ['an object whose toString throws', () => ({ toString: throwing })],
  ['an object whose toString returns an object', () => ({ toString: () => ({}) })],
  ['a Symbol', () => Symbol('thrown')],
  ['a BigInt', () => 10n],
  ['null', () => null],
  ['an Error whose name is a Symbol', () => errorWith('name', { value: Symbol('name') })],
  ['an Error whose message getter throws', () => errorWith('message', { get: throwing })],
  ['an Error whose stack getter throws', () => errorWith('stack', { get: throwing })],
  ['an Error whose stack is an object without a prototype', () => errorWith('stack', { value: Object.create(null) })],
  ['a Proxy whose every trap throws', () => new Proxy({}, { get: throwing, getPrototypeOf: throwing, has: throwing, ownKeys: throwing, getOwnPropertyDescriptor: throwing })],
];

describe('the default logger reports any thrown value', () => {
  it.each(odd)('%s: one warning, nothing thrown', async (_name, make) => {
    const log = processWarningLogger('[odd]', code, { repeatWindowMs: 0 });
    expect(() => log.error({ code: 'INTERNAL', err: make() }, 'a task failed')).not.toThrow();
    expect(() => log.warn({ code: 'INTERNAL', err: make() }, 'a task failed')).not.toThrow();
    await flush();
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line.startsWith('[odd] a task failed: ')).toBe(true);
  });

  it.each(odd)('%s thrown by a listener: the send resolves, and the failure is a warning', async (_name, make) => {
    const h = await harness({ dispatcher: { autoStart: false } });
    try {
      await h.subscribe('alice');
      h.service.on('notification.created', () => {
        throw make();
      });
      const result = await h.service.send(sampleRequest({}, h.clock.now()), { userId: 'alice' });
      expect(await h.service.feed.get('alice', result.notification.id)).toEqual(result.notification);
      await flush();
      expect(background.filter((line) => line.includes('listener of notification.created failed'))).toHaveLength(1);
    } finally {
      await h.service.close();
    }
  });
});
