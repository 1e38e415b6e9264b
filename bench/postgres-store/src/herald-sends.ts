/**
 * Herald's side of the send benchmark: `service.send` through a service on the PostgreSQL
 * store, each send storing the notification and one delivery per endpoint of the user
 * (three) in one transaction, with the wake-up its commit sends. The dispatcher is not
 * started: this is the cost of a send, not of delivering.
 */
import { createNotificationService } from '@herald/core';
import type { NotificationService, Transport } from '@herald/core';
import { createPostgresStore } from '@herald/store-postgres';
import { rate } from '@herald/bench-support';
import { app, connections, platforms, referenceRequest, senders, unmeasured, userOf, users, type Measured } from './reference.js';

/**
 * A service on the PostgreSQL store in `schema` (migrated) with a pool of its own of
 * `connections` connections (the store's own pool pipelines), its dispatcher not started.
 */
export async function heraldService(connectionString: string, schema: string): Promise<NotificationService> {
  const noop: Transport = { name: 'noop', send: async () => undefined };
  const store = await createPostgresStore({ connectionString, schema, migrate: true, maxConnections: connections });
  return createNotificationService({ store, transports: [noop], dispatcher: { autoStart: false } });
}

/** Sends `total` notifications with `senders` concurrent senders after `warmup` ones (the measured part run by `measured`); returns sends per second. */
export async function heraldSends(connectionString: string, schema: string, total: number, warmup: number, measured: Measured = unmeasured): Promise<number> {
  const service = await heraldService(connectionString, schema);
  try {
    for (let user = 0; user < users; user += 1) {
      for (const platformType of platforms) {
        await service.subscriptions.create(userOf(user), { targetHostName: app, platformType, transport: 'noop', address: `${platformType}-${user}` });
      }
    }
    const send = (tag: string) => async (index: number) => {
      const result = await service.send(referenceRequest(`${tag}-${index}`), { userId: userOf(index) });
      if (result.deliveries.length !== platforms.length) throw new Error(`a send made ${result.deliveries.length} deliveries, not ${platforms.length}`);
    };
    await rate(warmup, senders, send('warm'));
    return await measured(() => rate(total, senders, send('n')));
  } finally {
    await service.close();
  }
}
