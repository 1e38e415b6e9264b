/**
 * Cross-device sync, the service's side: when a notification's read or action state
 * changes, the user's other endpoints that carry sync messages get a `sync` delivery,
 * planned by the store inside the change's own write (so no change is stored without its
 * syncs) and never sent back to the endpoint that made the change (the `origin`).
 */
import { checkId, checkOptions } from './arguments.js';
import type { ServiceContext } from './context.js';
import { reachesEndpoint } from './endpoint-match.js';
import { newId } from './ids.js';
import type { NewDelivery } from './store/interface.js';
import type { SyncPlan } from './store/sync-plan.js';

/** Options of a state change (`feed.update`, `feed.markRead`, …). */
export interface StateChangeOptions {
  /**
   * The subscription (the Graph `X-UNS-ID`) of the endpoint that made the change: it is
   * not sent a sync of it. Without it, every endpoint of the user that received the
   * notification and carries sync messages is told.
   */
  readonly origin?: string;
}

const stateChangeOptionNames = ['origin'] as const satisfies ReadonlyArray<keyof StateChangeOptions>;

/** Checks a state change's options: `origin` is a subscription id when given. */
export function checkStateChangeOptions(options: unknown): StateChangeOptions {
  const value = checkOptions(options, 'the options', stateChangeOptionNames);
  return value['origin'] === undefined ? {} : { origin: checkId(value['origin'], 'origin') };
}

/** A plan with the number of deliveries it last returned, to know whether to wake the dispatcher. */
interface CountedSyncPlan {
  readonly plan: SyncPlan;
  /**
   * How many sync deliveries the calls planned in all (before the store's coalescing): a
   * group deletion calls the plan once per notification, a store that retries its write
   * more than once, so this may count more than were made (a spare wake-up costs a read).
   */
  readonly planned: () => number;
}

/**
 * The sync plan of a state change made at `now`, or `undefined` when the store makes no
 * sync deliveries (`capabilities.sync` false) or no registered transport carries them.
 * The endpoints told: live, reached by the notification (same app, targeted platform),
 * on a transport with `sendSync`, and not the origin.
 */
export function syncPlanOf(context: ServiceContext, options: StateChangeOptions, now: number): CountedSyncPlan | undefined {
  const { store, transports } = context;
  if (store.capabilities.sync !== true) return undefined;
  let carried = false;
  for (const transport of transports.values()) carried ||= transport.sendSync !== undefined;
  if (!carried) return undefined;
  let planned = 0;
  const plan: SyncPlan = (subscriptions, notification) => {
    const deliveries: NewDelivery[] = [];
    for (const subscription of subscriptions) {
      if (subscription.id === options.origin || transports.get(subscription.transport)?.sendSync === undefined) continue;
      if (!reachesEndpoint(subscription, notification, now)) continue;
      const { id: subscriptionId, transport, platformType } = subscription;
      deliveries.push({ id: newId(), subscriptionId, transport, platformType, kind: 'sync', nextAttemptAt: now });
    }
    planned += deliveries.length;
    return deliveries;
  };
  return { plan, planned: () => planned };
}
