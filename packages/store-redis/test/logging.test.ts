/**
 * The Redis store's `logger` option and `await using`, against a real redis-server on
 * loopback that is stopped and started again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isHeraldError, type LogFields, type Logger } from '@herald/core';
import { createRedisStore } from '../src/index.js';
import { startRedisServer, type RedisServer } from './redis-server.js';

interface LogRecord {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly fields: LogFields;
  readonly message: string;
}

/** A logger that keeps what it is given, child bindings merged in, as pino does. */
function recordingLogger(records: LogRecord[], bindings: LogFields = {}): Logger {
  const at = (level: LogRecord['level']) => (fields: LogFields, message: string) => void records.push({ level, fields: { ...bindings, ...fields }, message });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: (more) => recordingLogger(records, { ...bindings, ...more }) };
}

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

let server: RedisServer;
beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  await server?.destroy();
});

describe('the Redis store with a logger', () => {
  it('logs a lost connection once per outage and its return, with code and where', async () => {
    const records: LogRecord[] = [];
    await using store = await createRedisStore({ url: server.url, prefix: 'logging-outage', commandTimeoutMs: 1000, logger: recordingLogger(records) });
    await server.stop();
    await until('CONNECTION_LOST was not logged', () => records.some((record) => record.fields['code'] === 'CONNECTION_LOST'));
    // Reconnection attempts go on (every 100–1000 ms) while it is down: still one line.
    await expect(store.nextDueAt()).rejects.toSatisfy((error) => isHeraldError(error, 'STORE_UNAVAILABLE'));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(records.filter((record) => record.fields['code'] === 'CONNECTION_LOST')).toHaveLength(1);
    await server.start();
    await until('CONNECTION_RESTORED was not logged', () => records.some((record) => record.fields['code'] === 'CONNECTION_RESTORED'));
    const [lost, restored] = records;
    expect(lost).toMatchObject({ level: 'warn', fields: { component: 'store-redis', prefix: 'logging-outage', code: 'CONNECTION_LOST', where: `Redis at 127.0.0.1:${server.port}` } });
    expect(lost?.fields['err']).toBeInstanceOf(Error);
    expect(restored).toMatchObject({ level: 'info', fields: { component: 'store-redis', code: 'CONNECTION_RESTORED' } });
    expect(restored?.fields['downMs']).toBeGreaterThan(0);
    await expect(store.nextDueAt()).resolves.toBeUndefined();
  });

  it('logs a wake-up listener that throws as an error', async () => {
    const records: LogRecord[] = [];
    await using listening = await createRedisStore({ url: server.url, prefix: 'logging-wake', logger: recordingLogger(records) });
    await using sending = await createRedisStore({ url: server.url, prefix: 'logging-wake' });
    let heard = 0;
    listening.onWake?.(() => {
      heard += 1;
      throw new Error('listener broke');
    });
    // The subscription is set up in the background: publish until it is heard.
    await until('the wake-up was not heard', () => {
      void sending.wake?.();
      return heard > 0;
    });
    expect(records.find((record) => record.fields['source'] === 'wake-up listener')).toMatchObject({ level: 'error', fields: { code: 'INTERNAL', component: 'store-redis' }, message: 'a wake-up listener failed' });
  });

  it('refuses a logger lacking a method at once', () => {
    expect(() => createRedisStore({ url: server.url, logger: { error() {} } as never })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringContaining('option logger must be a logger with debug, info, warn, error and child methods, such as a pino logger; it lacks debug, info, warn, child') }),
    );
  });
});

describe('the Redis store as an AsyncDisposable', () => {
  it('is closed once the block that declared it ends', async () => {
    let kept: Awaited<ReturnType<typeof createRedisStore>> | undefined;
    {
      await using store = await createRedisStore({ url: server.url, prefix: 'dispose' });
      kept = store;
      await expect(store.nextDueAt()).resolves.toBeUndefined();
    }
    await expect(kept.nextDueAt()).rejects.toSatisfy((error) => isHeraldError(error, 'STORE_CLOSED'));
  });
});
