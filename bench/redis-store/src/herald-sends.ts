/**
 * Herald's side of the send benchmark: `service.send` through a service on the Redis
 * store, each send storing the notification and one delivery per endpoint of the user
 * (three). The dispatcher is not started: this is the cost of a send, not of delivering.
 */
import { createNotificationService } from '@herald/core';
import type { NotificationService, NotificationStore, Transport } from '@herald/core';
import { createRedisStore } from '@herald/store-redis';
import type { Redis } from 'ioredis';
import { measuredRate, type SideFigures } from './cpu-meter.js';
import { platforms, referenceRequest, senders, userOf, users } from './reference.js';

/** A service on a fresh Redis store with `users` users of three endpoints each, and its store. */
export async function heraldService(url: string): Promise<{ service: NotificationService; store: NotificationStore }> {
  const noop: Transport = { name: 'noop', send: async () => undefined };
  const store = await createRedisStore({ url, prefix: 'bench' });
  const service = createNotificationService({ store, transports: [noop], dispatcher: { autoStart: false } });
  for (let user = 0; user < users; user += 1) {
    for (const platformType of platforms) {
      await service.subscriptions.create(userOf(user), { targetHostName: 'graphnotifications.sample.windows.com', platformType, transport: 'noop', address: `${platformType}-${user}` });
    }
  }
  return { service, store };
}

/** Sends `total` notifications with `senders` concurrent senders after `warmup` ones. */
export async function heraldSends(url: string, admin: Redis, total: number, warmup: number): Promise<SideFigures> {
  const { service, store } = await heraldService(url);
  try {
    const send = (tag: string) => async (index: number) => {
      const result = await service.send(referenceRequest(`${tag}-${index}`), { userId: userOf(index) });
      if (result.deliveries.length !== platforms.length) throw new Error(`a send made ${result.deliveries.length} deliveries, not ${platforms.length}`);
    };
    await measuredRate(admin, warmup, senders, send('warm'));
    return await measuredRate(admin, total, senders, send('n'));
  } finally {
    // Sends share one wake-up publish at a time; let the last one go out, or closing the
    // store under it reports each waiting send's wake-up as failed.
    await store.wake?.().catch(() => undefined);
    await service.close();
  }
}
