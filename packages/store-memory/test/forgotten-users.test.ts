/**
 * Memory is bounded by live data: a user with nothing left (no notification, no
 * tombstone within retention, no subscription, no idempotency key) costs nothing, and
 * the store-wide indexes keep no stale node once what they index is gone. Forgetting a
 * user never lets an old change cursor read a later change as its own.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HeraldError } from '@herald/core';
import type { DeliveryOutcome } from '@herald/core/store';
import { captureImage, MemoryState, stateRestorer } from '../src/engine/index.js';
import { day, newDelivery, newSubscription, notificationWrite, t0 } from './fixtures.js';

const nothingHeld = { users: 0, feeds: 0, notifications: 0, dueNodes: 0, tombstoneNodes: 0, writeOrderEntries: 0, subscriptionExpiryNodes: 0 };

/** Purges everything expired by `now`, tombstones deleted before `now` included, however many calls it takes. */
function purgeAll(engine: MemoryState, now: number): void {
  while (engine.purgeExpired({ now, tombstonesBefore: now, limit: 50 }).more);
}

const step = fc.oneof(
  fc.record({ kind: fc.constant('send' as const), user: fc.nat(40), app: fc.nat(3), group: fc.nat(2), lifeMs: fc.integer({ min: 1, max: 10 * day }), deliveries: fc.nat(3), key: fc.option(fc.nat(3), { nil: undefined }) }),
  fc.record({ kind: fc.constant('subscribe' as const), user: fc.nat(40), lifeMs: fc.integer({ min: 1, max: 10 * day }) }),
  fc.record({ kind: fc.constant('unsubscribe' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('deactivate' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('claim' as const), limit: fc.integer({ min: 1, max: 10 }), outcome: fc.constantFrom('delivered', 'failed', 'dead', 'held') }),
  fc.record({ kind: fc.constant('delete' as const), user: fc.nat(40), group: fc.boolean() }),
  fc.record({ kind: fc.constant('cancel' as const), user: fc.nat(40) }),
  fc.record({ kind: fc.constant('state' as const), user: fc.nat(40) }),
  fc.record({ kind: fc.constant('purge' as const), tombstones: fc.boolean() }),
  fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 1, max: 2 * day }) }),
);

