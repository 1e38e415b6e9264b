/**
 * Group `forgottenUsers`: a user with nothing left (every notification expired and
 * purged, their tombstones purged too) costs a store nothing, yet comes back with a
 * sequence above every one they had, so a change cursor from before is refused rather
 * than misread — also after a reopen, for a durable store (group `durability`;
 * docs/stores.md, "Purging").
 */
import { expect, it } from 'vitest';
import type { NotificationStore } from '@herald/core';
import { expectHeraldError } from './expectations.js';
import type { StoreHarness } from './harness.js';
import { alice, send, t0 } from './steps.js';

const day = 86_400_000;

/** Purges everything expired at `now`, tombstones of any age included. */
async function purgeAll(store: NotificationStore, now: number): Promise<void> {
  for (;;) {
    const result = await store.purgeExpired({ now, tombstonesBefore: now + 1, limit: 1000 });
    if (!result.more) return;
  }
}

/** Purges every notification of alice's, and their tombstones: she is forgotten. Returns her cursors from before. */
export async function forgetAlice(store: NotificationStore): Promise<{ behind: number; seen: number }> {
  const expirationDateTime = new Date(t0 + day).toISOString();
  for (let n = 0; n < 3; n += 1) await send(store, { appNotificationId: `a${n}`, content: { expirationDateTime }, now: t0 + n });
  const caughtUp = (await store.listChanges(alice, 0, 100, t0 + 10)).cursor;
  await store.purgeExpired({ now: t0 + day, tombstonesBefore: t0, limit: 1000 });
  const seen = (await store.listChanges(alice, caughtUp, 100, t0 + day)).cursor;
  await purgeAll(store, t0 + day + 1);
  return { behind: caughtUp, seen };
}

/** Expects alice to come back above every sequence she had, her old cursor refused. */
export async function expectComesBack(store: NotificationStore, before: { behind: number; seen: number }, when: string): Promise<void> {
  const back = await send(store, { appNotificationId: 'again', now: t0 + 2 * day });
  expect(back.notification.sequence, `a forgotten user's sequence goes on above every one they had ${when}`).toBeGreaterThan(before.seen);
  await expectHeraldError(
    () => store.listChanges(alice, before.behind, 100, t0 + 2 * day),
    'CURSOR_EXPIRED',
    `a cursor that missed purged deletions is refused ${when}, not read as current`,
  );
}

/** Registers the tests of the group (the same after a reopen: group `durability`). */
export function forgottenUserTests(h: StoreHarness): void {
  it('keeps a forgotten user’s old cursors refused and goes on from their sequence', async () => {
    const before = await forgetAlice(h.store);
    await expectComesBack(h.store, before, 'in the same store');
  });
}
