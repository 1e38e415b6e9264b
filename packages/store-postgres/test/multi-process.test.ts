/**
 * Two Node processes claim deliveries from one PostgreSQL database while sends go in; one
 * is killed with SIGKILL in the middle of attempts. Each attempt is an HTTP request to a
 * receiver of the test's own on loopback, which records — on its one clock — when the
 * attempt began and ended, which process made it, and the lease token the delivery's row
 * held as it began. At the end every delivery is delivered, no delivery was attempted by
 * two processes at overlapping times, every attempt ran under its own process's lease with
 * a token of its own, and the killed process's attempts were taken over once their leases
 * lapsed.
 *
 * The workers run the built packages (`tsc -b`, as `pnpm test` runs before vitest).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createNotificationService, type NotificationService, type NotificationStore } from '@herald/core';
import { createPostgresStore } from '../src/index.js';
import { startPostgresServer, type PostgresServer } from './postgres-server.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const workspace = join(packageDir, '..', '..');
const worker = join(packageDir, 'test', 'fixtures', 'dispatch-worker.mjs');
const schema = 'multi';
const sends = 1_000;
const users = 100;
const endpointsPerUser = 3;
const leaseMs = 2_000;

/** One attempt as the receiver saw it. */
interface Attempt {
  readonly deliveryId: string;
  readonly attempt: number;
  readonly pid: number;
  readonly leaseToken: string | null;
  readonly leaseOwner: string | null;
  readonly start: number;
  end: number | undefined;
}

let server: PostgresServer;
let receiver: Server;
let store: NotificationStore | undefined;
let sender: NotificationService | undefined;
const workers: { child: ChildProcess; exited: Promise<void> }[] = [];
const attempts: Attempt[] = [];
/** The process whose requests the receiver holds (never answers) from now on. */
let heldPid: number | undefined;

/** The workers import dist/: make sure it is there and current (a no-op when `pnpm test` just built it). */
function buildPackages(): void {
  const tsc = createRequire(join(workspace, 'package.json')).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-b', join(packageDir, 'tsconfig.json')], { cwd: workspace, stdio: 'pipe' });
  for (const built of ['packages/core/dist/index.js', 'packages/store-postgres/dist/index.js']) {
    if (!existsSync(join(workspace, built))) throw new Error(`${built} is missing; build with npx tsc -b tsconfig.build.json`);
  }
}

/** Records an attempt when its request arrives and its end when answered — or when its connection dies with its process. */
function receive(request: IncomingMessage, response: ServerResponse): void {
  let body = '';
  request.on('data', (chunk: Buffer) => (body += chunk.toString()));
  request.on('end', () => {
    const fields = JSON.parse(body) as Omit<Attempt, 'start' | 'end'>;
    const attempt: Attempt = { ...fields, start: performance.now(), end: undefined };
    attempts.push(attempt);
    response.once('close', () => (attempt.end ??= performance.now()));
    if (fields.pid === heldPid) return; // held: only the process's death ends it
    // A little work, so attempts overlap in time; a few slow ones, so a kill finds some under way.
    setTimeout(() => {
      attempt.end = performance.now();
      response.end('ok');
    }, Math.random() < 0.02 ? 300 : 1 + Math.floor(Math.random() * 4));
  });
}