describe('forgotten users', () => {
  it('holds nothing once every notification, subscription and key expired or went and the purge ran (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 120 }), fc.constantFrom({}, { maxNotificationsPerUser: 3 }, { maxNotifications: 20 }), (steps, bounds) => {
        const engine = new MemoryState(bounds);
        let now = t0;
        let ids = 0;
        const subscriptions: string[] = [];
        for (const s of steps) {
          now += 1;
          switch (s.kind) {
            case 'send': {
              const userId = `user-${s.user}`;
              const deliveries = Array.from({ length: s.deliveries }, () => newDelivery({ id: `d-${(ids += 1)}`, nextAttemptAt: now + (ids % 3) * 1_000 }));
              const write = notificationWrite(userId, `a${s.app}`, {
                now,
                id: `n-${(ids += 1)}`,
                deliveries,
                content: { groupName: `g${s.group}`, expirationDateTime: new Date(now + s.lifeMs).toISOString() },
                ...(s.key === undefined ? {} : { idempotency: { key: `k${s.key}`, fingerprint: 'f', expiresAt: now + s.lifeMs } }),
              });
              engine.saveNotification(write);
              break;
            }
            case 'subscribe':
              subscriptions.push(engine.createSubscription(`s-${(ids += 1)}`, newSubscription(`user-${s.user}`, { expiresAt: now + s.lifeMs }), now).id);
              break;
            case 'unsubscribe':
              if (subscriptions.length > 0) engine.deleteSubscription(subscriptions.splice(s.pick % subscriptions.length, 1)[0] as string, now);
              break;
            case 'deactivate':
              if (subscriptions.length > 0) engine.updateSubscription(subscriptions[s.pick % subscriptions.length] as string, { status: 'inactive', statusReason: 'gone' }, now);
              break;
            case 'claim': {
              const claims = engine.claimDeliveries({ owner: 'w', now, leaseMs: 60_000, limit: s.limit }, Array.from({ length: s.limit }, () => `t-${(ids += 1)}`));
              if (s.outcome === 'held') break;
              const outcome: DeliveryOutcome =
                s.outcome === 'failed' ? { status: 'failed', nextAttemptAt: now + 5_000, error: { code: 'X', message: 'busy' } } : s.outcome === 'dead' ? { status: 'dead', error: { code: 'X', message: 'no' } } : { status: 'delivered' };
              for (const { delivery } of claims) engine.completeDelivery({ userId: delivery.userId, deliveryId: delivery.id, token: delivery.lease.token }, outcome, now);
              break;
            }
            case 'delete': {
              const userId = `user-${s.user}`;
              const first = engine.listFeed(userId, { limit: 1 }, now).items[0];
              if (s.group) engine.deleteGroup(userId, 'g0', undefined, now);
              else if (first !== undefined) engine.deleteNotification(userId, first.id, now);
              break;
            }
            case 'cancel': {
              const first = engine.listFeed(`user-${s.user}`, { limit: 1 }, now).items[0];
              if (first !== undefined) engine.cancelDeliveries(first.userId, first.id, 'no longer wanted', now);
              break;
            }
            case 'state': {
              const first = engine.listFeed(`user-${s.user}`, { limit: 1 }, now).items[0];
              if (first !== undefined) engine.updateNotificationState(first.userId, first.id, { readState: 'read' }, now);
              break;
            }
            case 'purge':
              engine.purgeExpired({ now, tombstonesBefore: s.tombstones ? now : 0, limit: 10 });
              break;
            case 'wait':
              now += s.ms;
              break;
          }
        }
        for (const id of subscriptions) engine.deleteSubscription(id, now);
        const end = now + 11 * day;
        purgeAll(engine, end); // the notifications go, leaving tombstones
        purgeAll(engine, end + 1); // their tombstones go, and with the last one each user
        expect(engine.diagnostics()).toEqual(nothingHeld);
        expect(engine.nextDueAt()).toBeUndefined();
      }),
      { numRuns: 150 },
    );
  });

  it('keeps a forgotten user’s old cursors refused, and goes on from their sequence when they come back', () => {
    const engine = new MemoryState();
    const expiry = new Date(t0 + day).toISOString();
    for (let n = 0; n < 3; n += 1) engine.saveNotification(notificationWrite('ada', `a${n}`, { now: t0 + n, content: { expirationDateTime: expiry } }));
    const caughtUp = engine.listChanges('ada', 0, 100, t0 + 10).cursor; // 3
    const behind = caughtUp - 1;
    purgeAll(engine, t0 + day);
    const afterPurge = engine.listChanges('ada', caughtUp, 100, t0 + day).cursor; // the deletions: 6
    purgeAll(engine, t0 + day + 1);
    expect(engine.diagnostics().users, 'ada is forgotten').toBe(0);

    const back = engine.saveNotification(notificationWrite('ada', 'again', { now: t0 + 2 * day }));
    expect(back.notification.sequence, 'her sequence goes on past the one she had').toBe(afterPurge + 1);
    const expired = (since: number): string | undefined => {
      try {
        engine.listChanges('ada', since, 100, t0 + 2 * day);
        return undefined;
      } catch (error) {
        return (error as HeraldError).code;
      }
    };
    expect(expired(behind), 'a cursor from before whose deletions were purged is refused').toBe('CURSOR_EXPIRED');
    expect(expired(caughtUp), 'so is one that missed the purged deletions').toBe('CURSOR_EXPIRED');
    expect(engine.listChanges('ada', afterPurge, 100, t0 + 2 * day).changes.map((change) => change.notificationId), 'a cursor that saw everything reads on').toEqual([back.notification.id]);
    expect(engine.listChanges('bob', 0, 100, t0 + 2 * day).cursor, 'a user never seen still starts at 0').toBe(0);
  });

  it('carries the retired sequence through a state image', () => {
    const engine = new MemoryState();
    engine.saveNotification(notificationWrite('ada', 'a', { now: t0, content: { expirationDateTime: new Date(t0 + 1).toISOString() } }));
    purgeAll(engine, t0 + 1);
    purgeAll(engine, t0 + 2);
    const image = captureImage(engine);
    expect(image.users, 'a forgotten user is not in the image').toEqual([]);
    expect(image.retiredSequence).toBe(2);
    const restorer = stateRestorer();
    restorer.retiredSequence(image.retiredSequence);
    const restored = restorer.finish(image.deadLetterSerial);
    expect(restored.logicalState()).toEqual(engine.logicalState());
    const next = restored.saveNotification(notificationWrite('ada', 'b', { now: t0 + 3 }));
    expect(next.notification.sequence, 'a restored engine goes on from the retired sequence').toBe(3);
  });

  it('forgets an empty user an older image still lists, keeping their sequence retired', () => {
    const restorer = stateRestorer();
    restorer.user('ada', 7, 7);
    const restored = restorer.finish(0);
    expect(restored.diagnostics().users).toBe(0);
    expect(restored.saveNotification(notificationWrite('ada', 'b', { now: t0 })).notification.sequence).toBe(8);
  });
});
