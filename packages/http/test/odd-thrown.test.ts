/**
 * Values `String` refuses, thrown from under a route (here the service's feed, as a
 * store or an app's own wrapper may throw): the request gets a 500 like any unexpected failure, the failure is reported as text (to the logger, or as
 * one line on stderr without one), and the server goes on answering — describing the
 * failure never becomes a failure of its own.
 */
import { describe, expect, it } from 'vitest';
import type { LogFields, Logger } from '@herald/core';
import { useLoopbackOnly } from '@herald/testing';
import { startApi, type Api } from './support.js';

useLoopbackOnly();

const throwing = (): never => {
  throw new Error('cannot be read');
};
const odd: ReadonlyArray<readonly [string, () => unknown]> = [
  ['an object without a prototype', () => Object.create(null)],
  ['an object whose toString throws', () => ({ toString: throwing })],
  ['an Error whose message getter throws', () => Object.defineProperty(new Error('odd'), 'message', { get: throwing })],
  ['an Error whose stack getter throws', () => Object.defineProperty(new Error('odd'), 'stack', { get: throwing })],
  ['a Proxy whose traps throw', () => new Proxy({}, { get: throwing, getPrototypeOf: throwing, has: throwing, ownKeys: throwing, getOwnPropertyDescriptor: throwing })],
];

/** Makes the service's feed listing throw `make()` once, then list as before. */
function failOnce(api: Api, make: () => unknown): void {
  const feed = api.service.feed as { list: (...args: unknown[]) => unknown };
  const list = feed.list.bind(feed);
  let calls = 0;
  feed.list = (...args: unknown[]) => {
    calls += 1;
    if (calls === 1) throw make();
    return list(...args);
  };
}

const bearer = { headers: { authorization: 'Bearer alice' } };

describe.each(odd)('%s thrown under a route', (_name, make) => {
  it('with a logger: a 500, an error record whose message is text, and the next request answered', async () => {
    const messages: string[] = [];
    const record = (_fields: LogFields, message: string): void => void messages.push(message);
    const logger: Logger = { debug: () => undefined, info: () => undefined, warn: record, error: record, child: () => logger };
    const api = await startApi({ logger, onError: undefined });
    failOnce(api, make);
    try {
      expect((await api.call('GET', '/me/notifications', bearer)).status).toBe(500);
      expect(messages).toHaveLength(1);
      expect(messages[0]).toMatch(/^GET \/me\/notifications failed: \S/);
      expect((await api.call('GET', '/me/notifications', bearer)).status, 'the server goes on').toBe(200);
    } finally {
      await api.close();
    }
  });

  it('without a logger or onError: a 500, one line on stderr, and the next request answered', async () => {
    const lines: string[] = [];
    const write = process.stderr.write;
    const api = await startApi({ onError: undefined });
    failOnce(api, make);
    process.stderr.write = ((chunk: string | Uint8Array): boolean => {
      lines.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      expect((await api.call('GET', '/me/notifications', bearer)).status).toBe(500);
      expect((await api.call('GET', '/me/notifications', bearer)).status, 'the server goes on').toBe(200);
    } finally {
      process.stderr.write = write;
      await api.close();
    }
    expect(lines.filter((line) => line.startsWith('[herald] [http] '))).toHaveLength(1);
  });
});
