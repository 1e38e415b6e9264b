/**
 * A store reopened from its directory shows exactly what it showed before closing:
 * from the log alone, from a snapshot alone, and from a snapshot with log after it —
 * including page tokens of dead deliveries, tombstones, idempotency replays, and
 * subscription order. Leases are the one difference, by design: a restart drops them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { isHeraldError } from '@herald/core';
import { createFileStore } from '@herald/store-file';
import type { FileStore } from '@herald/store-file';
import { sampleDeliveries, sampleNotification, sampleTime } from '@herald/testing';
import { waitForFile } from './directory-watch.js';
import { dumpStore, runWorkload, workloadUsers } from './random-workload.js';
import { freshDirectory, removeDirectory } from './temp-directory.js';

const directories: string[] = [];
const open = (directory: string, options: { compactAfterBytes?: number } = {}): Promise<FileStore> =>
  createFileStore({ directory, fsync: 'never', onWarning: () => undefined, ...options });

afterEach(() => {
  for (const directory of directories.splice(0)) removeDirectory(directory);
});

async function reopenedDumpsMatch(seed: number, steps: number, compactEvery: number | undefined): Promise<void> {
  const directory = freshDirectory();
  directories.push(directory);
  const store = await open(directory);
  const now = await runWorkload(store, seed, steps, async (step) => {
    if (compactEvery !== undefined && step % compactEvery === compactEvery - 1) await store.compact();
  });
  const before = await dumpStore(store, workloadUsers, now);
  await store.close();
  const reopened = await open(directory);
  expect(await dumpStore(reopened, workloadUsers, now)).toEqual(before);
  await reopened.close();
  // And once more: the restart record replays too.
  const again = await open(directory);
  expect(await dumpStore(again, workloadUsers, now)).toEqual(before);
  await again.close();
}

describe('reopening a store', () => {
  for (const seed of [1, 2, 3]) {
    it(`replays the log alone (seed ${seed})`, () => reopenedDumpsMatch(seed, 400, undefined));
    it(`reads a snapshot, then replays the log after it (seed ${seed})`, () => reopenedDumpsMatch(seed, 400, 97));
  }

  it('reads a snapshot with no log after it', async () => {
    const directory = freshDirectory();
    directories.push(directory);
    const store = await open(directory);
    const now = await runWorkload(store, 7, 300);
    await store.compact();
    const before = await dumpStore(store, workloadUsers, now, true);
    await store.close();
    const reopened = await open(directory);
    const after = (await dumpStore(reopened, workloadUsers, now, false)) as Record<string, unknown>;
    const { nextDueAt: _ignored, ...withoutNextDue } = before as Record<string, unknown>;
    expect(JSON.parse(JSON.stringify(after))).toEqual(JSON.parse(JSON.stringify(stripLeases(withoutNextDue))));
    await reopened.close();
  });

  it('compacts by itself once the log passes compactAfterBytes, and keeps everything', async () => {
    const directory = freshDirectory();
    directories.push(directory);
    const store = await open(directory, { compactAfterBytes: 20_000 });
    const now = await runWorkload(store, 11, 500);
    // A compaction started once the log passed 20,000 bytes; it runs in the background, and
    // close() abandons one in progress. Wait for what says it happened — its snapshot
    // renamed into place — not for a time.
    expect(await waitForFile(directory, (name) => /^snapshot-\d+\.herald$/.test(name))).toMatch(/^snapshot-/);
    const before = await dumpStore(store, workloadUsers, now);
    await store.close();
    const reopened = await open(directory, { compactAfterBytes: 20_000 });
    expect(await dumpStore(reopened, workloadUsers, now)).toEqual(before);
    await reopened.close();
  });

  it('refuses after a restart a lease token from before it', async () => {
    const directory = freshDirectory();
    directories.push(directory);
    const store = await open(directory);
    await store.saveNotification({ notification: sampleNotification(), deliveries: sampleDeliveries(1), now: sampleTime });
    const [claim] = await store.claimDeliveries({ owner: 'before', now: sampleTime, leaseMs: 60_000, limit: 10 });
    if (claim === undefined) throw new Error('nothing claimed');
    const ref = { userId: claim.delivery.userId, deliveryId: claim.delivery.id, token: claim.delivery.lease.token };
    await store.close();

    const reopened = await open(directory);
    expect(await reopened.completeDelivery(ref, { status: 'delivered' }, sampleTime + 1), 'an old token completes nothing').toBe(false);
    expect(await reopened.renewLease(ref, sampleTime + 1, 60_000), 'an old token renews nothing').toBe(false);
    const reclaimed = await reopened.claimDeliveries({ owner: 'after', now: sampleTime + 1, leaseMs: 60_000, limit: 10 });
    expect(reclaimed.map((c) => c.delivery.id), 'the delivery is claimable at once after the restart').toEqual([claim.delivery.id]);
    await reopened.close();
    const again = await open(directory);
    expect((await again.getDelivery(ref.userId, ref.deliveryId))?.status).toBe('pending');
    await again.close();
  });

  it('rejects every call after close with STORE_CLOSED, and closing twice is fine', async () => {
    const directory = freshDirectory();
    directories.push(directory);
    const store = await open(directory);
    await store.close();
    await store.close();
    await expect(store.compact()).rejects.toSatisfy((error) => isHeraldError(error, 'STORE_CLOSED'));
    await expect(store.nextDueAt()).rejects.toSatisfy((error) => isHeraldError(error, 'STORE_CLOSED'));
  });
});

function stripLeases(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripLeases);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([key]) => key !== 'lease').map(([key, item]) => [key, stripLeases(item)]));
  }
  return value;
}
