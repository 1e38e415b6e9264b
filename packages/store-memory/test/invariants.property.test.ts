/**
 * Random sequences of operations, checked after every step against brute force:
 * the unread count equals a count over the whole feed, paging never repeats or skips
 * an item, and a claim never returns a delivery whose lease is still running.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '@herald/store-memory';
import type { NotificationStore, StoredNotification } from '@herald/core';
import type { ClaimedDelivery, DeliveryOutcome } from '@herald/core/store';
import { newDelivery, notificationWrite, t0 } from './fixtures.js';

const users = ['alice', 'bob', 'carol'] as const;
const groups = ['g0', 'g1', 'g2'] as const;

const operation = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('save' as const),
      user: fc.constantFrom(...users),
      app: fc.integer({ min: 0, max: 6 }),
      group: fc.option(fc.constantFrom(...groups), { nil: undefined }),
      expiresIn: fc.constantFrom(50, 500, 100_000),
      deliveries: fc.array(fc.integer({ min: 0, max: 30 }).map((steps) => steps * 10), { maxLength: 3 }),
      idempotencyKey: fc.option(fc.constantFrom('k1', 'k2'), { nil: undefined }),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('state' as const), user: fc.constantFrom(...users), pick: fc.nat(), read: fc.boolean(), action: fc.constantFrom('noInteraction', 'activated', 'dismissed', 'snoozed') }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), user: fc.constantFrom(...users), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deleteGroup' as const), user: fc.constantFrom(...users), group: fc.constantFrom(...groups) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('claim' as const), limit: fc.integer({ min: 1, max: 4 }), leaseMs: fc.constantFrom(0, 30, 200) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('complete' as const), pick: fc.nat(), outcome: fc.constantFrom('delivered', 'failed', 'dead', 'expired', 'cancelled') }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('renew' as const), pick: fc.nat(), leaseMs: fc.constantFrom(10, 100) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('purge' as const), limit: fc.integer({ min: 1, max: 3 }) }) },
  // Waits in steps of 10 ms often land exactly on an expiry or a lease's end: the edges.
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 1, max: 12 }).map((steps) => steps * 10) }) },
);

type Operation = typeof operation extends fc.Arbitrary<infer T> ? T : never;

/** A lease the test was handed, as far as the test knows it. */
interface KnownLease {
  readonly userId: string;
  readonly deliveryId: string;
  readonly token: string;
  expiresAt: number;
}

async function wholeFeed(store: NotificationStore, userId: string, now: number): Promise<StoredNotification[]> {
  return (await store.listFeed(userId, { limit: 1000 }, now)).items as StoredNotification[];
}

async function checkInvariants(store: NotificationStore, now: number, pageSize: number): Promise<void> {
  for (const userId of users) {
    const feed = await wholeFeed(store, userId, now);
    const ids = feed.map((item) => item.id);
    expect(new Set(ids).size).toBe(ids.length);

    // The unread count is a brute-force count over the feed, with and without filters.
    expect(await store.countUnread(userId, {}, now)).toBe(feed.filter((item) => item.readState === 'unread').length);
    for (const groupName of groups) {
      const brute = feed.filter((item) => item.readState === 'unread' && item.groupName === groupName).length;
      expect(await store.countUnread(userId, { groupName }, now)).toBe(brute);
    }

    // Paging visits every item exactly once, in the same order as one big page.
    const paged: string[] = [];
    let before: number | undefined;
    for (let guard = 0; guard < 1000; guard++) {
      const page = await store.listFeed(userId, before === undefined ? { limit: pageSize } : { limit: pageSize, before }, now);
      paged.push(...page.items.map((item) => item.id));
      if (page.next === undefined) break;
      expect(page.items).toHaveLength(pageSize);
      before = page.next;
    }
    expect(paged).toEqual(ids);

    // Same for the unread filter.
    const unreadIds = feed.filter((item) => item.readState === 'unread').map((item) => item.id);
    const pagedUnread: string[] = [];
    before = undefined;
    for (let guard = 0; guard < 1000; guard++) {
      const query = before === undefined ? { limit: pageSize, unread: true } : { limit: pageSize, unread: true, before };
      const page = await store.listFeed(userId, query, now);
      pagedUnread.push(...page.items.map((item) => item.id));
      if (page.next === undefined) break;
      before = page.next;
    }
    expect(pagedUnread).toEqual(unreadIds);

    // A full sync of the change feed holds exactly the live notifications.
    const sync = await store.listChanges(userId, 0, 1000, now);
    expect(sync.changes.map((change) => change.notificationId).sort()).toEqual([...ids].sort());
  }
}

