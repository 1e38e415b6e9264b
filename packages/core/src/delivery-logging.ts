/**
 * What a service with a logger logs of its deliveries: each failed attempt (`warn`), each
 * delivery that dies (`error`), each endpoint deactivated because it is gone (`info`).
 * Written as listeners of the service's own events, so the dispatcher's path is the same
 * with a logger or without, and a service without a logger pays nothing for it.
 */
import type { ServiceEvents } from './emitter.js';
import type { Logger } from './logger.js';
import type { DeliveryRecord } from './records.js';

/** The fields every line about a delivery carries: its code and the ids to find it by. */
function deliveryFields(delivery: DeliveryRecord, code: string): Record<string, unknown> {
  return {
    code,
    deliveryId: delivery.id,
    notificationId: delivery.notificationId,
    subscriptionId: delivery.subscriptionId,
    transport: delivery.transport,
    attempts: delivery.attempts,
  };
}

/** Logs delivery outcomes and deactivations to `logger` (the dispatcher's child logger). */
export function logDeliveries(events: ServiceEvents, logger: Logger): void {
  events.on('delivery.failed', ({ delivery, error, nextAttemptAt }) => {
    logger.warn(
      { ...deliveryFields(delivery, error.code), nextAttemptAt: new Date(nextAttemptAt).toISOString() },
      `delivery attempt failed, will retry: ${error.message}`,
    );
  });
  events.on('delivery.dead', ({ delivery, error }) => {
    logger.error(deliveryFields(delivery, error.code), `delivery is dead: ${error.message}`);
  });
  events.on('subscription.deactivated', ({ subscription }) => {
    logger.info(
      { code: 'SUBSCRIPTION_DEACTIVATED', subscriptionId: subscription.id, transport: subscription.transport },
      `subscription deactivated: ${subscription.statusReason ?? 'no reason given'}`,
    );
  });
}
