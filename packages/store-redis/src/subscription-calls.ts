/**
 * The subscriptions (endpoints). The store mints their ids with the user's shard in them,
 * so a look-up by id alone (the Graph `X-UNS-ID` of a send) is one script on one shard.
 */
import { formatDateTime, newId } from '@herald/core/store';
import type { NotificationStore, StoredSubscription } from '@herald/core/store';
import { fieldsOf, subscriptionFrom } from './records.js';
import { scripts } from './scripts/index.js';
import { knownSubscriptions, type KnownSubscriptions } from './subscription-cache.js';
import type { StoreContext } from './store-context.js';

/** The calls of this module. */
export type SubscriptionCalls = Pick<
  NotificationStore,
  'createSubscription' | 'getSubscription' | 'listSubscriptions' | 'updateSubscription' | 'deleteSubscription'
>;

/** Reads `userId`'s subscriptions and their version from Redis, and caches them. */
export async function readSubscriptions({ link, keyspace, subscriptionCache }: StoreContext, userId: string): Promise<KnownSubscriptions> {
  const route = keyspace.user(userId);
  const known = knownSubscriptions(await link.run(scripts.listSubscriptions, route.key, [route.tag, userId]));
  subscriptionCache.set(userId, known);
  return known;
}

/** Builds the subscription calls over `context`. */
export function subscriptionCalls(context: StoreContext): SubscriptionCalls {
  const { link, keyspace, subscriptionCache } = context;
  return {
    async createSubscription(subscription, now) {
      const { id, route } = keyspace.mintSubscription(subscription.userId);
      const created = formatDateTime(now);
      const expiration = formatDateTime(subscription.expiresAt);
      await link.run(scripts.createSubscription, route.key, [
        route.tag,
        id,
        subscription.userId,
        subscription.targetHostName,
        subscription.platformType,
        subscription.transport,
        subscription.address,
        subscription.secret === undefined ? '0' : '1',
        subscription.secret ?? '',
        created,
        expiration,
        subscription.expiresAt,
        newId(),
      ]);
      subscriptionCache.forget(subscription.userId);
      const record: { -readonly [K in keyof StoredSubscription]: StoredSubscription[K] } = {
        id,
        userId: subscription.userId,
        targetHostName: subscription.targetHostName,
        platformType: subscription.platformType,
        transport: subscription.transport,
        address: subscription.address,
        createdDateTime: created,
        lastModifiedDateTime: created,
        expirationDateTime: expiration,
        status: 'active',
      };
      if (subscription.secret !== undefined) record.secret = subscription.secret;
      return record;
    },

    async getSubscription(subscriptionId) {
      const route = keyspace.subscription(subscriptionId);
      if (route === undefined) return undefined; // not an id this keyspace minted
      const reply = await link.run(scripts.getSubscription, route.key, [route.tag, subscriptionId]);
      return reply === null ? undefined : subscriptionFrom(fieldsOf(reply, 'a subscription'));
    },

    async listSubscriptions(userId) {
      // Fresh copies: the cached records are shared with every send of this instance.
      return (await readSubscriptions(context, userId)).subscriptions.map((subscription) => ({ ...subscription }));
    },

    async updateSubscription(subscriptionId, patch, now) {
      const route = keyspace.subscription(subscriptionId);
      if (route === undefined) return undefined;
      const reply = await link.run(scripts.updateSubscription, route.key, [
        route.tag,
        subscriptionId,
        formatDateTime(now),
        patch.expiresAt === undefined ? '0' : '1',
        patch.expiresAt ?? '',
        patch.expiresAt === undefined ? '' : formatDateTime(patch.expiresAt),
        patch.status ?? '',
        patch.statusReason === undefined ? 'keep' : patch.statusReason === null ? 'clear' : 'set',
        patch.statusReason ?? '',
        newId(),
      ]);
      if (reply === null) return undefined;
      const updated = subscriptionFrom(fieldsOf(reply, 'a subscription'));
      subscriptionCache.forget(updated.userId);
      return updated;
    },

    async deleteSubscription(subscriptionId, now) {
      const route = keyspace.subscription(subscriptionId);
      if (route === undefined) return false;
      // A cached list that still holds it is refused by the next save, which reads it anew.
      return (await link.run(scripts.deleteSubscription, route.key, [route.tag, subscriptionId, newId(), now])) === 1;
    },
  };
}
