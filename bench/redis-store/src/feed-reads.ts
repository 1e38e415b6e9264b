/**
 * Scenario 2: feed reads of a user with 100,000 notifications (every third one read):
 * the first page of 20 and the unread count, through the service (argument checks and
 * cursors included), one call at a time, p99 of many calls.
 */
import { createNotificationService } from '@herald/core';
import { createRedisStore } from '@herald/store-redis';
import { p99Result, timeCalls } from '@herald/bench-support';
import { rate } from '@herald/bench-support';
import { referenceRequest, senders } from './reference.js';
import type { BenchResult } from '@herald/bench-support';

/** Fills the feed, then times `calls` first pages and `calls` unread counts. */
export async function feedReads(url: string, notifications: number, calls: number): Promise<BenchResult[]> {
  const service = createNotificationService({ store: await createRedisStore({ url, prefix: 'bench-feed' }), dispatcher: { autoStart: false } });
  try {
    await rate(notifications, senders, async (index) => {
      const { notification } = await service.send(referenceRequest(`n-${index}`), { userId: 'alice' });
      if (index % 3 === 0) await service.feed.markRead('alice', notification.id);
    });
    const first = await service.feed.list('alice', { limit: 20 });
    if (first.items.length !== 20) throw new Error(`the first page held ${first.items.length} notifications, not 20`);
    const page = await timeCalls(() => service.feed.list('alice', { limit: 20 }), calls);
    const unread = await timeCalls(() => service.feed.unreadCount('alice'), calls);
    return [
      p99Result(`first feed page of 20 (Redis store), user with ${notifications.toLocaleString('en-US')} notifications, ${calls.toLocaleString('en-US')} sequential calls`, page, 2),
      p99Result(`unread count (Redis store), same user`, unread, 2),
    ];
  } finally {
    await service.close();
  }
}
