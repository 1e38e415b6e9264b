/**
 * A service with no logger, on a real redis-server that is stopped: the dispatcher's polls
 * fail about once a second for as long as it is down, and the default process-warning
 * logger reports each failure once with its stack, then a count line a minute, then its
 * end — not one warning per poll. The service runs on the test kit's fake clock, so a
 * minute of polls takes no minute; Redis, its socket and its errors are real.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isHeraldError, type NotificationStore } from '@herald/core';
import { createTestService, sampleApp, sampleRequest } from '@herald/testing';
import { createRedisStore } from '../src/index.js';
import { startRedisServer, type RedisServer } from './redis-server.js';

let server: RedisServer;
beforeAll(async () => {
  server = await startRedisServer({ appendonly: true }); // the subscription outlives the restart
});
afterAll(async () => {
  await server?.destroy();
});

/** The calls of a dispatcher's poll: their failures are what it reports (a purge's are its own). */
const pollCalls = new Set<PropertyKey>(['claimDeliveries', 'nextDueAt']);

/** `store`, with each poll call that failed with STORE_UNAVAILABLE kept as its one line (`HeraldError: …`). */
function keepingFailures(store: NotificationStore): { store: NotificationStore; failures: string[] } {
  const failures: string[] = [];
  const kept = new Proxy(store, {
    get(target, name) {
      const value: unknown = Reflect.get(target, name, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        const result: unknown = (value as (...args: unknown[]) => unknown).apply(target, args);
        if (pollCalls.has(name) && result instanceof Promise) {
          result.catch((error: unknown) => {
            if (isHeraldError(error, 'STORE_UNAVAILABLE')) failures.push(`${error.name}: ${error.message}`);
          });
        }
        return result;
      };
    },
  });
  return { store: kept, failures };
}

/** The service's process warnings about its dispatcher (the store's own connection warnings aside). */
function dispatcherWarnings(): { lines: string[]; stop: () => void } {
  const lines: string[] = [];
  const listen = (warning: Error & { code?: string }): void => {
    if (warning.code === 'HERALD_BACKGROUND_ERROR' && warning.message.startsWith('[herald] dispatcher failed')) lines.push(warning.message);
  };
  process.on('warning', listen);
  return { lines, stop: () => process.off('warning', listen) };
}

it('reports a stopped Redis once per failure, a count a minute and the end, over a minute of failing polls', async () => {
  const warnings = dispatcherWarnings();
  const { store, failures } = keepingFailures(await createRedisStore({ url: server.url, prefix: 'outage-warnings', commandTimeoutMs: 1000 }));
  const kit = await createTestService({ store, service: { dispatcher: { pollIntervalMs: 1000, errorBackoffMs: 1000 } } });
  try {
    await kit.subscribe('alice', 'windows', { targetHostName: sampleApp });
    await kit.service.send(sampleRequest({}, kit.clock.now()), { userId: 'alice' });
    await kit.advance('1s');
    expect(kit.transport.deliveries).toHaveLength(1);

    await server.stop();
    // 70 polls, a second apart: past the one-minute window, so each failure that lasts gets its count line.
    for (let poll = 0; poll < 70; poll += 1) await kit.advance('1s');
    const polledWhileDown = failures.length;
    const distinct = [...new Set(failures)];
    expect(polledWhileDown, 'the dispatcher polled, and failed, about once a second').toBeGreaterThanOrEqual(50);
    await new Promise((resolve) => setImmediate(resolve));
    const full = warnings.lines.filter((line) => /\n\s+at /.test(line));
    expect(full.map((line) => line.split('\n')[0]), 'one warning with its stack per distinct failure').toEqual(distinct.map((failure) => `[herald] dispatcher failed: ${failure} (repeats are counted: a count follows every 60 s while it lasts)`));
    const counts = warnings.lines.filter((line) => / — \d+ more times since /.test(line));
    expect(counts.length, 'a count line for a failure that went on past the window').toBeGreaterThanOrEqual(1);
    expect(warnings.lines.length, `${warnings.lines.length} warnings for ${polledWhileDown} failed polls`).toBeLessThanOrEqual(3 * distinct.length);

    await server.start();
    // ioredis reconnects in real time: the service goes on once a send gets through again.
    for (let attempt = 0; ; attempt += 1) {
      const sent = await kit.service.send(sampleRequest({ appNotificationId: 'after' }, kit.clock.now()), { userId: 'alice' }).then(() => true, () => false);
      if (sent) break;
      if (attempt >= 100) throw new Error('no send got through within 100 tries after Redis returned');
      await new Promise((resolve) => setTimeout(resolve, 100));
      await kit.advance('1s');
    }
    for (let poll = 0; poll < 30 && kit.transport.deliveries.length < 2; poll += 1) await kit.advance('1s');
    expect(kit.transport.deliveries).toHaveLength(2);
    const before = warnings.lines.length;
    await kit.advance('3m');
    await new Promise((resolve) => setImmediate(resolve));
    const ends = warnings.lines.slice(before).filter((line) => / — over: /.test(line));
    expect(ends.length, 'each failure that repeated ends with a line saying so').toBeGreaterThanOrEqual(1);
    for (const end of ends) expect(end).toMatch(/^\[herald\] dispatcher failed: HeraldError: .+ — over: ((\d+ more times|once more) since \S+, )?the last at \S+, then none for 120 s$/);
  } finally {
    warnings.stop();
    await kit.close();
  }
}, 120_000);
