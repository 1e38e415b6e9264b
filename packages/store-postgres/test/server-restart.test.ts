/**
 * PostgreSQL goes away mid-run and comes back, killed (SIGKILL to every server process,
 * then crash recovery) or shut down and restarted: while it is down, calls fail within a
 * bounded time with `STORE_UNAVAILABLE` (never hang); when it returns, the store goes on by
 * itself — sends succeed, what was committed before is there and is delivered, and the
 * listening connection is back so a send from another instance wakes the dispatcher.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createNotificationService, isHeraldError, type NotificationRequest, type NotificationService, type Transport } from '@herald/core';
import type { LogFields, Logger } from '@herald/core/store';
import { createPostgresStore } from '../src/index.js';
import { startPostgresServer, type PostgresServer } from './postgres-server.js';

const connectTimeoutMs = 1_000;
const statementTimeoutMs = 1_000;
/**
 * Slack on wall-clock bounds for a loaded machine. The faults these bounds catch are calls
 * that wait for the server to come back, so a bound of several seconds still tells them apart.
 */
const slackMs = 4_000;
/** How many sends the test makes while the server is down: a count, not a time window. */
const sendsDuringOutage = 5;
/** Longer than the test: a delivery seen in time after the return came from a wake-up or the sweep after reconnecting, not a poll. */
const pollIntervalMs = 60_000;

let server: PostgresServer;
const services: NotificationService[] = [];

beforeAll(async () => {
  server = await startPostgresServer();
});

afterAll(async () => {
  for (const service of services) await service.close();
  await server?.stop();
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

/** A logger that keeps the codes of what it was told, instead of printing them. */
function recordingLogger(codes: string[]): Logger {
  const record = (fields: LogFields): void => void codes.push(String(fields['code'] ?? 'none'));
  const logger: Logger = { debug: record, info: record, warn: record, error: record, child: () => logger };
  return logger;
}

/** A service on its own store of `schema`; the store's log codes and the service's background errors are kept in `seen`. */
async function service(schema: string, transport: Transport, autoStart: boolean, seen: { codes: string[]; errors: unknown[] }): Promise<NotificationService> {
  const store = await createPostgresStore({ connectionString: server.connectionString, schema, migrate: true, connectTimeoutMs, statementTimeoutMs, logger: recordingLogger(seen.codes) });
  const created = createNotificationService({ store, transports: [transport], dispatcher: { autoStart, pollIntervalMs, errorBackoffMs: 200 } });
  created.on('error', ({ error }) => seen.errors.push(error));
  services.push(created);
  return created;
}

it.each([
  { outage: 'killed (SIGKILL to every server process)', down: () => server.kill() },
  { outage: 'shut down (fast shutdown)', down: () => server.shutdown() },
])('fails within bounded time with STORE_UNAVAILABLE while PostgreSQL is $outage, and goes on by itself when it returns', async ({ outage, down }) => {
  const schema = outage.startsWith('killed') ? 'restart_kill' : 'restart_shutdown';
  const delivered = new Set<string>();
  const push: Transport = {
    name: 'push',
    async send(message) {
      delivered.add(message.notification.appNotificationId);
    },
  };
  const seen = { codes: [] as string[], errors: [] as unknown[] };
  const dispatching = await service(schema, push, true, seen);
  // Another instance that only sends: its sends reach the dispatcher through the server's NOTIFY.
  const sending = await service(schema, { name: 'push', send: () => Promise.reject(new Error('the sending instance never delivers')) }, false, { codes: [], errors: [] });
  await sending.subscriptions.create('alice', { targetHostName: 'app.example.com', platformType: 'windows', transport: 'push', address: 'device-1' });

  for (let index = 0; index < 3; index += 1) await sending.send(request(`before-${index}`), { userId: 'alice' });
  // Due during the outage: committed before it, delivered after it.
  await sending.send(request('scheduled'), { userId: 'alice' }, { sendAt: Date.now() + 1_000 });
  await until('the first three were not delivered', () => delivered.size === 3, 30_000);

  await down();
  const failures: { code: string; ms: number }[] = [];
  while (failures.length < sendsDuringOutage) {
    const started = Date.now();
    try {
      await sending.send(request(`during-${failures.length}`), { userId: 'alice' });
      throw new Error('a send succeeded while PostgreSQL was down');
    } catch (error) {
      if (!isHeraldError(error)) throw error;
      failures.push({ code: error.code, ms: Date.now() - started });
      expect(error.message).toMatch(/^\[herald\] \[store-postgres\] /);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(new Set(failures.map((failure) => failure.code)), 'every send during the outage fails with STORE_UNAVAILABLE').toEqual(new Set(['STORE_UNAVAILABLE']));
  const slowest = Math.max(...failures.map((failure) => failure.ms));
  expect(slowest, 'no call waits longer than the store\'s bounds (with slack for a busy machine)').toBeLessThanOrEqual(connectTimeoutMs + statementTimeoutMs + slackMs);

  await server.restart();
  const returned = Date.now();
  let recovered: number | undefined;
  await until('no send succeeded after PostgreSQL returned', async () => {
    try {
      await sending.send(request('after'), { userId: 'alice' });
      recovered = Date.now() - returned;
      return true;
    } catch (error) {
      if (!isHeraldError(error, 'STORE_UNAVAILABLE')) throw error;
      return false;
    }
  }, 30_000);
  await until('the scheduled and the new notification were not delivered after the return', () => delivered.has('scheduled') && delivered.has('after'), 30_000);

  const feed = await dispatching.feed.list('alice', { limit: 100 });
  expect(feed.items.map((item) => item.appNotificationId).sort(), 'what was committed before the outage is still there, and nothing of the failed sends').toEqual(
    ['after', 'before-0', 'before-1', 'before-2', 'scheduled'].sort(),
  );
  expect([...delivered].sort()).toEqual(['after', 'before-0', 'before-1', 'before-2', 'scheduled'].sort());
  await until('the dispatching store did not log its listening connection back', () => seen.codes.includes('CONNECTION_RESTORED'), 30_000);
  expect(seen.codes.indexOf('CONNECTION_LOST'), 'the lost listening connection was logged before it came back').toBeLessThan(seen.codes.lastIndexOf('CONNECTION_RESTORED'));
  expect(seen.codes.indexOf('CONNECTION_LOST')).toBeGreaterThanOrEqual(0);
  console.info(
    `[server-restart] ${outage}: ${failures.length} sends during the outage failed with STORE_UNAVAILABLE, slowest after ${slowest} ms; ` +
      `first send succeeded ${recovered ?? '?'} ms after PostgreSQL returned; ${seen.errors.length} background errors reported meanwhile, the store's log: ${[...new Set(seen.codes)].join(', ')}`,
  );
}, 150_000);
