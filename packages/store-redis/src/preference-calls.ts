/**
 * Users' preferences and the delivery decisions kept with notifications. Preferences are
 * part of the recipient a send plans for: setting them changes the user's subscription
 * version, so every instance's cached recipient is refused at its next send and read again.
 */
import { newId } from '@herald/core/store';
import type { NotificationStore } from '@herald/core/store';
import { textOf } from './records.js';
import { scripts } from './scripts/index.js';
import { preferencesFrom } from './subscription-cache.js';
import type { StoreContext } from './store-context.js';

/** The calls of this module. */
export type PreferenceCalls = Pick<NotificationStore, 'getPreferences' | 'setPreferences' | 'getDeliveryDecisions'>;

/** Builds the preference calls over `context`. */
export function preferenceCalls(context: StoreContext): PreferenceCalls {
  const { link, keyspace, subscriptionCache } = context;
  return {
    async getPreferences(userId) {
      const route = keyspace.user(userId);
      return preferencesFrom(await link.run(scripts.getPreferences, route.key, [route.tag, userId]));
    },

    async setPreferences(userId, preferences) {
      const route = keyspace.user(userId);
      await link.run(scripts.setPreferences, route.key, [route.tag, userId, JSON.stringify(preferences), newId()]);
      subscriptionCache.forget(userId);
    },

    async getDeliveryDecisions(userId, notificationId) {
      const route = keyspace.user(userId);
      const stored = textOf(await link.run(scripts.getDeliveryDecisions, route.key, [route.tag, userId, notificationId]), 'delivery decisions');
      return stored === '' ? undefined : stored;
    },
  };
}
