/**
 * Herald's side of the delivery benchmark in one process, for profiling and counting:
 * `node --cpu-prof --import tsx src/profile-deliveries.ts [notifications]` queues the
 * notifications' deliveries (three each), then one service's dispatcher (concurrency 64)
 * completes them all; it prints Node CPU per delivery and the script calls per delivery by
 * script, counted on the client the store is given.
 */
import { createNotificationService } from '@herald/core';
import type { Transport } from '@herald/core';
import { createRedisStore } from '@herald/store-redis';
import { Redis } from 'ioredis';
import { rate } from '@herald/bench-support';
import { heraldService } from './herald-sends.js';
import { platforms, referenceRequest, senders, userOf } from './reference.js';
// The redis-server helper of the Redis store's tests: free loopback port, no persistence.
import { startRedisServer } from '../../../packages/store-redis/test/redis-server.js';

const notifications = Number(process.argv[2] ?? 10_000);
const redis = await startRedisServer();
const admin = new Redis(redis.url);
try {
  const queued = await heraldService(redis.url);
  await rate(notifications, senders, (index) => queued.service.send(referenceRequest(`d-${index}`), { userId: userOf(index) }));
  await queued.service.close();

  const client = new Redis(redis.url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
  await client.connect();
  const shas = new Map<string, number>();
  const evalsha = client.evalsha.bind(client) as (...args: unknown[]) => Promise<unknown>;
  (client as unknown as { evalsha: (...args: unknown[]) => Promise<unknown> }).evalsha = (...args: unknown[]) => {
    shas.set(String(args[0]), (shas.get(String(args[0])) ?? 0) + 1);
    return evalsha(...args);
  };
  const noop: Transport = { name: 'noop', send: async () => undefined };
  const store = await createRedisStore({ client, prefix: 'bench' });
  const service = createNotificationService({ store, transports: [noop], dispatcher: { autoStart: false, concurrency: 64 } });
  const total = notifications * platforms.length;
  let completed = 0;
  const done = new Promise<void>((resolve) => {
    service.on('delivery.succeeded', () => {
      completed += 1;
      if (completed === total) resolve();
    });
  });
  const before = process.cpuUsage();
  const started = performance.now();
  service.start();
  await done;
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(before);
  await service.close();
  client.disconnect();
  const { scripts } = await import('../../../packages/store-redis/src/scripts/index.js');
  const names = new Map(Object.values(scripts).map((script) => [script.sha, script.name]));
  process.stdout.write(`${Math.round(total / seconds)} deliveries/s, Node ${((cpu.user + cpu.system) / total).toFixed(1)} µs CPU per delivery\n`);
  for (const [sha, count] of [...shas].sort((a, b) => b[1] - a[1])) process.stdout.write(`  ${names.get(sha) ?? sha}: ${(count / total).toFixed(3)} calls per delivery\n`);
} finally {
  admin.disconnect();
  await redis.destroy();
}
