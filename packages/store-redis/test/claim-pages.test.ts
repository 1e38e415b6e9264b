/**
 * The single-server claim merges the shards' due sets, reading each a page at a time
 * (`max(8, ⌈4·limit/shards⌉)` entries; `limit` with one shard). A table of shard counts
 * (1, 2, 16 and the most a keyspace may have, 1024) and limits (1, at a page's size and
 * one either side of it, of all the due deliveries and past them, and large), over shards
 * holding one less than a page, a page, one more, two pages and one more, their due times
 * interleaved so the merge goes back and forth between pages of different shards, with
 * ties across shards. Each claim, and the claims that follow until none are due, takes the
 * earliest due of all, each delivery once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@herald/core/store';
import { sampleNotification } from '@herald/testing';
import { createRedisStore } from '../src/index.js';
import { shardOfUser } from '../src/shards.js';
import { startRedisServer, type RedisServer } from './redis-server.js';

let server: RedisServer;
let runs = 0;

beforeAll(async () => {
  server = await startRedisServer();
});

afterAll(async () => {
  await server?.destroy();
});

/** The merge's page for a claim of `limit` over `shards` (as scripts/claims.ts reads them). */
const pageOf = (limit: number, shards: number): number => (shards === 1 ? limit : Math.max(8, Math.ceil((4 * limit) / shards)));

/** A user of each of `count` different shards (all shards when there are fewer). */
function usersOfShards(count: number, shards: number): string[] {
  const users = new Map<number, string>();
  for (let index = 0; users.size < Math.min(count, shards); index += 1) {
    const shard = shardOfUser(`user-${index}`, shards);
    if (!users.has(shard)) users.set(shard, `user-${index}`);
  }
  return [...users.values()];
}

describe.each([1, 2, 16, 1024])('with %i shards', (shards) => {
  it.each([1, 7, 8, 9, 16, 17, 33, 64, 65, 200, 2_000])('claims the earliest due of all shards with limit %i, page after page', async (limit) => {
    await using store = await createRedisStore({ url: server.url, prefix: `claim-pages-${(runs += 1)}`, shards });
    const start = Date.now() - 60_000;
    let now = start;
    const page = pageOf(limit, shards);
    const sizes = [page - 1, page, page + 1, 2 * page + 1].filter((size) => size > 0);
    const users = usersOfShards(sizes.length, shards);
    const due: number[] = [];
    for (const [index, size] of sizes.entries()) {
      const userId = users[index % users.length] as string;
      // Shard k's n-th delivery is due at start + n·k: the shards interleave, and all tie at the start and wherever n·k meet.
      const times = Array.from({ length: size }, (_, n) => start + n * (index + 1));
      // Saved 500 to a notification: a claim may hold deliveries of several.
      for (let from = 0; from < times.length; from += 500) {
        const deliveries = times.slice(from, from + 500).map((nextAttemptAt) => ({ id: newId(), subscriptionId: 'gone', transport: 'noop', platformType: 'windows' as const, kind: 'notification' as const, nextAttemptAt }));
        await store.saveNotification({ notification: sampleNotification({ userId, appNotificationId: newId() }, start), deliveries, now: start });
      }
      due.push(...times);
      now = Math.max(now, ...times);
    }
    due.sort((a, b) => a - b);
    const seen = new Set<string>();
    const rounds = Math.ceil(due.length / limit);
    for (let round = 0; due.length > 0; round += 1) {
      expect(round, 'each claim takes as many as it may').toBeLessThan(rounds);
      const claims = await store.claimDeliveries({ owner: 'pages', now, leaseMs: 600_000, limit });
      for (const { delivery } of claims) {
        expect(seen.has(delivery.id), 'each delivery claimed once').toBe(false);
        seen.add(delivery.id);
      }
      expect(claims.map(({ delivery }) => delivery.nextAttemptAt).sort((a, b) => (a ?? 0) - (b ?? 0)), `claim ${round} of ${limit}`).toEqual(due.splice(0, limit));
    }
    expect(await store.claimDeliveries({ owner: 'pages', now, leaseMs: 600_000, limit }), 'none left').toEqual([]);
  }, 60_000);
});
