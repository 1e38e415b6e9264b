/**
 * The steps the store groups repeat: send a notification, read a feed, claim and finish
 * deliveries. Each checks what the step itself promises, so a group's test reads as
 * the scenario it sets up and the rule it checks.
 */
import { expect } from 'vitest';
import type { DeliveryRecord, NotificationStore, StoredNotification } from '@herald/core';
import type { SaveResult } from '@herald/core/store';
import type { ClaimedDelivery, DeliveryOutcome, FeedQuery, IdempotencyRecord, LeaseRef, NewDelivery, NewNotification } from '@herald/core/store';
import { sampleDeliveries, sampleNotification, sampleTime } from '../fixtures.js';

/** The base time of every scenario. */
export const t0: number = sampleTime;
/** One user. */
export const alice = 'alice';
/** Another user, who must never see the first one's data. */
export const bob = 'bob';
/** The dispatcher instance that claims in the scenarios. */
export const owner = 'dispatcher-a';
/** A second dispatcher instance. */
export const otherOwner = 'dispatcher-b';
/** The lease length of the scenarios: one minute. */
export const leaseMs = 60_000;

/** What {@link send} writes. */
export interface SendStep {
  /** The user; {@link alice} by default. */
  readonly userId?: string;
  /** The app's id of the notification. */
  readonly appNotificationId?: string;
  /** Other fields of the notification (`undefined` removes one). */
  readonly content?: Partial<NewNotification>;
  /** The deliveries: a number of them due at `now`, or the list itself. None by default. */
  readonly deliveries?: number | readonly NewDelivery[];
  /** An idempotency record. */
  readonly idempotency?: IdempotencyRecord;
  /** The time of the write; {@link t0} by default. */
  readonly now?: number;
}

/** Saves a sample notification for a user and returns what the store answered. */
export async function send(store: NotificationStore, step: SendStep = {}): Promise<SaveResult> {
  const now = step.now ?? t0;
  const notification = sampleNotification(
    {
      userId: step.userId ?? alice,
      ...(step.appNotificationId === undefined ? {} : { appNotificationId: step.appNotificationId }),
      ...step.content,
    },
    now,
  );
  const deliveries = typeof step.deliveries === 'number' ? sampleDeliveries(step.deliveries, { nextAttemptAt: now }) : (step.deliveries ?? []);
  return store.saveNotification({
    notification,
    deliveries,
    ...(step.idempotency === undefined ? {} : { idempotency: step.idempotency }),
    now,
  });
}

/** Saves notifications with the app ids `n1`, `n2`, … one millisecond apart from `now`, oldest first. */
export async function sendMany(store: NotificationStore, count: number, step: Omit<SendStep, 'appNotificationId'> = {}): Promise<StoredNotification[]> {
  const saved: StoredNotification[] = [];
  const start = step.now ?? t0;
  for (let index = 0; index < count; index += 1) {
    const result = await send(store, { ...step, appNotificationId: `n${index + 1}`, now: start + index });
    saved.push(result.notification);
  }
  return saved;
}

/** The user's current change sequence, read through the change feed. */
export async function currentSequence(store: NotificationStore, userId: string, now: number): Promise<number> {
  let page = await store.listChanges(userId, 0, 1000, now);
  while (page.hasMore) page = await store.listChanges(userId, page.cursor, 1000, now);
  return page.cursor;
}

/** The ids of one feed page. */
export async function feedIds(store: NotificationStore, userId: string, now: number, query: Partial<FeedQuery> = {}): Promise<string[]> {
  const page = await store.listFeed(userId, { limit: 1000, ...query }, now);
  return page.items.map((item) => item.id);
}

/** Claims up to `limit` deliveries for {@link owner}. */
export async function claim(store: NotificationStore, now: number, limit = 100, options: { owner?: string; leaseMs?: number } = {}): Promise<readonly ClaimedDelivery[]> {
  return store.claimDeliveries({ owner: options.owner ?? owner, now, leaseMs: options.leaseMs ?? leaseMs, limit });
}

/**
 * Claims and expects exactly the deliveries `ids` (the scenario made only them claimable);
 * returns the claims in the order of `ids`.
 */
export async function claimExactly(
  store: NotificationStore,
  ids: readonly string[],
  now: number,
  options: { owner?: string; leaseMs?: number } = {},
): Promise<ClaimedDelivery[]> {
  const claims = await claim(store, now, 100, options);
  expect(
    claims.map((claimed) => claimed.delivery.id).sort(),
    'claimDeliveries must return exactly the claimable deliveries: open (pending or failed), nextAttemptAt <= now, and no live lease',
  ).toEqual([...ids].sort());
  return ids.map((id) => claims.find((claimed) => claimed.delivery.id === id) as ClaimedDelivery);
}

/** The proof of a claim, for renewing or completing it. */
export function leaseOf(claimed: ClaimedDelivery): LeaseRef {
  return { userId: claimed.delivery.userId, deliveryId: claimed.delivery.id, token: claimed.delivery.lease.token };
}

/** Completes a claim and expects the store to accept the (current) token. */
export async function complete(store: NotificationStore, claimed: ClaimedDelivery, outcome: DeliveryOutcome, now: number): Promise<void> {
  const accepted = await store.completeDelivery(leaseOf(claimed), outcome, now);
  expect(accepted, `completeDelivery with the current lease token must succeed (outcome ${outcome.status})`).toBe(true);
}

/** Reads a delivery that must exist. */
export async function deliveryOf(store: NotificationStore, userId: string, deliveryId: string): Promise<DeliveryRecord> {
  const delivery = await store.getDelivery(userId, deliveryId);
  expect(delivery, `getDelivery(${userId}, ${deliveryId}) must find the delivery`).toBeDefined();
  return delivery as DeliveryRecord;
}

/** Kills a delivery that is the only claimable one at `now`: claim, then complete as dead. */
export async function killDelivery(store: NotificationStore, deliveryId: string, now: number): Promise<void> {
  const [claimed] = await claimExactly(store, [deliveryId], now);
  await complete(store, claimed as ClaimedDelivery, { status: 'dead', error: { code: 'TRANSPORT_PERMANENT', message: 'the endpoint refused it' } }, now);
}