function startWorker(url: string): Promise<void> {
  const child = spawn(process.execPath, [worker, server.connectionString, schema, url, String(leaseMs), '16'], { cwd: packageDir, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  workers.push({ child, exited });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('a worker did not start within 30 s')), 30_000);
    child.stdout?.once('data', () => {
      clearTimeout(timer);
      resolve();
    });
    child.once('exit', (code) => reject(new Error(`a worker exited early with code ${String(code)}`)));
  });
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Runs `work` for 0 … count − 1 with at most `parallel` at a time. */
async function inParallel(count: number, parallel: number, work: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

beforeAll(async () => {
  buildPackages();
  server = await startPostgresServer();
  receiver = createServer(receive);
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
}, 180_000);

afterAll(async () => {
  for (const { child } of workers) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await sender?.close();
  receiver?.closeAllConnections();
  await new Promise((resolve) => receiver?.close(resolve));
  await server?.stop();
});

it('delivers every delivery, none attempted by two processes at once, across 2 processes with one SIGKILLed mid-run', async () => {
  const started = Date.now();
  store = await createPostgresStore({ connectionString: server.connectionString, schema, migrate: true });
  // The sender only stores: it registers the transport name for subscriptions, never dispatches.
  sender = createNotificationService({
    store,
    transports: [{ name: 'recording', send: () => Promise.reject(new Error('the sender never delivers')) }],
    dispatcher: { autoStart: false },
  });
  const platforms = ['windows', 'ios', 'android'] as const;
  await inParallel(users * endpointsPerUser, 16, async (index) => {
    await sender?.subscriptions.create(`user-${index % users}`, { targetHostName: 'app.example.com', platformType: platforms[Math.floor(index / users)] as string, transport: 'recording', address: `device-${index}` });
  });
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`;
  await Promise.all([startWorker(url), startWorker(url)]);
  const victim = workers[0] as (typeof workers)[number];
  const victimPid = victim.child.pid as number;

  let sent = 0;
  let killedAt = 0;
  await inParallel(sends, 32, async (index) => {
    const result = await (sender as NotificationService).send(
      { targetHostName: 'app.example.com', appNotificationId: `n-${index}`, payload: { visualContent: { title: `#${index}`, body: 'multi-process' } } },
      { userId: `user-${index % users}` },
    );
    expect(result.deliveries).toHaveLength(endpointsPerUser);
    sent += 1;
    if (sent === Math.floor(sends * 0.4)) {
      // Killed in the middle of attempts, for certain: once it has finished some, the
      // receiver holds every request of the victim's, and the kill comes once one is held.
      await until('the victim finished no attempt', () => attempts.some((each) => each.pid === victimPid && each.end !== undefined), 60_000);
      heldPid = victimPid;
      await until('the victim started no attempt after it was held', () => attempts.some((each) => each.pid === victimPid && each.end === undefined), 60_000);
      victim.child.kill('SIGKILL');
      killedAt = performance.now();
    }
  });
  await victim.exited;
  expect(killedAt).toBeGreaterThan(0);

  // Done when nothing is open any more (nextDueAt covers pending, failed and leased ones).
  await until('not every delivery was finished', async () => (await store?.nextDueAt()) === undefined, 180_000);
  const finishedAfter = Date.now() - started;
  const admin = new pg.Client({ connectionString: server.connectionString });
  await admin.connect();
  const { rows: statuses } = await admin.query<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM "${schema}".deliveries GROUP BY status`);
  const { rows: ids } = await admin.query<{ id: string }>(`SELECT id FROM "${schema}".deliveries`);
  await admin.end();
  await until('an attempt of the killed process did not end', () => attempts.every((each) => each.end !== undefined), 10_000);

  const byDelivery = new Map<string, Attempt[]>();
  for (const attempt of attempts) byDelivery.set(attempt.deliveryId, [...(byDelivery.get(attempt.deliveryId) ?? []), attempt]);
  const overlaps: string[] = [];
  for (const [id, list] of byDelivery) {
    list.sort((a, b) => a.start - b.start);
    for (let index = 1; index < list.length; index += 1) {
      const before = list[index - 1] as Attempt;
      const after = list[index] as Attempt;
      if (after.start < (before.end as number)) overlaps.push(`${id}: pid ${before.pid} until ${before.end}, pid ${after.pid} from ${after.start}`);
    }
  }
  const held = attempts.filter((each) => each.pid === victimPid && (each.end as number) >= killedAt - 1);
  const tokens = attempts.map((each) => each.leaseToken);

  expect(statuses, 'every delivery is delivered').toEqual([{ status: 'delivered', n: sends * endpointsPerUser }]);
  expect(ids.every(({ id }) => byDelivery.has(id)), 'every delivery reached the receiver').toBe(true);
  expect(overlaps, 'no delivery was attempted by two processes at overlapping times').toEqual([]);
  expect(tokens.every((token) => typeof token === 'string' && token.length > 0), 'every attempt ran under a lease').toBe(true);
  expect(new Set(tokens).size, 'every attempt had a lease token of its own').toBe(attempts.length);
  expect(attempts.every((each) => each.leaseOwner === `worker-${each.pid}`), 'every attempt ran under its own process\'s lease').toBe(true);
  expect(held.length, 'the victim was killed in the middle of attempts').toBeGreaterThan(0);
  expect(
    held.filter((each) => (byDelivery.get(each.deliveryId) ?? []).some((other) => other.pid !== victimPid && other.start > killedAt)).length,
    'every attempt cut short by the kill was taken over by the other process',
  ).toBe(held.length);
  console.info(
    `[multi-process] ${sends} sends (${sends * endpointsPerUser} deliveries), all delivered after ${finishedAfter} ms; attempts per process ` +
      `${workers.map(({ child }) => attempts.filter((each) => each.pid === child.pid).length).join(' / ')} (the first SIGKILLed at 40 % of the sends); ` +
      `${held.length} attempts cut short by the kill and taken over after their lease lapsed; ${[...byDelivery.values()].filter((list) => list.length > 1).length} deliveries attempted more than once, none at overlapping times`,
  );
  for (const { child } of workers.slice(1)) child.kill('SIGTERM');
  await Promise.all(workers.slice(1).map(({ exited }) => exited));
}, 300_000);
