/**
 * Log records keep replaying as they ran when they were written: a subscription delete
 * logged before deletes ended the subscription's deliveries (no `now`) leaves them open
 * on replay, and one logged since (with `now`) ends them as it did live.
 */
import { describe, expect, it } from 'vitest';
import { cancelReasons } from '@herald/core/store';
import { MemoryState } from '@herald/store-memory/engine';
import { sampleDeliveries, sampleNotification, sampleSubscription, sampleTime } from '@herald/testing';
import { replayOperation, type LogOperation } from '../src/log-operation.js';

const now = sampleTime;

/** An engine with one subscription of alice and one pending delivery to it. */
function engineWithDelivery(): { state: MemoryState; subscriptionId: string; deliveryId: string } {
  const state = new MemoryState();
  const subscription = state.createSubscription('s-1', sampleSubscription({ userId: 'alice' }, now), now);
  const [delivery] = sampleDeliveries([subscription], { nextAttemptAt: now });
  state.saveNotification({ notification: sampleNotification({ userId: 'alice' }, now), deliveries: delivery === undefined ? [] : [delivery], now });
  return { state, subscriptionId: subscription.id, deliveryId: delivery?.id ?? '' };
}

describe('replaying a logged subscription delete', () => {
  const variants: [string, (subscriptionId: string) => LogOperation, unknown][] = [
    ['a record from before (no now): the delivery stays open', (subscriptionId) => ({ op: 'unsubscribe', subscriptionId }), { status: 'pending', nextAttemptAt: now }],
    [
      'a record with now: the delivery ends as it did live',
      (subscriptionId) => ({ op: 'unsubscribe', subscriptionId, now: now + 5 }),
      { status: 'cancelled', nextAttemptAt: null, lastError: { code: 'CANCELLED', message: cancelReasons.subscriptionDeleted, at: now + 5 } },
    ],
  ];
  for (const [name, record, expected] of variants) {
    it(name, () => {
      const { state, subscriptionId, deliveryId } = engineWithDelivery();
      // A record as the log holds it: JSON text, read back.
      replayOperation(state, JSON.parse(JSON.stringify(record(subscriptionId))) as LogOperation);
      expect(state.getSubscription(subscriptionId), 'the subscription is gone either way').toBeUndefined();
      expect(state.getDelivery('alice', deliveryId)).toMatchObject(expected as object);
    });
  }
});
