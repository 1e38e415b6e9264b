/**
 * Heap kept per purged user: one send each to many new users (the reference example, an
 * idempotency key, one delivery done), then time passes beyond the notifications' expiry,
 * the idempotency keys' lifetime and the change feed's retention, and the service purges.
 * A user with nothing left should cost nothing; what stays is divided by the users.
 */
import { createNotificationService, type Transport } from '@herald/core';
import { createMemoryStore } from '@herald/store-memory';
import { createFakeClock } from '@herald/testing';
import { retainedHeap } from '@herald/bench-support';
import type { BenchResult } from '@herald/bench-support';
import { referenceRequest } from './reference.js';

const minute = 60_000;

export async function heapPerPurgedUser(users = 50_000): Promise<BenchResult[]> {
  const noop: Transport = { name: 'noop', send: async () => undefined };
  const clock = createFakeClock();
  const service = createNotificationService({
    store: createMemoryStore(),
    transports: [noop],
    clock,
    dispatcher: { concurrency: 256 },
    changeRetentionMs: minute,
    idempotencyKeyTtlMs: minute,
  });
  // A first round of the same size first: what it leaves is the process's own warm-up
  // (optimized code, structures grown to their high-water mark), not per-user data.
  await round(service, clock, 'warm-up', users);
  const before = retainedHeap();
  await round(service, clock, 'user', users);
  const after = retainedHeap();
  const perUser = (after - before) / users;
  await service.close(); // keeps the service reachable until after the measurement
  return [
    {
      scenario: `heap kept per purged user (${users.toLocaleString('en')} users, one send each, expired and purged)`,
      unit: 'bytes',
      herald: perUser,
      anchor: null,
      anchorValue: null,
      ratio: perUser,
      target: '< 100 bytes',
      higherIsBetter: false,
      met: perUser < 100,
    },
  ];
}

/** Subscribes `count` new users, sends each one notification, delivers it, then lets it all expire and purges. */
async function round(service: ReturnType<typeof createNotificationService>, clock: ReturnType<typeof createFakeClock>, prefix: string, count: number): Promise<void> {
  const expirationDateTime = new Date(clock.now() + 10 * minute).toISOString();
  const subscriptions: string[] = [];
  for (let u = 0; u < count; u += 1) {
    const userId = `${prefix}-${u}`;
    const subscription = await service.subscriptions.create(userId, { targetHostName: 'graphnotifications.sample.windows.com', platformType: 'windows', transport: 'noop', address: `windows-${u}` });
    subscriptions.push(subscription.id);
    await service.send({ ...referenceRequest(`n-${u}`), expirationDateTime }, { userId }, { idempotencyKey: `key-${u}` });
    if (u % 1000 === 999) await service.drain();
  }
  await service.drain();
  for (const id of subscriptions) await service.subscriptions.delete(id);
  await clock.advance(11 * minute); // the notifications and keys expired
  await service.purgeExpired();
  await clock.advance(2 * minute); // the purge's tombstones left the retention
  await service.purgeExpired();
}
