/**
 * Claims, leases and completions against a model of the due index, on every way the
 * store reaches Redis: a single server (one claim merges all shards; or, with
 * `crossShardScripts: false`, the per-shard plan a cluster uses), a one-node cluster
 * reached by URL (a plain client: the merge runs on a cluster-enabled server, its keys in
 * many slots of one node) and the same node through a cluster client (the per-shard plan).
 * Random runs of claims (limits from 1 past the merge's page size, leases of 0 ms up),
 * time passing so leases lapse, batches of completions of many shards made in one turn
 * (with stale tokens among them), cancels and deletions: each claim takes exactly the
 * `limit` earliest claimable of all shards (compared by due time: ties may go either way),
 * never a delivery leased and not lapsed, and each completion is answered as the model says.
 */
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { ClaimedDelivery, DeliveryOutcome, NotificationStore } from '@herald/core/store';
import { newId } from '@herald/core/store';
import { sampleNotification } from '@herald/testing';
import { createRedisStore } from '../src/index.js';
import { clusterReady, startRedisServer, type RedisServer } from './redis-server.js';

let server: RedisServer;
let node: RedisServer;
let cluster: Cluster;
let runs = 0;

/** A cluster of one node: every slot on it, so a plain client reaches all of them. */
async function startOneNodeCluster(): Promise<RedisServer> {
  const started = await startRedisServer({ cluster: true });
  const admin = new Redis(started.url);
  try {
    // A lone node knows no address of its own until a peer tells it: announce one, for the cluster client.
    await admin.call('CONFIG', 'SET', 'cluster-announce-ip', '127.0.0.1');
    await admin.call('CLUSTER', 'ADDSLOTSRANGE', '0', '16383');
    for (let waited = 0; !(await admin.call('CLUSTER', 'INFO') as string).includes('cluster_state:ok'); waited += 50) {
      if (waited > 20_000) throw new Error('the one-node cluster did not reach cluster_state:ok');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    admin.disconnect();
  }
  return started;
}

beforeAll(async () => {
  [server, node] = await Promise.all([startRedisServer(), startOneNodeCluster()]);
  cluster = new Cluster([{ host: '127.0.0.1', port: node.port }], { enableOfflineQueue: false, redisOptions: { autoResendUnfulfilledCommands: false } });
  await clusterReady(cluster);
}, 60_000);

afterAll(async () => {
  await cluster?.quit();
  await Promise.all([server?.destroy(), node?.destroy()]);
});

/** A notification to save: its user (of a few, so shards hold several), its deliveries' due offsets. */
const note = fc.record({ user: fc.integer({ min: 0, max: 30 }), offsets: fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 6 }) });
/** A burst: one user's notification with many deliveries due at once (past a merge page of 8). */
const burst = fc.record({ user: fc.integer({ min: 0, max: 30 }), offsets: fc.integer({ min: 0, max: 40 }).chain((at) => fc.integer({ min: 9, max: 40 }).map((count) => Array.from({ length: count }, () => at))) });

const step = fc.oneof(
  fc.record({ op: fc.constant('claim' as const), limit: fc.oneof(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 11, max: 90 })), leaseMs: fc.constantFrom(0, 1, 5, 30, 1_000) }),
  fc.record({ op: fc.constant('tick' as const), ms: fc.integer({ min: 1, max: 25 }) }),
  fc.record({
    op: fc.constant('complete' as const),
    picks: fc.array(fc.record({ pick: fc.nat(), outcome: fc.constantFrom('delivered', 'failed', 'dead', 'expired', 'cancelled', 'stale'), delay: fc.integer({ min: 0, max: 30 }) }), { minLength: 1, maxLength: 12 }),
  }),
  fc.record({ op: fc.constantFrom('cancel' as const, 'delete' as const), pick: fc.nat() }),
);

/** What the model knows of a delivery: its score in the due index while open, and the token holding it. */
interface Modelled {
  readonly userId: string;
  readonly notificationId: string;
  score: number;
  open: boolean;
  token: string | undefined;
}

function outcomeOf(kind: string, at: number): DeliveryOutcome {
  const error = { code: 'E', message: 'refused' };
  if (kind === 'failed') return { status: 'failed', nextAttemptAt: at, error };
  if (kind === 'dead') return { status: 'dead', error };
  if (kind === 'cancelled') return { status: 'cancelled', reason: 'unsubscribed' };
  return { status: kind as 'delivered' | 'expired' };
}

