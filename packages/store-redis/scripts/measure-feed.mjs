// Measures the Redis store on a running redis-server: the first feed page and the unread
// count of a user with many notifications, Redis memory per notification, and the time
// of a send (a notification with three deliveries) and of a claim.
//
//   npx tsc -b packages/store-redis
//   node packages/store-redis/scripts/measure-feed.mjs [redis url] [notifications] [shards]
//
// It writes under the prefix `measure-feed` and deletes those keys when done (FLUSHALL is
// not used, so a shared Redis keeps its other data).
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createRedisStore } from '../dist/index.js';

const url = process.argv[2] ?? 'redis://127.0.0.1:6379';
const count = Number(process.argv[3] ?? 100_000);
const shards = Number(process.argv[4] ?? 16);
const prefix = 'measure-feed';
const admin = new Redis(url);
const store = await createRedisStore({ url, prefix, shards });
const start = Date.parse('2030-01-01T00:00:00.000Z');
const userId = 'heavy-user';

async function deleteKeys() {
  const deleting = [];
  for await (const keys of admin.scanStream({ match: `*${prefix}*`, count: 1000 })) if (keys.length > 0) deleting.push(admin.unlink(...keys));
  await Promise.all(deleting);
}

function notification(index, user = userId) {
  return {
    id: randomUUID(),
    userId: user,
    targetHostName: 'graphnotifications.sample.windows.com',
    appNotificationId: `n-${index}`,
    expirationDateTime: new Date(start + 30 * 24 * 60 * 60 * 1000).toISOString(),
    payload: { visualContent: { title: 'Hello World!', body: 'Notifications are Great!' } },
    targetPolicy: { platformTypes: ['windows', 'ios', 'android'] },
    priority: 'High',
    groupName: index % 10 === 0 ? 'TestGroup' : 'Other',
    displayTimeToLive: 60,
  };
}

function percentiles(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))].toFixed(3);
  return `p50 ${at(50)} ms, p99 ${at(99)} ms, max ${sorted[sorted.length - 1].toFixed(3)} ms`;
}

async function timed(times, call) {
  const samples = [];
  for (let index = 0; index < times; index += 1) {
    const began = performance.now();
    await call(index);
    samples.push(performance.now() - began);
  }
  return samples;
}

await deleteKeys();
const memoryBefore = Number(/used_memory:(\d+)/.exec(await admin.info('memory'))[1]);
const writeStarted = performance.now();
for (let index = 0; index < count; index += 500) {
  await Promise.all(
    Array.from({ length: Math.min(500, count - index) }, (_, offset) =>
      store.saveNotification({ notification: notification(index + offset), deliveries: [], now: start + index + offset }),
    ),
  );
}
const memoryAfter = Number(/used_memory:(\d+)/.exec(await admin.info('memory'))[1]);
console.log(`wrote ${count} notifications for one user in ${((performance.now() - writeStarted) / 1000).toFixed(1)} s; Redis memory ${((memoryAfter - memoryBefore) / count).toFixed(0)} bytes per notification (no deliveries)`);

const now = start + count + 1;
await timed(200, () => store.listFeed(userId, { limit: 20 }, now)); // warm up
console.log(`first feed page (20) at ${count}:        ${percentiles(await timed(2000, () => store.listFeed(userId, { limit: 20 }, now)))}`);
console.log(`first unread page (20):              ${percentiles(await timed(2000, () => store.listFeed(userId, { limit: 20, unread: true }, now)))}`);
console.log(`first page of a group (20):          ${percentiles(await timed(2000, () => store.listFeed(userId, { limit: 20, groupName: 'TestGroup' }, now)))}`);
console.log(`unread count:                        ${percentiles(await timed(2000, () => store.countUnread(userId, {}, now)))}`);

const sendSamples = await timed(2000, (index) =>
  store.saveNotification({
    notification: notification(index, `user-${index % 100}`),
    deliveries: ['windows', 'ios', 'android'].map((platformType) => ({ id: randomUUID(), subscriptionId: randomUUID(), transport: 'push', platformType, kind: 'notification', nextAttemptAt: now })),
    now,
  }),
);
console.log(`send (save + 3 deliveries), serial:  ${percentiles(sendSamples)}`);
console.log(`claim of 1 (${shards} shards), serial:      ${percentiles(await timed(2000, () => store.claimDeliveries({ owner: 'measure', now, leaseMs: 60_000, limit: 1 })))}`);
console.log(`nextDueAt (${shards} shards):               ${percentiles(await timed(2000, () => store.nextDueAt()))}`);

await store.close();
await deleteKeys();
await admin.quit();
