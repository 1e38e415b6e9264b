/**
 * The restorer rebuilds an engine from an image fed piece by piece, as a durable store
 * reads its snapshot: the result must be the same state, and an image whose pieces do
 * not add up (damage a checksum missed, a bug in a writer) must be refused, never
 * half-applied into a store that looks fine.
 */
import { describe, expect, it } from 'vitest';
import type { StoredNotification } from '@herald/core';
import { captureImage, MemoryState, stateRestorer } from '../src/engine/index.js';
import type { StateImage, StateRestorer } from '../src/engine/index.js';
import { newDelivery, notificationWrite, t0 } from './fixtures.js';

/** Feeds a captured image into a restorer, as the file store's snapshot reader does. */
function feed(image: StateImage, restorer: StateRestorer<MemoryState>): MemoryState {
  for (const user of image.users) {
    restorer.user(user.userId, user.sequence, user.purgedThrough);
    for (const { record, expiresAt, position, createdSequence, deliveries } of user.notifications) {
      restorer.notification(record, expiresAt, position, createdSequence, deliveries.length);
      for (const d of deliveries) {
        restorer.delivery(d.id, d.subscriptionId, d.transport, d.platformType, d.kind, d.status, d.attempts, d.nextAttemptAt, d.createdAt, d.updatedAt, d.lastError, d.lease);
      }
    }
    for (const tombstone of user.tombstones) {
      const syncs = tombstone.syncs?.deliveries ?? [];
      restorer.tombstone(tombstone, syncs.length);
      for (const d of syncs) {
        restorer.delivery(d.id, d.subscriptionId, d.transport, d.platformType, d.kind, d.status, d.attempts, d.nextAttemptAt, d.createdAt, d.updatedAt, d.lastError, d.lease);
      }
    }
  }
  for (const subscription of image.subscriptions) restorer.subscription(subscription);
  for (const key of image.idempotencyKeys) restorer.idempotencyKey(key);
  for (const letter of image.deadLetters) restorer.deadLetter(letter);
  return restorer.finish(image.deadLetterSerial);
}

function engineWithDeliveries(): MemoryState {
  const engine = new MemoryState();
  engine.saveNotification(notificationWrite('alice', 'a', { deliveries: 3 }));
  engine.saveNotification(notificationWrite('alice', 'b', { deliveries: 1, now: t0 + 1 }));
  engine.saveNotification(notificationWrite('bob', 'c', { now: t0 + 2 }));
  const [claimed] = engine.claimDeliveries({ owner: 'worker', now: t0 + 3, leaseMs: 1_000, limit: 1 }, ['token-1']);
  if (claimed === undefined) throw new Error('nothing was claimed');
  engine.completeDelivery({ userId: 'alice', deliveryId: claimed.delivery.id, token: 'token-1' }, { status: 'delivered' }, t0 + 4);
  return engine;
}

describe('stateRestorer', () => {
  it('rebuilds the same state, deliveries included', () => {
    const engine = engineWithDeliveries();
    const restored = feed(captureImage(engine), stateRestorer());
    expect(restored.logicalState()).toEqual(engine.logicalState());
    expect(restored.listDeliveries('alice', (engine.listFeed('alice', { limit: 10 }, t0).items.at(-1) as StoredNotification).id)).toHaveLength(3);
  });

  it('refuses a notification with fewer deliveries than it announced', () => {
    const restorer = stateRestorer();
    const [user] = captureImage(engineWithDeliveries()).users;
    const note = user?.notifications.find((n) => n.deliveries.length === 3);
    if (user === undefined || note === undefined) throw new Error('fixture changed');
    restorer.user(user.userId, user.sequence, user.purgedThrough);
    restorer.notification(note.record, note.expiresAt, note.position, note.createdSequence, 3);
    const d = note.deliveries[0];
    if (d === undefined) throw new Error('fixture changed');
    restorer.delivery(d.id, d.subscriptionId, d.transport, d.platformType, d.kind, d.status, d.attempts, d.nextAttemptAt, d.createdAt, d.updatedAt, d.lastError, d.lease);
    expect(() => restorer.finish(0)).toThrow(expect.objectContaining({ code: 'STORE_CORRUPT', message: expect.stringContaining('announces 3 deliveries') }));
  });

  it('refuses more deliveries than a notification announced', () => {
    const restorer = stateRestorer();
    const [user] = captureImage(engineWithDeliveries()).users;
    const note = user?.notifications.find((n) => n.deliveries.length === 1);
    const d = note?.deliveries[0];
    if (user === undefined || note === undefined || d === undefined) throw new Error('fixture changed');
    restorer.user(user.userId, user.sequence, user.purgedThrough);
    restorer.notification(note.record, note.expiresAt, note.position, note.createdSequence, 1);
    restorer.delivery(d.id, d.subscriptionId, d.transport, d.platformType, d.kind, d.status, d.attempts, d.nextAttemptAt, d.createdAt, d.updatedAt, d.lastError, d.lease);
    expect(() =>
      restorer.delivery(`${d.id}-2`, d.subscriptionId, d.transport, d.platformType, d.kind, d.status, d.attempts, d.nextAttemptAt, d.createdAt, d.updatedAt, d.lastError, d.lease),
    ).toThrow(expect.objectContaining({ code: 'STORE_CORRUPT' }));
  });
});

