/** The outbox reads and operator actions: list, get, the dead list, retry and cancel. */
import type { NotificationStore } from '@herald/core/store';
import { listDeadDeliveries } from './dead-letters.js';
import { deliveryFrom, fieldsOf, listOf, numberOf } from './records.js';
import { scripts } from './scripts/index.js';
import type { StoreContext } from './store-context.js';

/** The calls of this module. */
export type DeliveryCalls = Pick<NotificationStore, 'listDeliveries' | 'getDelivery' | 'listDeadDeliveries' | 'retryDelivery' | 'cancelDeliveries'>;

/** Builds the outbox calls over `context`. */
export function deliveryCalls(context: StoreContext): DeliveryCalls {
  const { link, keyspace } = context;
  return {
    async listDeliveries(userId, notificationId) {
      const route = keyspace.user(userId);
      const reply = await link.run(scripts.listDeliveries, route.key, [route.tag, userId, notificationId]);
      return listOf(reply, 'listDeliveries').map((hash) => deliveryFrom(fieldsOf(hash, 'a delivery')));
    },

    async getDelivery(userId, deliveryId) {
      const route = keyspace.user(userId);
      const reply = await link.run(scripts.getDelivery, route.key, [route.tag, userId, deliveryId]);
      return reply === null ? undefined : deliveryFrom(fieldsOf(reply, 'a delivery'));
    },

    listDeadDeliveries: (limit, after) => listDeadDeliveries(context, limit, after),

    async retryDelivery(userId, deliveryId, now) {
      const route = keyspace.user(userId);
      const reply = await link.run(scripts.retryDelivery, route.key, [route.tag, userId, deliveryId, now]);
      return reply === null ? undefined : deliveryFrom(fieldsOf(reply, 'a delivery'));
    },

    async cancelDeliveries(userId, notificationId, reason, now) {
      const route = keyspace.user(userId);
      return numberOf(await link.run(scripts.cancelDeliveries, route.key, [route.tag, userId, notificationId, reason, now]), 'cancelDeliveries');
    },
  };
}
