/**
 * Scenario A: durable sends. 256 concurrent senders write the reference notification
 * with three deliveries through the file store (fsync: 'always': each send resolves once
 * its record is fsync'ed), against better-sqlite3 writing the same records with the same
 * durability, 256 per transaction.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileStore } from '@herald/store-file';
import { referenceDeliveries, referenceNotification, start } from './reference.js';
import { rate, type BenchResult } from '@herald/bench-support';
import { sqliteSends } from './sqlite-anchor.js';
import type { SendRecord } from './sqlite-anchor.js';

const senders = 256;
const users = 1_000;
/**
 * Sends each side makes first into a throwaway store of its own, so that both are measured
 * warm (JIT-compiled code, a loaded SQLite library), as in a server that has been running.
 */
const warmup = 5_000;

function records(count: number): SendRecord[] {
  return Array.from({ length: count }, (_, index) => {
    const userId = `user-${index % users}`;
    const now = start + index;
    return { notification: referenceNotification(userId, `notification-${index}`, now), deliveries: referenceDeliveries(userId, now), now };
  });
}

async function heraldSends(directory: string, work: readonly SendRecord[]): Promise<number> {
  const store = await createFileStore({ directory, fsync: 'always' });
  const perSecond = await rate(work.length, senders, (index) => {
    const record = work[index] as SendRecord;
    return store.saveNotification({ notification: record.notification, deliveries: record.deliveries, now: record.now });
  });
  await store.close();
  return perSecond;
}

/**
 * Rounds per size, the two sides interleaved; each side's best round is reported, so a
 * burst of other work on the shared machine costs neither side a whole measurement.
 */
const rounds = 3;

/** Runs scenario A with `count` notifications on each side. */
export async function sendThroughput(count: number): Promise<BenchResult> {
  const root = mkdtempSync(join(tmpdir(), 'herald-bench-sends-'));
  try {
    await heraldSends(join(root, 'herald-warmup'), records(warmup));
    const sqliteWarmup = join(root, 'sqlite-warmup');
    mkdirSync(sqliteWarmup);
    sqliteSends(sqliteWarmup, records(warmup));
    let herald = 0;
    let sqliteSeconds = Number.POSITIVE_INFINITY;
    for (let round = 0; round < rounds; round++) {
      const directory = join(root, `round-${round}`);
      mkdirSync(directory);
      herald = Math.max(herald, await heraldSends(join(directory, 'herald'), records(count)));
      sqliteSeconds = Math.min(sqliteSeconds, sqliteSends(directory, records(count)));
      rmSync(directory, { recursive: true, force: true });
    }
    const anchorValue = count / sqliteSeconds;
    return {
      scenario: `durable sends, ${senders} concurrent senders, 3 deliveries each (${count.toLocaleString('en-US')}, best of ${rounds})`,
      unit: 'notifications/s',
      herald,
      anchor: 'better-sqlite3 (WAL, synchronous=FULL, 256 per transaction)',
      anchorValue,
      ratio: herald / anchorValue,
      target: '>= 1.5x SQLite',
      higherIsBetter: true,
      met: herald / anchorValue >= 1.5,
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
