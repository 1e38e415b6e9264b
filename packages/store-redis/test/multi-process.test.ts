/**
 * Three Node processes share one Redis and its deliveries. 20,000 sends to users with
 * three endpoints each go in while they dispatch; one of them is killed with SIGKILL
 * mid-run. At the end every delivery is delivered, and no delivery was worked by two
 * processes at overlapping times: leases hand each to one process at a time, and the
 * killed process's work is taken over once its leases lapse.
 *
 * The workers run the built packages (`tsc -b`, as `pnpm test` runs before vitest).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createNotificationService, type NotificationService, type NotificationStore } from '@herald/core';
import { createRedisStore } from '../src/index.js';
import { startRedisServer, type RedisServer } from './redis-server.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const workspace = join(packageDir, '..', '..');
const worker = join(packageDir, 'test', 'fixtures', 'dispatch-worker.mjs');
const prefix = 'multi';
const sends = 20_000;
const users = 250;
const endpointsPerUser = 3;
const leaseMs = 2_000;

let server: RedisServer;
let dir: string;
let store: NotificationStore | undefined;
let sender: NotificationService | undefined;
const workers: { child: ChildProcess; file: string; exited: Promise<number> }[] = [];

/** The workers import dist/: make sure it is there and current (a no-op when `pnpm test` just built it). */
function buildPackages(): void {
  const tsc = createRequire(join(workspace, 'package.json')).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-b', join(packageDir, 'tsconfig.json')], { cwd: workspace, stdio: 'pipe' });
  for (const built of ['packages/core/dist/index.js', 'packages/store-redis/dist/index.js']) {
    if (!existsSync(join(workspace, built))) throw new Error(`${built} is missing; build with npx tsc -b tsconfig.build.json`);
  }
}

function startWorker(index: number): Promise<void> {
  const file = join(dir, `worker-${index}.log`);
  const child = spawn(process.execPath, [worker, server.url, prefix, file, String(leaseMs), '32'], { cwd: packageDir, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number>((resolve) => child.once('exit', () => resolve(performance.timeOrigin + performance.now())));
  workers.push({ child, file, exited });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker ${index} did not start within 20 s`)), 20_000);
    child.stdout?.once('data', () => {
      clearTimeout(timer);
      resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker ${index} exited early with code ${String(code)}`)));
  });
}

/** The lines of a worker's record file that start with `kind` (S start, E end, H held). */
function recordLines(file: string, kind: 'S' | 'E' | 'H'): string[] {
  return readFileSync(file, 'utf8').split('\n').filter((line) => line.startsWith(`${kind} `));
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
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
  server = await startRedisServer();
  dir = mkdtempSync(join(tmpdir(), 'herald-multi-'));
}, 120_000);

