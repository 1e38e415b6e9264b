/**
 * Group `idempotency`: a send with a key the user already recorded is a replay that
 * writes nothing (docs/stores.md, "saveNotification", `write.idempotency`).
 */
import { expect, it } from 'vitest';
import type { IdempotencyRecord } from '@herald/core/store';
import type { StoreHarness } from './harness.js';
import { alice, bob, currentSequence, feedIds, send, t0 } from './steps.js';

const keyTtlMs = 24 * 60 * 60_000;

/** An idempotency record for key `k` made at `now`. */
function keyed(fingerprint: string, now = t0, key = 'k'): IdempotencyRecord {
  return { key, fingerprint, expiresAt: now + keyTtlMs };
}

/** Registers the tests of the group. */
export function idempotencyTests(h: StoreHarness): void {
  it('replays a recorded key: the first result, no deliveries, the recorded fingerprint, nothing written', async () => {
    const first = await send(h.store, { appNotificationId: 'a', deliveries: 2, idempotency: keyed('f1'), now: t0 });
    expect(first.replay, 'the first use of a key is not a replay').toBeUndefined();
    const sequence = await currentSequence(h.store, alice, t0 + 1);
    const replay = await send(h.store, {
      appNotificationId: 'other',
      content: { payload: { rawContent: 'different' }, targetHostName: 'other.example.com' },
      deliveries: 1,
      idempotency: keyed('f2', t0 + 1),
      now: t0 + 1,
    });
    expect(replay.replay, 'a recorded key makes the save a replay, with the recorded fingerprint').toEqual({ fingerprint: 'f1' });
    expect(replay.notification, 'a replay returns the first call’s notification').toEqual(first.notification);
    expect(replay.created, 'a replay returns the first call’s created flag').toBe(true);
    expect(replay.deliveries, 'a replay creates no deliveries').toEqual([]);
    expect(await feedIds(h.store, alice, t0 + 1), 'a replay writes no notification').toEqual([first.notification.id]);
    expect(await currentSequence(h.store, alice, t0 + 1), 'a replay writes nothing: the sequence stays').toBe(sequence);
    expect(await h.store.listDeliveries(alice, first.notification.id), 'a replay leaves the first call’s deliveries as they were (it supersedes nothing)').toEqual(first.deliveries);
  });

  it('replays the created flag of the first call when it was an update', async () => {
    await send(h.store, { appNotificationId: 'a', now: t0 });
    const first = await send(h.store, { appNotificationId: 'a', idempotency: keyed('f1'), now: t0 + 1 });
    expect(first.created).toBe(false);
    const replay = await send(h.store, { appNotificationId: 'a', idempotency: keyed('f1', t0 + 2), now: t0 + 2 });
    expect(replay.replay?.fingerprint).toBe('f1');
    expect(replay.created, 'a replay of an update says created: false, as the first call did').toBe(false);
  });

  it('replays the notification as the first call stored it, even after it changed', async () => {
    const first = await send(h.store, { appNotificationId: 'a', idempotency: keyed('f1'), now: t0 });
    await h.store.updateNotificationState(alice, first.notification.id, { readState: 'read' }, t0 + 1);
    const replay = await send(h.store, { appNotificationId: 'a', idempotency: keyed('f1', t0 + 2), now: t0 + 2 });
    expect(replay.notification, 'SaveResult.notification of a replay is the notification as the first call stored it').toEqual(first.notification);
    expect((await h.store.getNotification(alice, first.notification.id, t0 + 2))?.readState, 'the replay changed nothing').toBe('read');
  });

  it("keeps each user's keys apart", async () => {
    const forAlice = await send(h.store, { userId: alice, idempotency: keyed('f-alice'), now: t0 });
    const forBob = await send(h.store, { userId: bob, idempotency: keyed('f-bob'), deliveries: 1, now: t0 + 1 });
    expect(forBob.replay, "another user's key of the same name is a different key").toBeUndefined();
    expect(forBob.notification.userId).toBe(bob);
    expect(forBob.deliveries.length).toBe(1);
    const again = await send(h.store, { userId: alice, idempotency: keyed('f-x', t0 + 2), now: t0 + 2 });
    expect(again.notification, 'each user replays their own first result').toEqual(forAlice.notification);
  });

  it('treats different keys of one user as different sends', async () => {
    await send(h.store, { appNotificationId: 'a', idempotency: keyed('f1', t0, 'k1'), now: t0 });
    const other = await send(h.store, { appNotificationId: 'b', idempotency: keyed('f2', t0 + 1, 'k2'), now: t0 + 1 });
    expect(other.replay).toBeUndefined();
    expect((await feedIds(h.store, alice, t0 + 1)).length).toBe(2);
  });

  it('treats a key as new once it expired', async () => {
    const first = await send(h.store, { appNotificationId: 'a', idempotency: { key: 'k', fingerprint: 'f1', expiresAt: t0 + 1_000 }, now: t0 });
    const during = await send(h.store, { appNotificationId: 'b', idempotency: keyed('f2', t0 + 999), now: t0 + 999 });
    expect(during.replay, 'a key is replayed until it expires').toEqual({ fingerprint: 'f1' });
    const after = await send(h.store, { appNotificationId: 'b', idempotency: keyed('f3', t0 + 2_000), deliveries: 1, now: t0 + 2_000 });
    expect(after.replay, 'an expired key is new again').toBeUndefined();
    expect(after.notification.id).not.toBe(first.notification.id);
    expect(after.deliveries.length).toBe(1);
  });
}
