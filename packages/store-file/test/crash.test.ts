/**
 * kill -9 at random instants: a child process writes as fast as it can and reports each
 * acknowledged write; the parent SIGKILLs it, reopens the directory, and checks that
 * every acknowledged write is there and the store is consistent. Rounds reuse their
 * directory, so each recovery starts from the last one's. Half the rounds compact
 * continuously, so kills land in the middle of compactions.
 */
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationStore, StoredNotification } from '@herald/core';
import { createFileStore } from '@herald/store-file';
import { seededRandom } from '@herald/testing';
import { requireBuild, startChild } from './child-process.js';
import { waitForFile } from './directory-watch.js';
import { freshDirectory, removeDirectory } from './temp-directory.js';

const users = ['ada', 'grace', 'linus', 'barbara', 'edsger'];
const farFuture = Date.parse('2030-01-01T00:00:00.000Z') + 1e9;

/** What the children acknowledged, over all rounds of one directory. */
interface Acknowledged {
  readonly notifications: Map<string, { userId: string; deliveryIds: string[] }>;
  readonly read: Set<string>;
  readonly delivered: Map<string, string>;
}

function collect(lines: readonly string[], into: Acknowledged): void {
  for (const line of lines) {
    const [kind, userId, id, deliveries] = line.split(' ') as [string, string, string, string | undefined];
    if (kind === 'ack') into.notifications.set(id, { userId, deliveryIds: (deliveries ?? '').split(',') });
    else if (kind === 'read') into.read.add(id);
    else if (kind === 'done') into.delivered.set(id, userId);
  }
}

async function allOfFeed(store: NotificationStore, userId: string): Promise<StoredNotification[]> {
  const items: StoredNotification[] = [];
  let before: number | undefined;
  for (;;) {
    const page = await store.listFeed(userId, before === undefined ? { limit: 1000 } : { limit: 1000, before }, farFuture - 1);
    items.push(...page.items);
    if (page.next === undefined) return items;
    before = page.next;
  }
}

/**
 * Every acknowledged write is there, and the store agrees with itself. Returns the
 * problems found (checked with plain comparisons: there are tens of thousands).
 */
async function checkStore(store: NotificationStore, acknowledged: Acknowledged): Promise<string[]> {
  const now = farFuture - 1;
  const problems: string[] = [];
  for (const [id, { userId, deliveryIds }] of acknowledged.notifications) {
    const notification = await store.getNotification(userId, id, now);
    if (notification === undefined) {
      problems.push(`acknowledged notification ${id} is missing`);
      continue;
    }
    if (acknowledged.read.has(id) && notification.readState !== 'read') problems.push(`the acknowledged read mark of ${id} is missing`);
    const listed = (await store.listDeliveries(userId, id)).map((delivery) => delivery.id).sort();
    if (listed.join() !== [...deliveryIds].sort().join()) problems.push(`the deliveries of ${id} are ${listed.join()}, not ${deliveryIds.join()}`);
  }
  for (const [deliveryId, userId] of acknowledged.delivered) {
    const status = (await store.getDelivery(userId, deliveryId))?.status;
    if (status !== 'delivered') problems.push(`the acknowledged completion of ${deliveryId} is missing (status ${String(status)})`);
  }
  for (const userId of users) {
    const feed = await allOfFeed(store, userId);
    const unread = feed.filter((notification) => notification.readState === 'unread').length;
    const counted = await store.countUnread(userId, {}, now);
    if (counted !== unread) problems.push(`${userId}'s unread count is ${counted}, the feed has ${unread}`);
    if (new Set(feed.map((notification) => notification.sequence)).size !== feed.length) problems.push(`${userId}'s sequences repeat`);
    const changes = await store.listChanges(userId, 0, 1_000_000, now);
    if (changes.changes.length !== feed.length) problems.push(`${userId}'s change feed lists ${changes.changes.length}, the feed ${feed.length}`);
    for (const notification of feed) {
      for (const delivery of await store.listDeliveries(userId, notification.id)) {
        if (delivery.notificationId !== notification.id) problems.push(`delivery ${delivery.id} is listed by ${notification.id} but belongs to ${delivery.notificationId}`);
        if ((await store.getDelivery(userId, delivery.id))?.status !== delivery.status) problems.push(`delivery ${delivery.id} is not found by its id as listed`);
      }
    }
  }
  // Every open delivery's notification exists: claim them all (leases from before the kill are gone).
  for (const claim of await store.claimDeliveries({ owner: 'checker', now, leaseMs: 1, limit: 1_000_000 })) {
    if (claim.notification === undefined) problems.push(`open delivery ${claim.delivery.id} has no notification`);
  }
  return problems;
}

/** A condition for `waitUntil`: at least `wanted` acknowledged sends printed (counted as lines arrive). */
function countsAcks(wanted: number): (lines: readonly string[]) => boolean {
  let seen = 0;
  let acks = 0;
  return (lines) => {
    for (; seen < lines.length; seen++) if (lines[seen]?.startsWith('ack ') === true) acks++;
    return acks >= wanted;
  };
}

describe('kill -9 at a random instant', () => {
  const directories: string[] = [];
  beforeAll(() => requireBuild());
  afterAll(() => {
    for (const directory of directories) removeDirectory(directory);
  });

  for (const [name, compactAfterBytes, compactContinuously, rounds] of [
    ['while writing', 4 * 1024 * 1024, false, 12],
    ['while compacting', 100_000, true, 12],
  ] as const) {
    it(`loses nothing acknowledged ${name} (${rounds} rounds)`, { timeout: 180_000 }, async () => {
      const directory = freshDirectory();
      directories.push(directory);
      const random = seededRandom(compactAfterBytes);
      const acknowledged: Acknowledged = { notifications: new Map(), read: new Set(), delivered: new Map() };
      let tempFilesFound = 0;
      let round = 0;
      // While compacting, some kills must land inside a compaction; whether a given kill
      // does is up to timing, so rounds go on (at most 40 more) until one has.
      while (round < rounds || (compactContinuously && tempFilesFound === 0 && round < rounds + 40)) {
        round++;
        const child = startChild('crash-writer.mjs', [directory, String(compactAfterBytes), compactContinuously ? '1' : '0', String(round)]);
        await child.waitFor('ready');
        // Some writes acknowledged first, however slow the machine: the count checked below.
        await child.waitUntil(countsAcks(20));
        if (compactContinuously && round % 2 === 0) {
          // Aim at a compaction: kill as soon as its temp file appears.
          await waitForFile(directory, (name) => name.endsWith('.tmp'));
        } else {
          await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 600)));
        }
        child.process.kill('SIGKILL');
        await child.exited;
        collect(child.lines, acknowledged);
        if (readdirSync(directory).some((file) => file.endsWith('.tmp'))) tempFilesFound++;

        const store = await createFileStore({ directory, staleLockMs: 2_000, onWarning: () => undefined });
        const problems = await checkStore(store, acknowledged);
        await store.close();
        expect(problems, `round ${round}: after the kill`).toEqual([]);
      }
      console.info(`kill -9 ${name}: ${round} rounds, ${acknowledged.notifications.size} acknowledged sends, ${acknowledged.read.size} read marks, ${acknowledged.delivered.size} completions kept; ${tempFilesFound} kills interrupted a compaction`);
      expect(acknowledged.notifications.size, 'the children acknowledged writes').toBeGreaterThanOrEqual(rounds * 10);
      if (compactContinuously) expect(tempFilesFound, 'some kills interrupted a compaction').toBeGreaterThan(0);
    });
  }
});