describe('a restored engine', () => {
  /** The same first call on the original and on its restored copy, then the same calls after it. */
  const later = notificationWrite('alice', 'later', { deliveries: 2, now: t0 + 5 });
  const again = notificationWrite('alice', 'a', { deliveries: 1, now: t0 + 5 });
  const firstCalls: ReadonlyArray<readonly [what: string, call: (engine: MemoryState, deliveryId: string, notificationId: string) => unknown]> = [
    ['a delivery read by id', (engine, id) => engine.getDelivery('alice', id)],
    ['a notification read by id', (engine, _id, notificationId) => engine.getNotification('alice', notificationId, t0 + 5)],
    ['a save of an app id already stored (an update)', (engine) => engine.saveNotification(again)],
    ['a state change', (engine, _id, notificationId) => engine.updateNotificationState('alice', notificationId, { readState: 'read' }, t0 + 5)],
    ['a save', (engine) => engine.saveNotification(later)],
    ['a save reusing a delivery id', (engine, id) => refusal(() => engine.saveNotification(notificationWrite('alice', 'reuse', { deliveries: [newDelivery({ id })], now: t0 + 5 })))],
    ['a notification deleted', (engine) => engine.deleteNotification('alice', (engine.listFeed('alice', { limit: 10 }, t0 + 5).items[0] as StoredNotification).id, t0 + 5)],
    ['a subscription deleted', (engine) => engine.deleteSubscription('sub-1', t0 + 5)],
    ['a claim', (engine) => engine.claimDeliveries({ owner: 'w', now: t0 + 5, leaseMs: 1_000, limit: 10 }, ['t1', 't2', 't3', 't4', 't5']).map((claim) => claim.delivery.id)],
  ];

  it.each(firstCalls)('indexes its notifications and deliveries when first needed, by %s, and then acts as the original', (_what, first) => {
    const original = engineWithDeliveries();
    const restored = feed(captureImage(original), stateRestorer());
    const [delivery] = original.listDeliveries('alice', (original.listFeed('alice', { limit: 10 }, t0).items.at(-1) as StoredNotification).id);
    if (delivery === undefined) throw new Error('fixture changed');
    expect(first(restored, delivery.id, delivery.notificationId)).toEqual(first(original, delivery.id, delivery.notificationId));
    expect(restored.logicalState()).toEqual(original.logicalState());
    for (const engine of [original, restored]) {
      engine.claimDeliveries({ owner: 'w', now: t0 + 6, leaseMs: 1_000, limit: 10 }, ['u1', 'u2', 'u3', 'u4', 'u5', 'u6']);
      engine.completeDelivery({ userId: 'alice', deliveryId: delivery.id, token: 'u1' }, { status: 'delivered' }, t0 + 7);
    }
    expect(restored.logicalState()).toEqual(original.logicalState());
    for (const { id } of original.listDeliveries('alice', delivery.notificationId)) expect(restored.getDelivery('alice', id)).toEqual(original.getDelivery('alice', id));
  });
});

function refusal(call: () => unknown): unknown {
  try {
    return call();
  } catch (error) {
    return (error as { code?: unknown }).code;
  }
}
