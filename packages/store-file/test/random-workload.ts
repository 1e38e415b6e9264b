/**
 * A seeded random mix of every store operation, and a dump of everything a store shows
 * through its interface: two stores with equal dumps are equal to any caller.
 */
import type { DeliveryRecord, NotificationStore } from '@herald/core';
import type { DeliveryOutcome } from '@herald/core/store';
import { sampleDeliveries, sampleNotification, sampleSubscription, sampleTime, seededRandom } from '@herald/testing';

/** The users a workload writes for. */
export const workloadUsers = ['ada', 'grace', 'linus', 'barbara'];

/** What a workload remembers to pick its next steps from. */
interface WorkloadMemory {
  now: number;
  notificationIds: Map<string, string[]>;
  subscriptions: { id: string; userId: string }[];
  claimed: { userId: string; deliveryId: string; token: string }[];
}

/** Runs `steps` random operations against `store`, starting at `sampleTime`; returns the time reached. */
export async function runWorkload(store: NotificationStore, seed: number, steps: number, between?: (step: number) => Promise<void>): Promise<number> {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T | undefined => items[Math.floor(random() * items.length)];
  const memory: WorkloadMemory = { now: sampleTime, notificationIds: new Map(), subscriptions: [], claimed: [] };
  for (let step = 0; step < steps; step++) {
    memory.now += Math.floor(random() * 1_000);
    const { now } = memory;
    const userId = pick(workloadUsers) as string;
    const ids = memory.notificationIds.get(userId) ?? [];
    memory.notificationIds.set(userId, ids);
    const roll = random();
    if (roll < 0.3) {
      const mine = memory.subscriptions.filter((subscription) => subscription.userId === userId).slice(0, 2);
      const lifetime = random() < 0.2 ? 60_000 : 86_400_000;
      const notification = sampleNotification(
        {
          userId,
          appNotificationId: `n${Math.floor(random() * 40)}`,
          groupName: pick(['g1', 'g2']) as string,
          expirationDateTime: new Date(now + lifetime).toISOString(),
          payload: { visualContent: { title: `title ${step}`, body: random() < 0.5 ? 'same body' : `body ${step} ✓` } },
        },
        now,
      );
      const deliveries = sampleDeliveries(mine.length > 0 ? mine.map((subscription) => ({ id: subscription.id, transport: 'test', platformType: 'windows' as const })) : 2, {
        nextAttemptAt: now + (random() < 0.2 ? 30_000 : 0),
      });
      const idempotency = random() < 0.3 ? { key: `k${Math.floor(random() * 5)}`, fingerprint: `f${step}`, expiresAt: now + 60_000 } : undefined;
      const result = await store.saveNotification(idempotency === undefined ? { notification, deliveries, now } : { notification, deliveries, idempotency, now });
      if (!ids.includes(result.notification.id)) ids.push(result.notification.id);
    } else if (roll < 0.38) {
      const id = pick(ids);
      if (id !== undefined) await store.updateNotificationState(userId, id, { readState: pick(['read', 'unread'] as const), userActionState: pick(['activated', 'dismissed', 'noInteraction'] as const) }, now);
    } else if (roll < 0.42) {
      const id = pick(ids);
      if (id !== undefined) await store.deleteNotification(userId, id, now);
    } else if (roll < 0.44) {
      await store.deleteGroup(userId, pick(['g1', 'g2']) as string, random() < 0.5 ? undefined : 'graphnotifications.sample.windows.com', now);
    } else if (roll < 0.5) {
      const created = await store.createSubscription(sampleSubscription({ userId, expiresAt: now + (random() < 0.3 ? 40_000 : 86_400_000) }, now), now);
      memory.subscriptions.push({ id: created.id, userId });
    } else if (roll < 0.53) {
      const subscription = pick(memory.subscriptions);
      if (subscription !== undefined) {
        await store.updateSubscription(subscription.id, random() < 0.5 ? { status: 'inactive', statusReason: 'paused' } : { expiresAt: now + 100_000, status: 'active', statusReason: null }, now);
      }
    } else if (roll < 0.55) {
      const subscription = pick(memory.subscriptions);
      if (subscription !== undefined) await store.deleteSubscription(subscription.id, now);
    } else if (roll < 0.7) {
      const claims = await store.claimDeliveries({ owner: pick(['a', 'b']) as string, now, leaseMs: 60_000, limit: 1 + Math.floor(random() * 4) });
      for (const { delivery } of claims) memory.claimed.push({ userId: delivery.userId, deliveryId: delivery.id, token: delivery.lease.token });
    } else if (roll < 0.85) {
      const index = Math.floor(random() * memory.claimed.length);
      const ref = memory.claimed[index];
      if (ref !== undefined) {
        memory.claimed.splice(index, 1);
        const outcomes: DeliveryOutcome[] = [
          { status: 'delivered' },
          { status: 'failed', nextAttemptAt: now + 5_000, error: { code: 'TRANSPORT_RETRYABLE', message: 'try again' } },
          { status: 'dead', error: { code: 'TRANSPORT_PERMANENT', message: 'no' } },
          { status: 'expired' },
          { status: 'cancelled', reason: 'endpoint removed' },
        ];
        await store.completeDelivery(ref, pick(outcomes) as DeliveryOutcome, now);
      }
    } else if (roll < 0.88) {
      const ref = pick(memory.claimed);
      if (ref !== undefined) await store.renewLease(ref, now, 60_000);
    } else if (roll < 0.92) {
      const dead = await store.listDeadDeliveries(10, undefined);
      const delivery = pick(dead.items);
      if (delivery !== undefined) await store.retryDelivery(delivery.userId, delivery.id, now);
    } else if (roll < 0.95) {
      const id = pick(ids);
      if (id !== undefined) await store.cancelDeliveries(userId, id, 'changed my mind', now);
    } else {
      await store.purgeExpired({ now, tombstonesBefore: now - 120_000, limit: 1 + Math.floor(random() * 3) });
    }
    await between?.(step);
  }
  return memory.now;
}