describe.each([
  { on: 'a single server', shardCounts: [16, 3, 1], open: (prefix: string, shards: number) => createRedisStore({ url: server.url, prefix, shards }) },
  { on: 'a single server, scripts kept in one shard (crossShardScripts: false)', shardCounts: [16, 3], open: (prefix: string, shards: number) => createRedisStore({ url: server.url, prefix, shards, crossShardScripts: false }) },
  { on: 'a one-node cluster reached by URL (plain client)', shardCounts: [16], open: (prefix: string, shards: number) => createRedisStore({ url: node.url, prefix, shards }) },
  { on: 'a one-node cluster through a cluster client', shardCounts: [16], open: (prefix: string, shards: number) => createRedisStore({ client: cluster, prefix, shards }) },
])('on $on', ({ shardCounts, open }) => {
  it('claims the earliest claimable of all shards and answers completions as the model does, through lapses, retries, cancels and deletions', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(note, { maxLength: 30 }), fc.array(burst, { maxLength: 2 }), fc.array(step, { minLength: 1, maxLength: 25 }), fc.constantFrom(...shardCounts), async (notes, bursts, steps, shards) => {
        const store: NotificationStore = await open(`claim-model-${(runs += 1)}`, shards);
        try {
          const start = Date.now() - 10_000;
          const model = new Map<string, Modelled>();
          const notifications: { userId: string; id: string }[] = [];
          for (const { user, offsets } of [...notes, ...bursts]) {
            const userId = `user-${user}`;
            const deliveries = offsets.map((offset) => ({ id: newId(), subscriptionId: 'gone', transport: 'noop', platformType: 'windows' as const, kind: 'notification' as const, nextAttemptAt: start + offset }));
            const saved = await store.saveNotification({ notification: sampleNotification({ userId, appNotificationId: newId() }, start), deliveries, now: start });
            notifications.push({ userId, id: saved.notification.id });
            for (const d of deliveries) model.set(d.id, { userId, notificationId: saved.notification.id, score: d.nextAttemptAt, open: true, token: undefined });
          }
          let now = start;
          const held: ClaimedDelivery[] = [];
          for (const s of steps) {
            if (s.op === 'tick') {
              now += s.ms;
            } else if (s.op === 'claim') {
              const claimable = [...model.values()].filter((d) => d.open && d.score <= now).map((d) => d.score).sort((a, b) => a - b);
              const claims = await store.claimDeliveries({ owner: 'model', now, leaseMs: s.leaseMs, limit: s.limit });
              const ids = claims.map((claim) => claim.delivery.id);
              expect(new Set(ids).size, 'no delivery twice in one claim').toBe(ids.length);
              const taken = ids.map((id) => {
                const d = model.get(id);
                expect(d?.open && d.score <= now, `claimed ${id}, which is not claimable`).toBe(true);
                return (d as Modelled).score;
              });
              expect(taken.sort((a, b) => a - b), `a claim of ${s.limit} at +${now - start} ms`).toEqual(claimable.slice(0, s.limit));
              for (const claim of claims) {
                const d = model.get(claim.delivery.id) as Modelled;
                // The due index holds a leased delivery at the later of its due time and the lease's expiry.
                d.score = Math.max(d.score, now + s.leaseMs);
                d.token = claim.delivery.lease.token;
                expect(claim.notification?.id).toBe(d.notificationId);
                held.push(claim);
              }
            } else if (s.op === 'complete') {
              if (held.length === 0) continue;
              // One turn: on a single server the completions of every shard go in one script call.
              const made = s.picks.map(({ pick, outcome, delay }) => {
                const claim = held[pick % held.length] as ClaimedDelivery;
                const token = outcome === 'stale' ? newId() : claim.delivery.lease.token;
                return { claim, token, outcome: outcomeOf(outcome === 'stale' ? 'delivered' : outcome, now + delay) };
              });
              const answers = await Promise.all(made.map(({ claim, token, outcome }) => store.completeDelivery({ userId: claim.delivery.userId, deliveryId: claim.delivery.id, token }, outcome, now)));
              // The model applies them in the order they were made, as the store must.
              made.forEach(({ claim, token, outcome }, index) => {
                const d = model.get(claim.delivery.id) as Modelled;
                const holds = d.open && d.token === token;
                expect(answers[index], `completion ${index} (${outcome.status}) of ${claim.delivery.id}`).toBe(holds);
                if (!holds) return;
                d.token = undefined;
                if (outcome.status === 'failed') d.score = outcome.nextAttemptAt;
                else d.open = false;
              });
            } else if (notifications.length > 0) {
              const target = notifications[s.pick % notifications.length] as { userId: string; id: string };
              const opened = [...model.values()].filter((d) => d.notificationId === target.id && d.open);
              if (s.op === 'cancel') {
                expect(await store.cancelDeliveries(target.userId, target.id, 'test', now), 'cancelled as many as were open').toBe(opened.length);
                for (const d of opened) d.open = false;
              } else {
                await store.deleteNotification(target.userId, target.id, now);
                for (const d of [...model.values()].filter((other) => other.notificationId === target.id)) d.open = false;
              }
            }
          }
          const next = [...model.values()].filter((d) => d.open).map((d) => d.score);
          expect(await store.nextDueAt(), 'the next due time of all shards').toBe(next.length === 0 ? undefined : Math.min(...next));
        } finally {
          await store.close();
        }
      }),
      { numRuns: 30 },
    );
  }, 180_000);
});
