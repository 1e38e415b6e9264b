/**
 * Scenario B: how long opening a store holding 1,000,000 notifications takes — the
 * restart time a user waits for. The store is built through its own API (the reference
 * notification for 10,000 users, three deliveries each, all delivered, then compacted
 * as it would be in a long-running store), then opened three times, each in a fresh
 * process, and the median is reported with the heap the open store holds.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFileStore } from '@herald/store-file';
import { app, platforms, referenceDeliveries, referenceNotification, start } from './reference.js';
import type { BenchResult } from '@herald/bench-support';

const users = 10_000;

/** Builds a store of `count` notifications in `directory`, as a long-running service would leave it. */
async function buildStore(directory: string, count: number): Promise<void> {
  const store = await createFileStore({ directory, fsync: 'never', compactAfterBytes: 2 ** 45 });
  const endpoints: string[][] = [];
  for (let user = 0; user < users; user++) {
    const ids: string[] = [];
    for (const platformType of platforms) {
      const subscription = await store.createSubscription({ userId: `user-${user}`, targetHostName: app, platformType, transport: 'webhook', address: `https://example.test/${user}/${platformType}`, expiresAt: start + 1e10 }, start);
      ids.push(subscription.id);
    }
    endpoints.push(ids);
  }
  let now = start;
  const pending: Promise<unknown>[] = [];
  for (let index = 0; index < count; index++) {
    const user = index % users;
    const userId = `user-${user}`;
    pending.push(store.saveNotification({ notification: referenceNotification(userId, `notification-${index}`, now), deliveries: referenceDeliveries(userId, now, endpoints[user]), now }));
    if (pending.length === 256) {
      await Promise.all(pending.splice(0));
      now += 1;
    }
  }
  await Promise.all(pending);
  for (;;) {
    const claims = await store.claimDeliveries({ owner: 'bench', now, leaseMs: 60_000, limit: 1_000 });
    if (claims.length === 0) break;
    await Promise.all(claims.map(({ delivery }) => store.completeDelivery({ userId: delivery.userId, deliveryId: delivery.id, token: delivery.lease.token }, { status: 'delivered' }, now)));
  }
  await store.compact();
  await store.close();
}

/** One open in a fresh process: seconds taken and heap held afterwards. */
function openOnce(directory: string): { seconds: number; heapBytes: number } {
  const opener = fileURLToPath(new URL('./open-store.ts', import.meta.url));
  const output = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', opener, directory], { encoding: 'utf8', cwd: fileURLToPath(new URL('..', import.meta.url)) });
  return JSON.parse(output) as { seconds: number; heapBytes: number };
}

/** What first-access.ts prints: what the open left for later, and its cost (ms, MB). */
export interface FirstAccess {
  readonly openMs: number;
  readonly afterOpen: { readonly heapMB: number; readonly externalMB: number };
  readonly firstListDeliveriesMs: number;
  readonly firstUserIndexMs: number;
  readonly everyUserIndexMs: number;
  readonly afterAll: { readonly heapMB: number; readonly externalMB: number };
}

/** One more open in a fresh process, then the first calls that make what it left for later. */
function firstAccess(directory: string): FirstAccess {
  const script = fileURLToPath(new URL('./first-access.ts', import.meta.url));
  const output = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', script, directory], { encoding: 'utf8', cwd: fileURLToPath(new URL('..', import.meta.url)) });
  return JSON.parse(output) as FirstAccess;
}

/** Runs scenario B with a store of `count` notifications. */
export async function openTime(count: number): Promise<{ result: BenchResult; heapBytesPerNotification: number; buildSeconds: number; firstAccess: FirstAccess }> {
  const root = mkdtempSync(join(tmpdir(), 'herald-bench-open-'));
  try {
    const built = performance.now();
    await buildStore(root, count);
    const buildSeconds = (performance.now() - built) / 1000;
    const runs = [openOnce(root), openOnce(root), openOnce(root)].sort((a, b) => a.seconds - b.seconds);
    const median = runs[1] as { seconds: number; heapBytes: number };
    const later = firstAccess(root);
    return {
      firstAccess: later,
      result: {
        scenario: `open a store of ${count.toLocaleString('en-US')} notifications (3 delivered deliveries each), median of 3`,
        unit: 's',
        herald: median.seconds,
        anchor: null,
        anchorValue: null,
        ratio: median.seconds,
        target: '< 3 s',
        higherIsBetter: false,
        met: median.seconds < 3,
      },
      heapBytesPerNotification: median.heapBytes / count,
      buildSeconds,
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
