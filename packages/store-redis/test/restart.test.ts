/**
 * Redis goes away and comes back: while it is down, calls fail fast with
 * `STORE_UNAVAILABLE` (never hang); when it returns, the store reconnects by itself, and
 * what was stored before (kept in the append-only file) is delivered.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createNotificationService, isHeraldError, type NotificationRequest, type NotificationService, type Transport } from '@herald/core';
import { createRedisStore } from '../src/index.js';
import { startRedisServer, type RedisServer } from './redis-server.js';

const commandTimeoutMs = 1_000;
/**
 * Slack on wall-clock bounds for a loaded machine. The faults these bounds catch are
 * calls that wait for Redis to come back (ioredis's offline queue, which never answers
 * while it is down), so a bound of several seconds still tells them apart.
 */
const slackMs = 4_000;
/** How many sends the test makes while Redis is down: a count, not a time window. */
const sendsDuringOutage = 6;
let server: RedisServer;
let service: NotificationService | undefined;

beforeAll(async () => {
  server = await startRedisServer({ appendonly: true });
});

afterAll(async () => {
  await service?.close();
  await server?.destroy();
});

function request(appNotificationId: string): NotificationRequest {
  return { targetHostName: 'app.example.com', appNotificationId, payload: { visualContent: { title: appNotificationId, body: 'restart test' } } };
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

it('fails fast with STORE_UNAVAILABLE while Redis is down, and goes on by itself when it returns', async () => {
  const delivered = new Set<string>();
  const push: Transport = {
    name: 'push',
    async send(message) {
      delivered.add(message.notification.appNotificationId);
    },
  };
  const backgroundErrors: unknown[] = [];
  service = createNotificationService({
    store: await createRedisStore({ url: server.url, prefix: 'restart', commandTimeoutMs }),
    transports: [push],
    dispatcher: { pollIntervalMs: 200, errorBackoffMs: 200 },
  });
  service.on('error', ({ error }) => backgroundErrors.push(error));
  await service.subscriptions.create('alice', { targetHostName: 'app.example.com', platformType: 'windows', transport: 'push', address: 'device-1' });

  for (let index = 0; index < 5; index += 1) await service.send(request(`before-${index}`), { userId: 'alice' });
  // Due during the outage: stored before it, delivered after it.
  await service.send(request('scheduled'), { userId: 'alice' }, { sendAt: Date.now() + 1_500 });
  await until('the first five were not delivered', () => delivered.size === 5, 30_000);

  await server.stop();
  // A count of sends, so a slow machine makes fewer sends per second, not a failed test.
  const failures: { code: string; ms: number }[] = [];
  while (failures.length < sendsDuringOutage) {
    const started = Date.now();
    try {
      await service.send(request(`during-${failures.length}`), { userId: 'alice' });
      throw new Error('a send succeeded while Redis was down');
    } catch (error) {
      if (!isHeraldError(error)) throw error;
      failures.push({ code: error.code, ms: Date.now() - started });
      expect(error.message).toMatch(/^\[herald\] \[store-redis\] Redis at 127\.0\.0\.1:\d+ cannot be reached/);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(failures.length).toBe(sendsDuringOutage);
  expect(new Set(failures.map((failure) => failure.code)), 'every send during the outage fails with STORE_UNAVAILABLE').toEqual(new Set(['STORE_UNAVAILABLE']));
  const slowest = Math.max(...failures.map((failure) => failure.ms));
  expect(slowest, 'no call waits longer than the command bound (with slack for a busy machine)').toBeLessThanOrEqual(commandTimeoutMs + slackMs);

  await server.start();
  const returned = Date.now();
  let recovered: number | undefined;
  await until('no send succeeded after Redis returned', async () => {
    try {
      await service?.send(request('after'), { userId: 'alice' });
      recovered = Date.now() - returned;
      return true;
    } catch (error) {
      if (!isHeraldError(error, 'STORE_UNAVAILABLE')) throw error;
      return false;
    }
  }, 30_000);
  await until('the scheduled and the new notification were not delivered after the restart', () => delivered.has('scheduled') && delivered.has('after'), 30_000);

  const feed = await service.feed.list('alice', { limit: 100 });
  expect(feed.items.map((item) => item.appNotificationId).sort(), 'what was stored before the restart is still there').toEqual(
    ['after', 'before-0', 'before-1', 'before-2', 'before-3', 'before-4', 'scheduled'].sort(),
  );
  console.info(
    `[restart] ${failures.length} sends during the outage failed with STORE_UNAVAILABLE, slowest after ${slowest} ms; ` +
      `first send succeeded ${recovered ?? '?'} ms after Redis returned; ${backgroundErrors.length} background errors reported meanwhile`,
  );
}, 150_000);

it('bounds every call by commandTimeoutMs when Redis stops answering, also with a client passed in', async () => {
  const { Redis } = await import('ioredis');
  // A client with ioredis's defaults: an offline queue and retries that would wait forever.
  const lent = new Redis(server.url);
  const own = await createRedisStore({ url: server.url, prefix: 'hung', commandTimeoutMs: 500 });
  const borrowed = await createRedisStore({ client: lent, prefix: 'hung', commandTimeoutMs: 500 });
  try {
    server.pause();
    for (const store of [own, borrowed]) {
      const started = Date.now();
      await expect(store.listSubscriptions('alice')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
      await expect(store.nextDueAt()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
      expect(Date.now() - started, 'two calls, each bounded by 500 ms (with slack for a busy machine)').toBeLessThan(2 * 500 + slackMs);
    }
    server.resume();
    await until('the stores did not answer again after Redis resumed', async () => {
      try {
        await Promise.all([own.listSubscriptions('alice'), borrowed.listSubscriptions('alice')]);
        return true;
      } catch {
        return false;
      }
    }, 30_000);
  } finally {
    server.resume();
    await Promise.all([own.close(), borrowed.close()]);
    await lent.quit();
  }
}, 60_000);