function withoutLease(delivery: DeliveryRecord): Omit<DeliveryRecord, 'lease'> {
  const { lease: _lease, ...rest } = delivery;
  return rest;
}

async function settled<T>(call: () => Promise<T>): Promise<T | { error: string }> {
  try {
    return await call();
  } catch (error) {
    return { error: (error as { code?: string }).code ?? String(error) };
  }
}

/**
 * Everything `store` shows for `users` at `now`, with leases left out (a restart drops
 * them by design) unless `withLeases`.
 */
export async function dumpStore(store: NotificationStore, users: readonly string[], now: number, withLeases = false): Promise<unknown> {
  const dump: Record<string, unknown> = {};
  const deliveries = (list: readonly DeliveryRecord[]): unknown => (withLeases ? list : list.map(withoutLease));
  for (const userId of users) {
    const feed = await store.listFeed(userId, { limit: 1000 }, now);
    const changes = await store.listChanges(userId, 0, 10_000, now);
    const notifications: Record<string, unknown> = {};
    const since1 = (await settled(() => store.listChanges(userId, 1, 10_000, now))) as { changes?: { notificationId: string }[] };
    for (const change of since1.changes ?? []) {
      notifications[change.notificationId] = deliveries(await store.listDeliveries(userId, change.notificationId));
    }
    for (const item of feed.items) notifications[item.id] = deliveries(await store.listDeliveries(userId, item.id));
    dump[userId] = {
      feed,
      unread: await store.countUnread(userId, {}, now),
      unreadG1: await store.countUnread(userId, { groupName: 'g1' }, now),
      changes,
      changesSince1: await settled(() => store.listChanges(userId, 1, 10_000, now)),
      changesSince5: await settled(() => store.listChanges(userId, 5, 10_000, now)),
      subscriptions: await store.listSubscriptions(userId),
      notifications,
    };
  }
  const dead: unknown[] = [];
  let after: string | undefined;
  do {
    const page = await store.listDeadDeliveries(3, after);
    dead.push(page);
    after = page.next;
  } while (after !== undefined);
  dump.dead = dead;
  if (withLeases) dump.nextDueAt = await store.nextDueAt();
  return dump;
}
