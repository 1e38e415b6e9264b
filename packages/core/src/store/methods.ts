/**
 * The names of a store's methods, written once: the kit guards them, the service checks a
 * store has them, tracing wraps them. The compiler holds the list to the interface.
 */
import type { NotificationStore, StoreCapabilities } from './interface.js';

/** The methods every store has, in the interface's order (`onWake` and `wake` are optional). */
export const storeMethodNames = [
  'saveNotification', 'getNotification', 'listFeed', 'countUnread', 'updateNotificationState', 'deleteNotification',
  'deleteGroup', 'listChanges', 'createSubscription', 'getSubscription', 'listSubscriptions', 'updateSubscription',
  'deleteSubscription', 'getPreferences', 'setPreferences', 'getDeliveryDecisions', 'listDeliveries', 'getDelivery', 'listDeadDeliveries', 'retryDelivery', 'cancelDeliveries',
  'claimDeliveries', 'renewLease', 'completeDelivery', 'nextDueAt', 'purgeExpired', 'close',
] as const satisfies readonly (keyof NotificationStore)[];

/**
 * The optional methods, in pairs, and the capability that says a store has them: a
 * listener's registration (synchronous) and the call that reaches the other processes.
 */
export const optionalStoreMethods = {
  wakeups: { listen: 'onWake', call: 'wake' },
  feedWakeups: { listen: 'onFeedChange', call: 'feedChanged' },
} as const satisfies Partial<Record<keyof StoreCapabilities, { listen: keyof NotificationStore; call: keyof NotificationStore }>>;

/** A required method of the store interface. */
export type StoreMethodName = (typeof storeMethodNames)[number];

/** The interface's required methods; the assertion below fails to compile when the list misses one. */
type RequiredMethods = { [K in keyof NotificationStore]-?: undefined extends NotificationStore[K] ? never : NotificationStore[K] extends (...args: never[]) => unknown ? K : never }[keyof NotificationStore];
const everyMethodListed: [Exclude<RequiredMethods, StoreMethodName>] extends [never] ? true : Exclude<RequiredMethods, StoreMethodName> = true;
void everyMethodListed;
