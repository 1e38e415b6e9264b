/**
 * The quickstart: one user subscribes three endpoints (windows, ios, android), an app
 * server sends the reference page's example, and the notification is shown stored in
 * the user's feed and delivered to each endpoint.
 */
import { createNotificationService, type PlatformType } from '@herald/core';
import { createMemoryStore } from '@herald/store-memory';
import { createConsoleTransport } from '@herald/transport-console';
import { referenceRequest } from './reference-request.js';

const userId = 'graphnotify@contoso.com';
const platforms: PlatformType[] = ['windows', 'ios', 'android'];

/** Runs the quickstart, writing what happens to `out`. */
export async function runQuickstart(out: NodeJS.WritableStream = process.stdout): Promise<void> {
  const say = (line = ''): void => {
    out.write(`${line}\n`);
  };
  const service = createNotificationService({
    store: createMemoryStore(),
    transports: [createConsoleTransport({ stream: out })],
    // Started by hand below, so the output shows storing and delivering one after the other.
    dispatcher: { autoStart: false },
  });

  say(`1. ${userId} subscribes three endpoints of graphnotifications.sample.windows.com:`);
  for (const platformType of platforms) {
    const subscription = await service.subscriptions.create(userId, {
      targetHostName: 'graphnotifications.sample.windows.com',
      platformType,
      transport: 'console',
      address: `${platformType}-device-of-${userId}`,
    });
    say(`   ${platformType.padEnd(8)} X-UNS-ID ${subscription.id}`);
  }

  say();
  say('2. The app server sends the reference example (POST /me/notifications):');
  const result = await service.send(referenceRequest(Date.now()), { userId });
  say(`   ${result.created ? '201 Created' : '200 OK (updated)'}: notification ${result.notification.id}, ${result.deliveries.length} deliveries queued`);

  say();
  say('3. The dispatcher delivers it to every endpoint:');
  service.start();
  await service.drain();

  say();
  say(`4. ${userId}'s feed:`);
  const feed = await service.feed.list(userId);
  for (const notification of feed.items) {
    const { title, body } = notification.payload.visualContent ?? {};
    say(`   ${notification.id}  [${notification.readState}]  ${title ?? ''} — ${body ?? ''}  (group ${notification.groupName ?? '-'}, expires ${notification.expirationDateTime})`);
  }
  say(`   unread: ${await service.feed.unreadCount(userId)}`);

  say();
  say('5. Its deliveries:');
  for (const delivery of await service.deliveries.list(userId, result.notification.id)) {
    say(`   ${delivery.platformType.padEnd(8)} ${delivery.status} after ${delivery.attempts} attempt(s)  (delivery ${delivery.id})`);
  }

  await service.close();
}
