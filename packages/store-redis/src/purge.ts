/**
 * The purge, shard by shard: each shard's script removes old tombstones, expired
 * notifications (up to what is left of `limit`) and expires subscriptions, and says when
 * it stopped before it was done. Idempotency keys need no purge: Redis expires them.
 */
import { formatDateTime, newId } from '@herald/core/store';
import type { PurgeRequest, PurgeResult, StoredSubscription } from '@herald/core/store';
import { fieldsOf, listOf, numberOf, subscriptionFrom } from './records.js';
import { scripts } from './scripts/index.js';
import type { StoreContext } from './store-context.js';

/** Most tombstones and subscriptions one shard's script handles per call, so no call blocks Redis for long. */
const purgeBatch = 1000;

/** See `NotificationStore.purgeExpired`. */
export async function purgeExpired({ link, keyspace }: StoreContext, { now, tombstonesBefore, limit }: PurgeRequest): Promise<PurgeResult> {
  let notifications = 0;
  let more = false;
  const subscriptions: StoredSubscription[] = [];
  const nowText = formatDateTime(now);
  // One shard after the other: each takes what the earlier ones left of the limit.
  for (const route of keyspace.everyShard()) {
    const reply = listOf(
      await link.run(scripts.purgeShard, route.key, [route.tag, now, nowText, tombstonesBefore, limit - notifications, purgeBatch, newId()]),
      'purgeExpired',
    );
    notifications += numberOf(reply[0], 'purged notifications');
    if (reply[1] === 1) more = true;
    for (const hash of listOf(reply[2], 'expired subscriptions')) subscriptions.push(subscriptionFrom(fieldsOf(hash, 'a subscription')));
  }
  return { notifications, subscriptions, more };
}
