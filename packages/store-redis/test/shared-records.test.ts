/**
 * A claim hands the deliveries of one notification one shared record (and those of one
 * endpoint one subscription): a transport that tries to change what it is given must
 * change nothing another delivery sees, on Redis as on the memory store. A table of
 * changes a careless transport makes (the title, the raw content, the read state, the
 * target policy's list, the endpoint's address): each throws (the records are frozen),
 * and every delivery of the notification, in the same claim and in a retry's later
 * claim, is sent the notification as it was stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotificationService, type NotificationStore, type Transport } from '@herald/core';
import type { Endpoint, TransportMessage } from '@herald/core/transport';
import { createMemoryStore } from '@herald/store-memory';
import { createRedisStore } from '../src/index.js';
import { startRedisServer, type RedisServer } from './redis-server.js';

let server: RedisServer;
let runs = 0;

beforeAll(async () => {
  server = await startRedisServer();
});

afterAll(async () => {
  await server?.destroy();
});

/** Changes a transport might try on what it is handed. */
const changes: readonly { readonly what: string; readonly change: (message: TransportMessage, endpoint: Endpoint) => void }[] = [
  { what: 'the title', change: (message) => Object.assign(message.notification.payload.visualContent ?? {}, { title: 'changed' }) },
  { what: 'the raw content', change: (message) => Object.assign(message.notification.payload, { rawContent: 'changed' }) },
  { what: 'the read state', change: (message) => Object.assign(message.notification, { readState: 'read' }) },
  { what: "the target policy's platforms", change: (message) => (message.notification.targetPolicy?.platformTypes as string[] | undefined)?.push('webpush') },
  { what: "the endpoint's address", change: (_message, endpoint) => Object.assign(endpoint, { address: 'changed' }) },
];

describe.each([
  { on: 'Redis (one claim across shards)', open: (): Promise<NotificationStore> => createRedisStore({ url: server.url, prefix: `shared-${(runs += 1)}`, shards: 16 }) },
  { on: 'the memory store', open: async (): Promise<NotificationStore> => createMemoryStore() },
])('on $on', ({ open }) => {
  it.each(changes)('a transport that changes $what changes nothing another delivery is sent', async ({ change }) => {
    const seen: { title: string | undefined; raw: string | undefined; readState: string; platforms: string; address: string }[] = [];
    const refused: boolean[] = [];
    let resolveAll: () => void = () => undefined;
    const all = new Promise<void>((resolve) => {
      resolveAll = resolve;
    });
    const careless: Transport = {
      name: 'careless',
      async send(message, endpoint) {
        const { notification } = message;
        seen.push({ title: notification.payload.visualContent?.title, raw: notification.payload.rawContent, readState: notification.readState, platforms: JSON.stringify(notification.targetPolicy?.platformTypes), address: endpoint.address });
        try {
          change(message, endpoint);
          refused.push(false);
        } catch (error) {
          refused.push(error instanceof TypeError);
        }
        // The first attempt of each fails, so each is claimed again later, after the changes.
        if (seen.length >= 6) resolveAll();
        if (message.attempt === 1) throw new Error('try again');
      },
    };
    const service = createNotificationService({ store: await open(), transports: [careless], dispatcher: { retry: { maxAttempts: 3, delayMs: () => 0 } } });
    try {
      for (const platformType of ['windows', 'ios', 'android'] as const) {
        await service.subscriptions.create('alice', { targetHostName: 'app.example.com', platformType, transport: 'careless', address: `device-${platformType}` });
      }
      await service.send(
        { targetHostName: 'app.example.com', appNotificationId: 'shared', payload: { visualContent: { title: 'Hello', body: 'there' }, rawContent: 'raw' }, targetPolicy: { platformTypes: ['windows', 'ios', 'android'] } },
        { userId: 'alice' },
      );
      await all;
      expect(seen.length).toBeGreaterThanOrEqual(6);
      for (const sent of seen) {
        expect(sent, 'each delivery is sent the notification as stored').toMatchObject({ title: 'Hello', raw: 'raw', readState: 'unread', platforms: JSON.stringify(['windows', 'ios', 'android']) });
        expect(sent.address.startsWith('device-'), "the endpoint's address as stored").toBe(true);
      }
      expect(refused.every((threw) => threw), 'every change throws: the records are frozen').toBe(true);
    } finally {
      await service.close();
    }
  });
});
