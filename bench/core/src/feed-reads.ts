/**
 * Feed reads for a user with 100,000 notifications: the first page and the unread count,
 * through the service (argument checks and cursors included), p99 of many calls.
 */
import { createNotificationService } from '@herald/core';
import { createMemoryStore } from '@herald/store-memory';
import { p99Result, timeCalls } from '@herald/bench-support';
import { referenceRequest } from './reference.js';
import type { BenchResult } from '@herald/bench-support';

export async function feedReads(notifications = 100_000): Promise<BenchResult[]> {
  const service = createNotificationService({ store: createMemoryStore(), dispatcher: { autoStart: false } });
  for (let i = 0; i < notifications; i += 1) {
    const { notification } = await service.send(referenceRequest(`n-${i}`), { userId: 'alice' });
    if (i % 3 === 0) await service.feed.markRead('alice', notification.id);
  }
  const page = await timeCalls(() => service.feed.list('alice', { limit: 20 }), 20_000);
  const unread = await timeCalls(() => service.feed.unreadCount('alice'), 20_000);
  const unreadPage = await timeCalls(() => service.feed.list('alice', { limit: 20, unread: true }), 20_000);
  await service.close();
  return [
    p99Result(`first feed page of 20, user with ${notifications.toLocaleString('en-US')} notifications`, page, 0.5),
    p99Result(`first unread page of 20, same user`, unreadPage, 0.5),
    p99Result(`unread count, same user`, unread, 0.5),
  ];
}
