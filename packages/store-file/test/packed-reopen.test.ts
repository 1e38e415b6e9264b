/**
 * A store whose snapshot spans several chunks (4 MiB each), most of its notifications'
 * deliveries finished (packed at the open), their subscription ids and error messages
 * shared strings first named in earlier chunks: reopened, it shows what it showed before;
 * changed after the open (a dead one retried, notifications deleted and purged, a
 * packed notification updated), compacted and reopened again, it shows what it showed
 * before that reopen.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { createFileStore, type FileStore } from '@herald/store-file';
import { sampleDeliveries, sampleNotification, sampleSubscription, sampleTime } from '@herald/testing';
import { dumpStore } from './random-workload.js';
import { freshDirectory, removeDirectory } from './temp-directory.js';

const directories: string[] = [];
afterEach(() => {
  for (const directory of directories.splice(0)) removeDirectory(directory);
});

const open = (directory: string): Promise<FileStore> => createFileStore({ directory, fsync: 'never', onWarning: () => undefined });
const users = ['ada', 'grace', 'linus', 'barbara', 'edsger'];

it('reads back packed deliveries of a snapshot of several chunks, and keeps changes made to them', { timeout: 300_000 }, async () => {
  const directory = freshDirectory();
  directories.push(directory);
  let store = await open(directory);
  let now = sampleTime;
  const subscriptions = new Map<string, string[]>();
  for (const userId of users) {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await store.createSubscription(sampleSubscription({ userId }, now), now)).id);
    subscriptions.set(userId, ids);
  }
  const body = 'x'.repeat(3000);
  const count = 3600;
  for (let i = 0; i < count; i++) {
    now += 1;
    const userId = users[i % users.length] as string;
    const targets = (subscriptions.get(userId) as string[]).map((id) => ({ id, transport: 'test', platformType: 'windows' as const }));
    await store.saveNotification({
      notification: sampleNotification({ userId, appNotificationId: `n${i}`, payload: { visualContent: { title: `t${i}`, body: `${body}${i}` } } }, now),
      deliveries: sampleDeliveries(targets, { nextAttemptAt: now }),
      now,
    });
    if (i % 50 === 49) {
      const claims = await store.claimDeliveries({ owner: 'w', now, leaseMs: 60_000, limit: 1000 });
      for (const [index, { delivery }] of claims.entries()) {
        const ref = { userId: delivery.userId, deliveryId: delivery.id, token: delivery.lease.token };
        // Most finish (packed at the open); a few stay open (read one by one) or failed with an error message named once per batch.
        if (index % 17 === 0) continue;
        const outcome = index % 5 === 0 ? { status: 'dead' as const, error: { code: 'GONE', message: `gone in batch ${i}` } } : index % 7 === 0 ? { status: 'failed' as const, nextAttemptAt: now + 10_000, error: { code: 'SLOW', message: `slow in batch ${i}` } } : { status: 'delivered' as const };
        await store.completeDelivery(ref, outcome, now);
      }
    }
  }
  await store.compact();
  const snapshots = readdirSync(directory).filter((name) => name.startsWith('snapshot-'));
  // Several 4 MiB chunks.
  expect(Math.max(...snapshots.map((name) => statSync(join(directory, name)).size))).toBeGreaterThan(9 * 1024 * 1024);
  const before = await dumpStore(store, users, now);
  await store.close();

  store = await open(directory);
  expect(await dumpStore(store, users, now), 'the reopened store shows what it showed').toEqual(before);

  // Changes to packed notifications after the open.
  const dead = await store.listDeadDeliveries(1000, undefined);
  expect(dead.items.length).toBeGreaterThan(50);
  now += 1;
  for (const delivery of dead.items.slice(-20)) await store.retryDelivery(delivery.userId, delivery.id, now);
  const feed = await store.listFeed('grace', { limit: 1000 }, now);
  for (const item of feed.items.slice(-30)) await store.deleteNotification('grace', item.id, now);
  // An update of a packed notification (same app id): its finished deliveries stay, new ones are added.
  const targets = (subscriptions.get('ada') as string[]).map((id) => ({ id, transport: 'test', platformType: 'windows' as const }));
  await store.saveNotification({ notification: sampleNotification({ userId: 'ada', appNotificationId: 'n0', payload: { visualContent: { title: 'updated' } } }, now), deliveries: sampleDeliveries(targets, { nextAttemptAt: now }), now });
  await store.deleteSubscription((subscriptions.get('linus') as string[])[0] as string, now);
  const changed = await dumpStore(store, users, now);
  await store.compact();
  expect(await dumpStore(store, users, now), 'compaction changes nothing shown').toEqual(changed);
  await store.close();

  store = await open(directory);
  expect(await dumpStore(store, users, now), 'reopened after the changes').toEqual(changed);
  await store.close();
});