afterAll(async () => {
  for (const { child } of workers) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await sender?.close();
  await server?.destroy();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

it('delivers every delivery exactly once at a time across 3 processes, one of them killed mid-run', async () => {
  const started = Date.now();
  store = await createRedisStore({ url: server.url, prefix });
  // The sender only stores: it registers the transport name for subscriptions, never dispatches.
  sender = createNotificationService({
    store,
    transports: [{ name: 'recording', send: () => Promise.reject(new Error('the sender never delivers')) }],
    dispatcher: { autoStart: false },
  });
  const platforms = ['windows', 'ios', 'android'] as const;
  await inParallel(users * endpointsPerUser, 32, async (index) => {
    await sender?.subscriptions.create(`user-${index % users}`, {
      targetHostName: 'app.example.com',
      platformType: platforms[Math.floor(index / users)] as string,
      transport: 'recording',
      address: `device-${index}`,
    });
  });
  await Promise.all([0, 1, 2].map(startWorker));

  const deliveries: { id: string; userId: string }[] = [];
  let sent = 0;
  let killedAt: number | undefined;
  const victim = workers[0] as (typeof workers)[number];
  await inParallel(sends, 64, async (index) => {
    const userId = `user-${index % users}`;
    const result = await (sender as NotificationService).send(
      { targetHostName: 'app.example.com', appNotificationId: `n-${index}`, payload: { visualContent: { title: `#${index}`, body: 'multi-process' } } },
      { userId },
    );
    for (const delivery of result.deliveries) deliveries.push({ id: delivery.id, userId });
    sent += 1;
    if (sent === Math.floor(sends * 0.4)) {
      // Killed in the middle of an attempt, for certain: once it has finished some, the
      // victim is told to hold every attempt it starts from now on (each writes "H" and
      // never ends), and the kill comes only after an "H" is on disk. The rest of the
      // sends go on meanwhile, so it has work to claim; only a victim that stopped
      // dispatching would miss the generous bounds.
      await until('the victim finished no attempt', async () => recordLines(victim.file, 'E').length > 0, 60_000);
      victim.child.kill('SIGUSR2');
      await until('the victim started no attempt after it was told to hold', async () => recordLines(victim.file, 'H').length > 0, 60_000);
      victim.child.kill('SIGKILL');
      killedAt = performance.timeOrigin + performance.now();
    }
  });
  const sentAfter = Date.now() - started;
  expect(deliveries.length, 'every send found the user’s three endpoints').toBe(sends * endpointsPerUser);
  const killTime = await victim.exited;
  expect(killedAt).toBeDefined();

  // Done when nothing is open any more (nextDueAt covers pending, failed and leased ones).
  await until('not every delivery was finished', async () => (await store?.nextDueAt()) === undefined, 150_000);
  const finishedAfter = Date.now() - started;

  const statuses = new Map<string, number>();
  await inParallel(deliveries.length, 128, async (index) => {
    const { id, userId } = deliveries[index] as { id: string; userId: string };
    const status = (await store?.getDelivery(userId, id))?.status ?? 'missing';
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
  });

  // Every attempt of every worker: [start, end]; the killed worker's unfinished ones end when it died.
  const attempts = new Map<string, { pid: number; start: number; end: number }[]>();
  let takenOver = 0;
  for (const { file, child } of workers) {
    const open = new Map<string, number>();
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const [kind, id, pid, time] = line.split(' ');
      if (id === undefined || time === undefined) continue;
      if (kind === 'S') open.set(id, Number(time));
      else if (kind === 'E') {
        const list = attempts.get(id) ?? [];
        list.push({ pid: Number(pid), start: open.get(id) ?? 0, end: Number(time) });
        attempts.set(id, list);
        open.delete(id);
      }
    }
    for (const [id, start] of open) {
      expect(child, 'only the killed worker leaves attempts unfinished').toBe(victim.child);
      takenOver += 1;
      const list = attempts.get(id) ?? [];
      list.push({ pid: child.pid ?? 0, start, end: killTime });
      attempts.set(id, list);
    }
  }
  const overlaps: string[] = [];
  let repeated = 0;
  for (const [id, list] of attempts) {
    if (list.length > 1) repeated += 1;
    list.sort((a, b) => a.start - b.start);
    for (let index = 1; index < list.length; index += 1) {
      const before = list[index - 1] as { pid: number; end: number };
      const after = list[index] as { pid: number; start: number };
      if (after.start < before.end) overlaps.push(`${id}: pid ${before.pid} until ${before.end}, pid ${after.pid} from ${after.start}`);
    }
  }
  const byWorker = workers.map(({ file }) => recordLines(file, 'E').length);
  const held = recordLines(victim.file, 'H').map((line) => line.split(' ')[1]);

  expect(byWorker[0], 'the killed worker had taken part before it was killed').toBeGreaterThan(0);
  expect(takenOver, 'the killed worker died in the middle of attempts, which others then took over').toBeGreaterThan(0);
  expect(
    held.filter((id) => (attempts.get(id as string) ?? []).some(({ pid }) => pid !== victim.child.pid)),
    'every attempt held when the victim was killed was taken over by another worker',
  ).toEqual(held);
  expect(Object.fromEntries(statuses), 'every delivery is delivered').toEqual({ delivered: sends * endpointsPerUser });
  expect(deliveries.every(({ id }) => attempts.has(id)), 'every delivery went through the recording transport').toBe(true);
  expect(overlaps, 'no delivery was worked by two processes at overlapping times').toEqual([]);
  console.info(
    `[multi-process] ${sends} sends (${deliveries.length} deliveries) stored in ${sentAfter} ms, all delivered after ${finishedAfter} ms; ` +
      `attempts per worker ${byWorker.join(' / ')} (worker 0 SIGKILLed at 40 % of the sends); ${takenOver} attempts cut short by the kill and taken over after their lease lapsed; ${repeated} deliveries attempted more than once, none at overlapping times`,
  );
  for (const { child } of workers.slice(1)) child.kill('SIGTERM');
  await Promise.all(workers.slice(1).map(({ exited }) => exited));
}, 240_000);
