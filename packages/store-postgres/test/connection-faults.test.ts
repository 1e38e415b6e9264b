/**
 * A connection that dies at any point of its life — in the very packet that makes it ready
 * (when the pool hands it over), between the statements of a transaction, idle in the pool,
 * mid-statement, the listening one — costs the calls on it a `STORE_UNAVAILABLE` and nothing
 * more: no 'error' event goes unheard (which would crash an app's process), and the store
 * goes on when connections live again. On the store's own pool (which pipelines) and on an
 * app's pool. The faults come from a proxy in front of a real server (./fault-proxy.ts).
 */
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createNotificationService, isHeraldError, type NotificationRequest, type Transport } from '@herald/core';
import type { Logger } from '@herald/core/store';
import { createPostgresStore } from '../src/index.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { startPostgresServer, type PostgresServer } from './postgres-server.js';

/** Sends made while the fault is on, all at once. */
const sendsDuringFault = 12;

let server: PostgresServer;

beforeAll(async () => {
  server = await startPostgresServer();
});

afterAll(async () => {
  await server?.stop();
});

const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => quiet };

function request(appNotificationId: string): NotificationRequest {
  return { targetHostName: 'app.example.com', appNotificationId, payload: { visualContent: { title: appNotificationId, body: 'connection fault test' } } };
}

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface Fault {
  readonly where: string;
  /** Turns the fault on; called again every 20 ms while the sends run, for faults of the moment. */
  readonly on: (proxy: FaultProxy) => void;
  /** True when every send during the fault must fail (no connection can live). */
  readonly allFail: boolean;
}

const faults: Fault[] = [
  { where: 'in the packet that makes a new connection ready', on: (proxy) => proxy.failAfterReady(1), allFail: true },
  { where: 'after the first statement of each connection', on: (proxy) => proxy.failAfterReady(2), allFail: false },
  { where: 'after the fourth statement of each connection', on: (proxy) => proxy.failAfterReady(5), allFail: false },
  { where: 'on every open connection (idle, mid-statement, listening), again and again', on: (proxy) => void proxy.failOpenConnections(), allFail: false },
];

const pools = [{ pool: "the store's own pool (pipelining)", appPool: false }, { pool: "an app's pg.Pool", appPool: true }];

const cases = faults.flatMap((fault) => pools.map((pool) => ({ ...fault, ...pool })));

it.each(cases)('a connection failing $where, on $pool: STORE_UNAVAILABLE, no unheard error, and recovery', async ({ where, on, allFail, appPool }) => {
  const schema = `faults_${cases.findIndex((c) => c.where === where && c.appPool === appPool)}`;
  const proxy = await startFaultProxy(server.connectionString);
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown): void => void uncaught.push(error);
  process.on('uncaughtException', onUncaught);
  const appPoolOf = appPool ? new pg.Pool({ connectionString: proxy.connectionString, max: 4 }) : undefined;
  // The app's own listener for its idle connections, as pg asks of every app.
  appPoolOf?.on('error', () => undefined);
  const store = await createPostgresStore({
    ...(appPoolOf === undefined ? { connectionString: proxy.connectionString } : { pool: appPoolOf }),
    schema,
    migrate: true,
    connectTimeoutMs: 2_000,
    statementTimeoutMs: 2_000,
    logger: quiet,
  });
  const delivered = new Set<string>();
  const transport: Transport = { name: 'push', send: async (message) => void delivered.add(message.notification.appNotificationId) };
  const service = createNotificationService({ store, transports: [transport], dispatcher: { pollIntervalMs: 100, errorBackoffMs: 50 } });
  const backgroundErrors: unknown[] = [];
  service.on('error', ({ error }) => backgroundErrors.push(error));
  try {
    await service.subscriptions.create('alice', { targetHostName: 'app.example.com', platformType: 'windows', transport: 'push', address: 'device-1' });

    on(proxy);
    // The pool's connections so far were made before the fault: the sends must meet it.
    proxy.failOpenConnections();
    const repeat = setInterval(() => on(proxy), 20);
    const outcomes = await Promise.allSettled(Array.from({ length: sendsDuringFault }, (_, index) => service.send(request(`during-${index}`), { userId: 'alice' })));
    clearInterval(repeat);
    proxy.failAfterReady(undefined);

    const refusals = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
    for (const reason of refusals) expect(isHeraldError(reason, 'STORE_UNAVAILABLE'), `a send failed otherwise than STORE_UNAVAILABLE: ${String(reason)}`).toBe(true);
    if (allFail) expect(refusals, 'no connection could live, so no send could succeed').toHaveLength(sendsDuringFault);
    for (const error of backgroundErrors) expect(isHeraldError(error, 'STORE_UNAVAILABLE'), `a background error otherwise than STORE_UNAVAILABLE: ${String(error)}`).toBe(true);

    await until('no send succeeded once connections lived again', async () => {
      try {
        await service.send(request('after'), { userId: 'alice' });
        return true;
      } catch (error) {
        if (!isHeraldError(error, 'STORE_UNAVAILABLE')) throw error;
        return false;
      }
    });
    await until('the send after the fault was not delivered', () => delivered.has('after'));
    const sent = outcomes.flatMap((outcome, index) => (outcome.status === 'fulfilled' ? [`during-${index}`] : []));
    await until('a send that succeeded during the fault was not delivered', () => sent.every((id) => delivered.has(id)));
    expect(uncaught, 'an error event no one listened for (it would have crashed the process)').toEqual([]);
    expect(proxy.connections, 'the fault was met: connections were made again').toBeGreaterThan(1);
  } finally {
    process.removeListener('uncaughtException', onUncaught);
    await service.close();
    await appPoolOf?.end();
    await proxy.close();
  }
}, 90_000);
