/**
 * The delivery transitions, as tables: every status × every outcome, every status × each
 * way a change ends a delivery, every status × a retry, and the lease rules. Expected
 * records are written out here, not computed by the module under test.
 */
import { describe, expect, it } from 'vitest';
import {
  applyOutcome,
  cancellation,
  cancelReasons,
  claimableAt,
  deliveryEndCodes,
  deliveryStatuses,
  holdsLease,
  inactiveSubscriptionReason,
  newLease,
  renewedLease,
  stateAfterEnd,
  stateAfterRetry,
  supersededDeliveryError,
  withState,
  type DeliveryOutcome,
  type DeliveryRecord,
  type DeliveryStatus,
} from '@herald/core/store';

const created = 1_000;
const before = 2_000;
const now = 5_000;
const lease = { owner: 'worker-1', token: 'token-1', expiresAt: 6_000 };
const earlierError = { code: 'TRANSPORT_RETRYABLE', message: 'busy', at: before };

/** A delivery of each status as a store keeps it: open ones leased, with an earlier error. */
function deliveryIn(status: DeliveryStatus): DeliveryRecord {
  const base = {
    id: 'd1',
    userId: 'alice',
    notificationId: 'n1',
    subscriptionId: 's1',
    transport: 'webhook',
    platformType: 'windows',
    kind: 'notification',
    createdAt: created,
    updatedAt: before,
  } as const;
  switch (status) {
    case 'pending':
      return { ...base, status, attempts: 0, nextAttemptAt: before, lease };
    case 'failed':
      return { ...base, status, attempts: 2, nextAttemptAt: before, lastError: earlierError, lease };
    case 'delivered':
      return { ...base, status, attempts: 3, nextAttemptAt: null, deliveredAt: before, lastError: earlierError };
    case 'dead':
      return { ...base, status, attempts: 4, nextAttemptAt: null, lastError: { code: 'GONE', message: 'gone', at: before } };
    case 'expired':
    case 'cancelled':
      return { ...base, status, attempts: 1, nextAttemptAt: null, lastError: earlierError };
  }
}

const outcomes: Record<DeliveryOutcome['status'], DeliveryOutcome> = {
  delivered: { status: 'delivered' },
  failed: { status: 'failed', nextAttemptAt: 9_000, error: { code: 'TRANSPORT_RETRYABLE', message: 'try later' } },
  dead: { status: 'dead', error: { code: 'TRANSPORT_PERMANENT', message: 'refused' } },
  expired: { status: 'expired' },
  cancelled: { status: 'cancelled', reason: cancelReasons.subscriptionDeleted },
};

/** What each outcome leaves of an open delivery with `attempts` made and `lastError` met. */
function expectedAfter(outcome: DeliveryOutcome['status'], attempts: number, lastError: DeliveryRecord['lastError']): Partial<DeliveryRecord> {
  const kept = lastError === undefined ? {} : { lastError };
  switch (outcome) {
    case 'delivered':
      return { status: 'delivered', attempts: attempts + 1, nextAttemptAt: null, updatedAt: now, deliveredAt: now, ...kept };
    case 'failed':
      return { status: 'failed', attempts: attempts + 1, nextAttemptAt: 9_000, updatedAt: now, lastError: { code: 'TRANSPORT_RETRYABLE', message: 'try later', at: now } };
    case 'dead':
      return { status: 'dead', attempts: attempts + 1, nextAttemptAt: null, updatedAt: now, lastError: { code: 'TRANSPORT_PERMANENT', message: 'refused', at: now } };
    case 'expired':
      return { status: 'expired', attempts, nextAttemptAt: null, updatedAt: now, ...kept };
    case 'cancelled':
      return { status: 'cancelled', attempts, nextAttemptAt: null, updatedAt: now, lastError: { code: 'CANCELLED', message: 'the subscription was deleted', at: now } };
  }
}

const identity = { id: 'd1', userId: 'alice', notificationId: 'n1', subscriptionId: 's1', transport: 'webhook', platformType: 'windows', kind: 'notification', createdAt: created };
const openStatuses = ['pending', 'failed'] as const;
const finishedStatuses = deliveryStatuses.filter((status) => status !== 'pending' && status !== 'failed');

describe('applyOutcome: every status × every outcome', () => {
  for (const status of deliveryStatuses) {
    for (const [name, outcome] of Object.entries(outcomes) as [DeliveryOutcome['status'], DeliveryOutcome][]) {
      const delivery = deliveryIn(status);
      if (status === 'pending' || status === 'failed') {
        it(`a ${status} delivery completed as ${name}`, () => {
          const next = applyOutcome(delivery, outcome, now);
          // Exactly these fields: the lease is released, nothing else is added.
          expect(next).toStrictEqual({ ...identity, ...expectedAfter(name, delivery.attempts, delivery.lastError) });
          expect(delivery, 'the input is left as it was').toStrictEqual(deliveryIn(status));
        });
      } else {
        it(`a ${status} delivery takes no ${name} outcome`, () => {
          expect(() => applyOutcome(delivery, outcome, now)).toThrow(TypeError);
          expect(() => applyOutcome(delivery, outcome, now)).toThrow(`a ${status} delivery takes no outcome`);
        });
      }
    }
  }
});