async function run(store: NotificationStore, operations: readonly Operation[], pageSize: number): Promise<void> {
  let now = t0;
  let serial = 0;
  const leases: KnownLease[] = [];
  const liveLeases = new Map<string, KnownLease>(); // by delivery id: the test's view of who holds what

  const recordClaims = (claims: readonly ClaimedDelivery[], now: number): void => {
    for (const claim of claims) {
      const held = liveLeases.get(claim.delivery.id);
      // Never a delivery whose lease still runs.
      expect(held === undefined || held.expiresAt <= now).toBe(true);
      expect(['pending', 'failed']).toContain(claim.delivery.status);
      expect(claim.delivery.nextAttemptAt).toBeLessThanOrEqual(now);
      const { userId, id: deliveryId, lease } = claim.delivery;
      const known: KnownLease = { userId, deliveryId, token: lease.token, expiresAt: lease.expiresAt };
      leases.push(known);
      liveLeases.set(deliveryId, known);
    }
  };

  for (const op of operations) {
    switch (op.kind) {
      case 'save': {
        const deliveries = op.deliveries.map((delay) => newDelivery({ nextAttemptAt: now + delay }));
        await store.saveNotification(
          notificationWrite(op.user, `app-${op.app}`, {
            id: `n-${++serial}`,
            now,
            deliveries,
            content: { groupName: op.group, expirationDateTime: new Date(now + op.expiresIn).toISOString() },
            ...(op.idempotencyKey === undefined ? {} : { idempotency: { key: op.idempotencyKey, fingerprint: 'f', expiresAt: now + 300 } }),
          }),
        );
        break;
      }
      case 'state': {
        const feed = await wholeFeed(store, op.user, now);
        const target = feed[op.pick % Math.max(1, feed.length)];
        if (target === undefined) break;
        await store.updateNotificationState(
          op.user,
          target.id,
          { readState: op.read ? 'read' : 'unread', userActionState: op.action as 'activated' },
          now,
        );
        break;
      }
      case 'delete': {
        const feed = await wholeFeed(store, op.user, now);
        const target = feed[op.pick % Math.max(1, feed.length)];
        if (target !== undefined) expect(await store.deleteNotification(op.user, target.id, now)).toBe(true);
        break;
      }
      case 'deleteGroup':
        await store.deleteGroup(op.user, op.group, undefined, now);
        break;
      case 'claim': {
        const claims = await store.claimDeliveries({ owner: 'w', now, leaseMs: op.leaseMs, limit: op.limit });
        expect(claims.length).toBeLessThanOrEqual(op.limit);
        recordClaims(claims, now);
        break;
      }
      case 'complete': {
        const lease = leases[op.pick % Math.max(1, leases.length)];
        if (lease === undefined) break;
        const outcome: DeliveryOutcome =
          op.outcome === 'failed'
            ? { status: 'failed', nextAttemptAt: now + 40, error: { code: 'E', message: 'e' } }
            : op.outcome === 'dead'
              ? { status: 'dead', error: { code: 'E', message: 'e' } }
              : op.outcome === 'cancelled'
                ? { status: 'cancelled', reason: 'r' }
                : { status: op.outcome as 'delivered' | 'expired' };
        const current = liveLeases.get(lease.deliveryId) === lease;
        const done = await store.completeDelivery(lease, outcome, now);
        // Only the latest token can complete; a completed one cannot twice.
        if (!current) expect(done).toBe(false);
        if (done) liveLeases.delete(lease.deliveryId);
        if (done && op.outcome === 'failed') {
          expect(await store.getDelivery(lease.userId, lease.deliveryId)).toMatchObject({ status: 'failed', nextAttemptAt: now + 40 });
        }
        break;
      }
      case 'renew': {
        const lease = leases[op.pick % Math.max(1, leases.length)];
        if (lease === undefined) break;
        if (await store.renewLease(lease, now, op.leaseMs)) {
          expect(liveLeases.get(lease.deliveryId)).toBe(lease);
          lease.expiresAt = now + op.leaseMs;
        }
        break;
      }
      case 'purge':
        await store.purgeExpired({ now, tombstonesBefore: now - 200, limit: op.limit });
        break;
      case 'wait':
        now += op.ms;
        break;
    }
    await checkInvariants(store, now, pageSize);
    const next = await store.nextDueAt();
    if (next !== undefined && next <= now) {
      // Something is due now, so a claim must find it.
      // A zero-length lease runs out at once, so the probe takes nothing away from the run.
      const claimable = await store.claimDeliveries({ owner: 'probe', now, leaseMs: 0, limit: 1 });
      expect(claimable).toHaveLength(1);
      recordClaims(claimable, now);
    }
  }
}

describe('random sequences of operations', () => {
  it('keep the feed, the unread count and the claims consistent', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 4 }), async (operations, pageSize) => {
        await run(createMemoryStore(), operations, pageSize);
      }),
      { numRuns: 150 },
    );
  });

  it('keep them consistent under tight bounds too', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 4 }), async (operations, pageSize) => {
        await run(createMemoryStore({ maxNotificationsPerUser: 3, maxNotifications: 5 }), operations, pageSize);
      }),
      { numRuns: 100 },
    );
  });
});
