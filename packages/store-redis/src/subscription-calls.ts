/**
 * The subscriptions (endpoints). The store mints their ids with the user's shard in them,
 * so a look-up by id alone (the Graph `X-UNS-ID` of a send) is one script on one shard.
 */
import { formatDateTime } from '@herald/core';
import type { NotificationStore, StoredSubscription } from '@herald/core';
import { fieldsOf, listOf, subscriptionFrom, subscriptionFromRow } from './records.js';
import { scripts } from './scripts/index.js';
import type { StoreContext } from './store-context.js';

/** The calls of this module. */
export type SubscriptionCalls = Pick<
  NotificationStore,
  'createSubscription' | 'getSubscription' | 'listSubscriptions' | 'updateSubscription' | 'deleteSubscription'
>;

/** Builds the subscription calls over `context`. */
export function subscriptionCalls({ link, keyspace }: StoreContext): SubscriptionCalls {
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
      ]);
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
      const route = keyspace.user(userId);
      const reply = await link.run(scripts.listSubscriptions, route.key, [route.tag, userId]);
      return listOf(reply, 'listSubscriptions').map(subscriptionFromRow);
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
      ]);
      return reply === null ? undefined : subscriptionFrom(fieldsOf(reply, 'a subscription'));
    },

    async deleteSubscription(subscriptionId) {
      const route = keyspace.subscription(subscriptionId);
      if (route === undefined) return false;
      return (await link.run(scripts.deleteSubscription, route.key, [route.tag, subscriptionId])) === 1;
    },
  };
}
