/**
 * Group `durability`, for stores that declare `capabilities.durable`: what a store
 * acknowledged survives closing it and opening its data again — compacted or not — to the
 * last string, and a forgotten user stays forgotten (docs/stores.md, "Durability"). The
 * suite reopens through `reopenStore` (and compacts through `compactStore`, when given),
 * which a durable store's suite must pass.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import type { NotificationStore } from '@herald/core';
import type { ClaimedDelivery } from '@herald/core/store';
import { sampleSubscription } from '../fixtures.js';
import { expectEveryRead, save, scenario } from './fields.js';
import { expectComesBack, forgetAlice } from './forgotten-users.js';
import type { StoreHarness } from './harness.js';
import { alice, claim, complete, send, t0 } from './steps.js';
import { preferenceDurabilityTests } from './preferences.js';
import { expectExact, texts, write } from './text.js';

const day = 86_400_000;

/** The harness's reopen, or a failure that says what a durable store's suite lacks. */
function reopenOf(h: StoreHarness): (store: NotificationStore) => Promise<NotificationStore> {
  const { reopen } = h;
  if (reopen === undefined) throw new Error('[herald] [testing] the store declares capabilities.durable, so runStoreConformance needs reopenStore (close the store and open its data again)');
  return reopen;
}

/** Registers the tests of the group. */
export function durabilityTests(h: StoreHarness): void {
  preferenceDurabilityTests(h, reopenOf);
  it('returns every string exactly after compaction and a reopen', async () => {
    const reopen = reopenOf(h);
    await fc.assert(
      fc.asyncProperty(fc.array(texts, { minLength: 1, maxLength: 4 }), async (drawn) => {
        // One user each: two writes of one user and app id would be an update, which
        // supersedes the first one's delivery and so rewrites its error on purpose.
        const batch = drawn.map((t, index) => ({ ...t, userId: `${t.userId}-${index}` }));
        let store = await h.open();
        const written = [];
        for (const t of batch) written.push({ t, ids: await write(store, t) });
        await h.compact?.(store);
        store = await reopen(store);
        for (const { t, ids } of written) await expectExact(store, t, ids, 'after compaction and a reopen');
        // And written after the snapshot, so read back from the log alone.
        const later = batch.map((t) => ({ ...t, userId: `${t.userId}-later` }));
        const after = [];
        for (const t of later) after.push({ t, ids: await write(store, t) });
        store = await reopen(store);
        for (const { t, ids } of after) await expectExact(store, t, ids, 'after a reopen that replays the log');
      }),
      { numRuns: 12 },
    );
  });

  it("keeps every optional field of the contract's field table after compaction and a reopen, and after a reopen that replays the log", async () => {
    const reopen = reopenOf(h);
    let store = await h.open();
    const before = scenario(alice);
    await save(store, before);
    await h.compact?.(store);
    store = await reopen(store);
    await expectEveryRead(store, before, alice, 'after compaction and a reopen');
    // Written after the snapshot, so read back from the log alone.
    const after = scenario('after-snapshot');
    await save(store, after);
    store = await reopen(store);
    await expectEveryRead(store, after, 'after-snapshot', 'after a reopen that replays the log');
    await expectEveryRead(store, before, alice, 'after a second reopen');
  });

  it('keeps a forgotten user forgotten after compaction and a reopen', async () => {
    const reopen = reopenOf(h);
    let store = await h.open();
    const before = await forgetAlice(store);
    await h.compact?.(store);
    store = await reopen(store);
    await expectComesBack(store, before, 'after compaction and a reopen');
  });

  it('keeps notifications, their state, subscriptions, delivery outcomes and idempotency keys across a reopen', async () => {
    const reopen = reopenOf(h);
    const subscription = await h.store.createSubscription(sampleSubscription({ userId: alice }), t0);
    const saved = await send(h.store, { appNotificationId: 'kept', deliveries: 2, idempotency: { key: 'k', fingerprint: 'f', expiresAt: t0 + day }, now: t0 });
    await h.store.updateNotificationState(alice, saved.notification.id, { readState: 'read' }, t0 + 1);
    const [dead, pending] = saved.deliveries.map((delivery) => delivery.id) as [string, string];
    const [claimed] = await claim(h.store, t0 + 2, 1);
    expect(claimed?.delivery.id, 'the earlier of two deliveries due at once is claimed first').toBeDefined();
    await complete(h.store, claimed as ClaimedDelivery, { status: 'dead', error: { code: 'TRANSPORT_PERMANENT', message: 'refused' } }, t0 + 2);
    const deadId = claimed?.delivery.id === dead ? dead : pending;
    const before = { feed: await h.store.listFeed(alice, { limit: 10 }, t0 + 3), deliveries: await h.store.listDeliveries(alice, saved.notification.id) };

    const store = await reopen(h.store);
    expect(await store.listFeed(alice, { limit: 10 }, t0 + 3), 'the feed, with its read state, after a reopen').toEqual(before.feed);
    expect(await store.listDeliveries(alice, saved.notification.id), 'the deliveries, with the dead one, after a reopen').toEqual(before.deliveries);
    expect((await store.getDelivery(alice, deadId))?.status).toBe('dead');
    expect(await store.getSubscription(subscription.id), 'the subscription after a reopen').toEqual(subscription);
    const replay = await send(store, { appNotificationId: 'other', idempotency: { key: 'k', fingerprint: 'g', expiresAt: t0 + day }, now: t0 + 4 });
    expect(replay.replay, 'the idempotency key after a reopen').toEqual({ fingerprint: 'f' });
  });
}
