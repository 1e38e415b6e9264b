/**
 * A send's delivery plan: the decision for every subscription of the recipient, the
 * deliveries those decisions make (with the contract's raw-to-visual fallbacks), and
 * the record of the decisions the deliveries cannot tell.
 */
import type { NotificationContent } from './contract/types.js';
import { newId } from './ids.js';
import { decideDeliveries, type DecisionTiming } from './preferences/decide.js';
import { recordDecisions } from './preferences/recorded-decisions.js';
import type { DeliveryPlan, NewDelivery } from './store/notification-write.js';

/** The plan a send hands its store: called inside the write with the recipient as it stands there. */
export function sendPlan(content: NotificationContent, timing: DecisionTiming): DeliveryPlan {
  const fallback = content.fallbackPolicy?.endpointFallback;
  return (recipient) => {
    const decisions = decideDeliveries(recipient, content, timing);
    const deliveries: NewDelivery[] = [];
    recipient.subscriptions.forEach((subscription, index) => {
      const decision = decisions[index];
      if (decision === undefined || decision.at === undefined) return;
      const endpoint = { subscriptionId: subscription.id, transport: subscription.transport, platformType: subscription.platformType };
      deliveries.push({ id: newId(), ...endpoint, kind: 'notification', nextAttemptAt: decision.at });
      if (fallback !== undefined && fallback.platformTypes.includes(subscription.platformType)) {
        deliveries.push({ id: newId(), ...endpoint, kind: 'fallback', nextAttemptAt: decision.at + fallback.fallbackDelayInSeconds * 1000 });
      }
    });
    const record = recordDecisions(decisions);
    return record === undefined ? { deliveries } : { deliveries, decisions: record };
  };
}
