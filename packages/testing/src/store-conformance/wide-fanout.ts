/**
 * A notification with thousands of deliveries (an app may raise `maxSubscriptionsPerUser`
 * far past its default of 100, and a deletion or a state change syncs every endpoint).
 * A store's own limits on one statement or call — Lua's `unpack` stops near 8,000 values,
 * PostgreSQL takes at most 65,535 parameters in a statement — must not reach the caller:
 * the save, the state change and the deletion each write every delivery they were given.
 */
import { expect, it } from 'vitest';
import { newId, type NewDelivery, type SyncPlan } from '@herald/core/store';
import type { StoreHarness } from './harness.js';
import { alice, claim, send, t0 } from './steps.js';
import { syncsOf } from './sync.js';

/** Past every per-call limit above: 10,001 keys checked, 20,000 due-set values in one write. */
const wideFanout = 10_000;

function deliveriesTo(count: number, kind: 'notification' | 'sync', due: number): NewDelivery[] {
  return Array.from({ length: count }, (_, index) => ({ id: newId(), subscriptionId: `endpoint-${index}`, transport: 'test', platformType: 'windows', kind, nextAttemptAt: due }));
}

/** A sync plan of `count` deliveries, whatever the subscriptions. */
const syncEvery = (count: number, due: number): SyncPlan => () => deliveriesTo(count, 'sync', due);

/** Registers the save's test (group `deliveries`). */
export function wideFanoutSaveTests(h: StoreHarness): void {
  it(`saves a notification with ${wideFanout.toLocaleString('en')} deliveries, each listed and claimable`, async () => {
    const deliveries = deliveriesTo(wideFanout, 'notification', t0);
    const { notification } = await send(h.store, { deliveries });
    const listed = await h.store.listDeliveries(alice, notification.id);
    expect(listed.map((delivery) => delivery.id), 'every delivery, in order').toEqual(deliveries.map((delivery) => delivery.id));
    const claimed = await claim(h.store, t0, wideFanout);
    expect(new Set(claimed.map(({ delivery }) => delivery.id)).size, 'each is due and claimed once').toBe(wideFanout);
  }, 120_000);
}

/** Registers the sync tests (group `sync`). */
export function wideFanoutSyncTests(h: StoreHarness): void {
  it(`a state change and a deletion each write ${wideFanout.toLocaleString('en')} syncs`, async () => {
    const changed = (await send(h.store, { appNotificationId: 'changed' })).notification;
    expect((await h.store.updateNotificationState(alice, changed.id, { readState: 'read' }, t0 + 1, syncEvery(wideFanout, t0 + 1)))?.readState).toBe('read');
    expect((await syncsOf(h.store, changed.id)).length, 'every sync of the state change').toBe(wideFanout);
    const deleted = (await send(h.store, { appNotificationId: 'deleted' })).notification;
    expect(await h.store.deleteNotification(alice, deleted.id, t0 + 1, syncEvery(wideFanout, t0 + 1))).toBe(true);
    expect((await syncsOf(h.store, deleted.id)).length, 'every sync of the deletion').toBe(wideFanout);
  }, 120_000);
}
