// Measures the heap a memory store retains per stored notification.
//
//   pnpm --filter @herald/store-memory build   (or: npx tsc -b packages/store-memory)
//   node --expose-gc packages/store-memory/scripts/measure-memory.mjs [notifications] [deliveries each] [users]
//
// Each notification is the Graph reference's example body (parsed from JSON afresh, as a
// request would be), with its deliveries all delivered, so what is measured is what a
// long-running store keeps.
import { randomUUID } from 'node:crypto';
import { createMemoryStore } from '../dist/index.js';

const count = Number(process.argv[2] ?? 100_000);
const deliveriesEach = Number(process.argv[3] ?? 3);
const users = Number(process.argv[4] ?? 1_000);
if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');

const start = Date.parse('2030-01-01T00:00:00.000Z');
const body = JSON.stringify({
  targetHostName: 'graphnotifications.sample.windows.com',
  appNotificationId: 'testDirectToastNotification',
  expirationDateTime: new Date(start + 30 * 24 * 60 * 60 * 1000).toISOString(),
  payload: { visualContent: { title: 'Hello World!', body: 'Notifications are Great!' } },
  targetPolicy: { platformTypes: ['windows', 'ios', 'android'] },
  priority: 'High',
  groupName: 'TestGroup',
  displayTimeToLive: 60,
});

function heapUsed() {
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed;
}

const store = createMemoryStore();
const subscriptions = [];
for (let user = 0; user < users; user++) {
  for (const platformType of ['windows', 'ios', 'android'].slice(0, deliveriesEach)) {
    subscriptions.push(
      await store.createSubscription(
        { userId: `user-${user}`, targetHostName: 'graphnotifications.sample.windows.com', platformType, transport: 'webhook', address: `https://example.test/${user}/${platformType}`, expiresAt: start + 1e10 },
        start,
      ),
    );
  }
}

const before = heapUsed();
let now = start;
for (let index = 0; index < count; index++) {
  const user = index % users;
  const content = JSON.parse(body);
  content.appNotificationId = `notification-${index}`;
  const deliveries = subscriptions.slice(user * deliveriesEach, (user + 1) * deliveriesEach).map((subscription) => ({
    id: randomUUID(),
    subscriptionId: subscription.id,
    transport: subscription.transport,
    platformType: subscription.platformType,
    kind: 'notification',
    nextAttemptAt: now,
  }));
  await store.saveNotification({ notification: { ...content, id: randomUUID(), userId: `user-${user}` }, deliveries, now });
  now += 1;
}
for (;;) {
  const claims = await store.claimDeliveries({ owner: 'measure', now, leaseMs: 60_000, limit: 1_000 });
  if (claims.length === 0) break;
  for (const { delivery } of claims) {
    await store.completeDelivery({ userId: delivery.userId, deliveryId: delivery.id, token: delivery.lease.token }, { status: 'delivered' }, now);
  }
}
const after = heapUsed();
const perNotification = (after - before) / count;
console.log(
  `${count} notifications, ${deliveriesEach} delivered deliveries each, ${users} users: ` +
    `${((after - before) / 1024 / 1024).toFixed(1)} MiB retained, ${Math.round(perNotification)} bytes per notification`,
);
// Keep the store reachable until after the measurement.
if ((await store.countUnread('user-0', {}, now)) < 0) console.log('unreachable');
