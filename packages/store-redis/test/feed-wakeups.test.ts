/**
 * Live feeds across processes: a change written through one store instance reaches a
 * `feed.watch` served through another, through the keyspace's feed channel. The watches
 * poll only once a day, so an event within the test's time can only come from an
 * announcement. Each wait is bounded only to fail loudly, far above a loaded machine's
 * delays.
 */
import { spawn, execFileSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotificationService, type FeedWatch, type FeedWatchChange, type FeedWatchEvent, type NotificationService } from '@herald/core';
import { createRedisStore } from '../src/index.js';
import { clusterReady, startRedisCluster, startRedisServer, type RedisClusterServers, type RedisServer } from './redis-server.js';

const day = 24 * 60 * 60 * 1000;
const boundMs = 30_000;
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const workspace = join(packageDir, '..', '..');

let server: RedisServer;
let cluster: RedisClusterServers;
let clusterClient: Cluster;
const services: NotificationService[] = [];

beforeAll(async () => {
  [server, cluster] = await Promise.all([startRedisServer(), startRedisCluster(3)]);
  clusterClient = new Cluster([...cluster.startupNodes], { enableOfflineQueue: false, redisOptions: { autoResendUnfulfilledCommands: false } });
  await clusterReady(clusterClient);
}, 90_000);

afterAll(async () => {
  await Promise.all(services.map((service) => service.close()));
  await clusterClient?.quit();
  await Promise.all([server?.destroy(), cluster?.destroy()]);
});

function request(appNotificationId: string) {
  return { targetHostName: 'app.example.com', appNotificationId, payload: { visualContent: { title: 'Hello', body: appNotificationId } } };
}

/** The next event of `watch`, failing after the bound. */
async function nextEvent(watch: FeedWatch): Promise<FeedWatchEvent> {
  const result = await Promise.race([
    watch.next(),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no event within ${boundMs} ms: no announcement came`)), boundMs).unref()),
  ]);
  if (result.done === true) throw new Error('the watch ended');
  return result.value;
}

async function nextChange(watch: FeedWatch): Promise<FeedWatchChange> {
  const event = await nextEvent(watch);
  if (event.type === 'resync') throw new Error(`unexpected resync: ${event.message}`);
  return event;
}

describe.each([
  ['one Redis server', () => ({ url: server.url })],
  ['a Redis Cluster', () => ({ client: clusterClient, shards: 8 })],
] as const)('on %s', (_name, connection) => {
  it('shows writes through instance A in a watch served by instance B, and in A\'s own watch', async () => {
    const prefix = `feed-${Math.random().toString(36).slice(2)}`;
    const a = createNotificationService({ store: await createRedisStore({ ...connection(), prefix }), dispatcher: { autoStart: false } });
    const b = createNotificationService({ store: await createRedisStore({ ...connection(), prefix }), dispatcher: { autoStart: false } });
    services.push(a, b);
    const watch = b.feed.watch('alice', { pollIntervalMs: day });
    const mine = a.feed.watch('alice', { pollIntervalMs: day });
    try {
      const pending = nextChange(watch);
      const sent = (await a.send(request('one'), { userId: 'alice' })).notification;
      expect(await pending).toMatchObject({ type: 'created', notificationId: sent.id, unreadCount: 1 });
      const created = await nextChange(mine);
      expect(created).toMatchObject({ type: 'created', notificationId: sent.id });

      await a.feed.markRead('alice', sent.id);
      expect(await nextChange(watch)).toMatchObject({ type: 'stateChanged', notificationId: sent.id, unreadCount: 0 });
      await a.feed.delete('alice', sent.id);
      expect(await nextChange(watch)).toMatchObject({ type: 'deleted', notificationId: sent.id });
      // A's own watch hears its writes once, as their net change (read after both).
      expect(await nextChange(mine)).toMatchObject({ type: 'deleted', notificationId: sent.id });
      // A watch resumed in B from a cursor of A's watch: only what followed it.
      const resumed = b.feed.watch('alice', { since: created.cursor, pollIntervalMs: day });
      expect(await nextChange(resumed)).toMatchObject({ type: 'deleted', notificationId: sent.id });
      await resumed.return();
    } finally {
      await watch.return();
      await mine.return();
    }
  }, 120_000);

  it('wakes B\'s watches when A purges expired notifications', async () => {
    const prefix = `purge-${Math.random().toString(36).slice(2)}`;
    let now = Date.now();
    const clock = { now: () => now, setTimer: (callback: () => void, ms: number) => setTimeout(callback, ms).unref() as never, clearTimer: (timer: unknown) => clearTimeout(timer as never) };
    const a = createNotificationService({ store: await createRedisStore({ ...connection(), prefix }), clock, dispatcher: { autoStart: false } });
    const b = createNotificationService({ store: await createRedisStore({ ...connection(), prefix }), clock, dispatcher: { autoStart: false } });
    services.push(a, b);
    const soon = (await a.send({ ...request('soon'), expirationDateTime: new Date(now + 60_000).toISOString() }, { userId: 'bob' })).notification;
    const watch = b.feed.watch('bob', { pollIntervalMs: day });
    try {
      expect(await nextChange(watch)).toMatchObject({ type: 'created', notificationId: soon.id });
      const pending = nextChange(watch);
      now += 120_000;
      await a.purgeExpired();
      expect(await pending).toMatchObject({ type: 'deleted', notificationId: soon.id, unreadCount: 0 });
    } finally {
      await watch.return();
    }
  }, 120_000);
});

it('shows a send made by another Node process in a watch of this one', async () => {
  // The sender runs the built packages, as an app would.
  const tsc = createRequire(join(workspace, 'package.json')).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-b', join(packageDir, 'tsconfig.json')], { cwd: workspace, stdio: 'pipe' });
  const prefix = 'feed-process';
  const service = createNotificationService({ store: await createRedisStore({ url: server.url, prefix }), dispatcher: { autoStart: false } });
  services.push(service);
  const child = spawn(process.execPath, [join(packageDir, 'test', 'fixtures', 'feed-sender.mjs'), server.url, prefix], { cwd: packageDir, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const watch = service.feed.watch('carol', { pollIntervalMs: day });
  try {
    expect((await lines.next()).value).toBe('ready');
    for (const name of ['first', 'second', 'third']) {
      const pending = nextChange(watch);
      child.stdin.write(`carol ${name}\n`);
      const sent = (await lines.next()).value as string;
      const event = await pending;
      expect(`sent ${event.notificationId}`).toBe(sent);
      expect(event).toMatchObject({ type: 'created', notification: { appNotificationId: name } });
    }
  } finally {
    await watch.return();
    child.stdin.end();
    await new Promise((resolve) => child.once('exit', resolve));
  }
}, 120_000);

it('publishes announcements on the keyspace\'s feed channel as JSON naming the users', async () => {
  const prefix = 'feed-wire';
  const store = await createRedisStore({ url: server.url, prefix });
  const listener = new Redis(server.url);
  try {
    const messages: string[] = [];
    await listener.subscribe(`${prefix}:feed`);
    listener.on('message', (_channel: string, message: string) => messages.push(message));
    await store.feedChanged?.(['alice', 'bob']);
    await store.feedChanged?.(undefined);
    const deadline = Date.now() + boundMs;
    while (messages.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    const [named, any] = messages.map((message) => JSON.parse(message) as { from: string; users?: string[] });
    expect(named?.users).toEqual(['alice', 'bob']);
    expect(any).toEqual({ from: named?.from });
  } finally {
    listener.disconnect();
    await store.close();
  }
});