describe('stateAfterEnd: every status × each way a change ends a delivery', () => {
  const ends = [
    ['a cancel', cancellation('user cancelled'), { code: 'CANCELLED', message: 'user cancelled', at: now }],
    ['a superseding update', supersededDeliveryError, { code: 'SUPERSEDED', message: 'superseded by an update', at: now }],
  ] as const;
  for (const [change, error, lastError] of ends) {
    for (const status of openStatuses) {
      it(`${change} ends a leased ${status} delivery as cancelled, its attempts kept, its lease gone`, () => {
        const delivery = deliveryIn(status);
        expect(withState(delivery, stateAfterEnd(delivery, error, now))).toStrictEqual({
          ...identity,
          status: 'cancelled',
          attempts: delivery.attempts,
          nextAttemptAt: null,
          updatedAt: now,
          lastError,
        });
      });
    }
    for (const status of finishedStatuses) {
      it(`${change} leaves a ${status} delivery as it was`, () => {
        const delivery = deliveryIn(status);
        expect(stateAfterEnd(delivery, error, now)).toBe(delivery);
      });
    }
  }
});

describe('stateAfterRetry: every status', () => {
  for (const status of deliveryStatuses) {
    const delivery = deliveryIn(status);
    if (status === 'dead') {
      it('a retry makes a dead delivery pending, due now, attempts reset, its last error kept', () => {
        expect(withState(delivery, stateAfterRetry(delivery, now))).toStrictEqual({
          ...identity,
          status: 'pending',
          attempts: 0,
          nextAttemptAt: now,
          updatedAt: now,
          lastError: { code: 'GONE', message: 'gone', at: before },
        });
      });
    } else {
      it(`a retry leaves a ${status} delivery as it was`, () => {
        expect(stateAfterRetry(delivery, now)).toBe(delivery);
      });
    }
  }
});

describe('the lease rules', () => {
  it('only the token of an open delivery holds its lease, expired or not', () => {
    const table: [DeliveryStatus, string, boolean][] = [
      ['pending', 'token-1', true],
      ['failed', 'token-1', true],
      ['pending', 'token-2', false],
      ...finishedStatuses.map((status): [DeliveryStatus, string, boolean] => [status, 'token-1', false]),
    ];
    for (const [status, token, holds] of table) {
      const delivery = { ...deliveryIn(status), lease };
      expect(holdsLease(delivery, token), `${status} with ${token}`).toBe(holds);
      expect(holdsLease({ ...delivery, lease: { ...lease, expiresAt: 0 } }, token), `${status} with ${token}, lease expired`).toBe(holds);
    }
    expect(holdsLease({ ...deliveryIn('pending'), lease: undefined }, 'token-1'), 'no lease, no holder').toBe(false);
  });

  it('an open delivery is claimable when due or when its lease runs out, whichever is later; a finished one never', () => {
    const pending = deliveryIn('pending');
    expect(claimableAt({ ...pending, lease: undefined })).toBe(before);
    expect(claimableAt(pending)).toBe(lease.expiresAt);
    expect(claimableAt({ ...pending, nextAttemptAt: 7_000 })).toBe(7_000);
    for (const status of finishedStatuses) expect(claimableAt(deliveryIn(status)), status).toBeUndefined();
  });

  it('a claim leases for leaseMs from now; a renewal keeps owner and token', () => {
    expect(newLease('worker-2', 'token-2', now, 30_000)).toStrictEqual({ owner: 'worker-2', token: 'token-2', expiresAt: 35_000 });
    expect(renewedLease(lease, now, 30_000)).toStrictEqual({ owner: 'worker-1', token: 'token-1', expiresAt: 35_000 });
  });
});

describe('the constants', () => {
  it('name the codes and reasons the outbox records', () => {
    expect(deliveryEndCodes).toStrictEqual({ cancelled: 'CANCELLED', superseded: 'SUPERSEDED' });
    expect(supersededDeliveryError).toStrictEqual({ code: 'SUPERSEDED', message: 'superseded by an update' });
    expect(Object.isFrozen(cancelReasons) && Object.isFrozen(deliveryEndCodes) && Object.isFrozen(supersededDeliveryError)).toBe(true);
    expect(inactiveSubscriptionReason(undefined)).toBe('the subscription is inactive');
    expect(inactiveSubscriptionReason('expired')).toBe('the subscription is inactive (expired)');
  });
});
