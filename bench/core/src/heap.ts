/**
 * Heap retained per stored notification: the reference example, sent to users with 3
 * endpoints each, every delivery done (the delivery records stay: they are listable).
 * Again with users who opted out of one platform, so every notification keeps one
 * recorded decision (a skipped subscription) in place of a delivery: the difference is
 * what the record costs beside the delivery it replaces.
 */
import { createNotificationService, type NotificationPreferences, type Transport } from '@herald/core';
import { createMemoryStore } from '@herald/store-memory';
import { retainedHeap } from '@herald/bench-support';
import { referenceRequest } from './reference.js';
import type { BenchResult } from '@herald/bench-support';

async function retainedPerNotification(total: number, preferences: NotificationPreferences | undefined): Promise<number> {
  const noop: Transport = { name: 'noop', send: async () => undefined };
  const users = 1000;
  const service = createNotificationService({ store: createMemoryStore(), transports: [noop], dispatcher: { concurrency: 256 } });
  for (let u = 0; u < users; u += 1) {
    for (const platformType of ['windows', 'ios', 'android']) {
      await service.subscriptions.create(`user-${u}`, { targetHostName: 'graphnotifications.sample.windows.com', platformType, transport: 'noop', address: `${platformType}-${u}` });
    }
    if (preferences !== undefined) await service.preferences.set(`user-${u}`, preferences);
  }
  await service.drain();
  const before = retainedHeap();
  for (let i = 0; i < total; i += 1) {
    await service.send(referenceRequest(`n-${i}`), { userId: `user-${i % users}` });
    if (i % 1000 === 999) await service.drain();
  }
  await service.drain();
  const after = retainedHeap();
  // Keep the service reachable until after the measurement.
  await service.close();
  return (after - before) / total;
}

export async function heapPerNotification(total = 100_000): Promise<BenchResult[]> {
  const perNotification = await retainedPerNotification(total, undefined);
  const withDecision = await retainedPerNotification(total, { platforms: { android: 'optOut' } });
  return [
    {
      scenario: 'heap retained per notification (reference example, 3 deliveries done)',
      unit: 'bytes',
      herald: perNotification,
      anchor: null,
      anchorValue: null,
      ratio: perNotification,
      target: '< 1,536 bytes',
      higherIsBetter: false,
      met: perNotification < 1536,
    },
    {
      scenario: 'heap retained per notification with one recorded decision (android opted out: 2 deliveries done, 1 skipped subscription recorded)',
      unit: 'bytes',
      herald: withDecision,
      anchor: 'the same without preferences (3 deliveries)',
      anchorValue: perNotification,
      ratio: withDecision / perNotification,
      target: '< 1,536 bytes',
      higherIsBetter: false,
      met: withDecision < 1536,
    },
  ];
}
