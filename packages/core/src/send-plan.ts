/**
 * A send's delivery plan: the decision for every subscription of the recipient, the
 * deliveries those decisions make (with the contract's raw-to-visual fallbacks), and
 * the record of the decisions the deliveries cannot tell.
 */
import type { NotificationContent } from './contract/types.js';
import { newId } from './ids.js';
import type { StoredSubscription } from './records.js';
import { decideDeliveries, type DecisionTiming } from './preferences/decide.js';
import { recordDecisions } from './preferences/recorded-decisions.js';
import type { DeliveryPlan, NewDelivery } from './store/notification-write.js';

/** The plan a send hands its store: called inside the write with the recipient as it stands there. */
export function sendPlan(content: NotificationContent, timing: DecisionTiming): DeliveryPlan {
  const fallback = content.fallbackPolicy?.endpointFallback;
  return (recipient) => {
    const decisions = decideDeliveries(recipient, content, timing);
    const deliveries: NewDelivery[] = [];
    const { subscriptions } = recipient;
    // Literals of one shape, no spread of the endpoint into each: this runs per subscription of every send.
    for (let index = 0; index < subscriptions.length; index += 1) {
      const subscription = subscriptions[index] as StoredSubscription;
      const at = decisions[index]?.at;
      if (at === undefined) continue;
      const { id: subscriptionId, transport, platformType } = subscription;
      deliveries.push({ id: newId(), subscriptionId, transport, platformType, kind: 'notification', nextAttemptAt: at });
      if (fallback !== undefined && fallback.platformTypes.includes(platformType)) {
        deliveries.push({ id: newId(), subscriptionId, transport, platformType, kind: 'fallback', nextAttemptAt: at + fallback.fallbackDelayInSeconds * 1000 });
      }
    }
    const record = recordDecisions(decisions);
    return record === undefined ? { deliveries } : { deliveries, decisions: record };
  };
}
