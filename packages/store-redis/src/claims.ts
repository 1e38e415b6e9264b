/**
 * Claims and leases across shards. Every claim is an atomic script, so two instances
 * never lease the same delivery. On a single server one script call claims the `limit`
 * earliest due deliveries of all shards (a merge of their due sets), and one call
 * completes the deliveries of every shard that finished in a turn. On a cluster, where a
 * script stays in one slot, a claim first looks at each shard's earliest due times, picks
 * the `limit` earliest of all, then claims that many from each shard; between the look
 * and the claim another instance may take some: the claim then returns fewer, never one
 * twice.
 */
import { deepFreeze } from '@herald/core/store';
import type { ClaimedDelivery, DeliveryLease, DeliveryOutcome, StoredNotification, StoredSubscription, StoreImplementation } from '@herald/core/store';
import type { ScriptArgument } from './client.js';
import { storeError } from './errors.js';
import { checkedTime } from './script-arguments.js';
import { deliveryFromRow, listOf, notificationFromRow, numberOf, subscriptionFromRow, textOf } from './records.js';
import { deliveryRowFields } from './scripts/claims.js';
import { scripts } from './scripts/index.js';
import type { ShardRoute } from './keys.js';
import { batchArguments, ShardBatches } from './shard-batches.js';
import type { StoreContext } from './store-context.js';

/** The calls of this module. */
export type ClaimCalls = Pick<StoreImplementation, 'claimDeliveries' | 'renewLease' | 'completeDelivery' | 'nextDueAt'>;

/** Values per claim in a claim's reply: the delivery's row, then its notification's and subscription's indexes. */
const claimStride = deliveryRowFields.length + 2;

/**
 * The claims of one `claimDeliveries` reply (`{claims, notes, subscriptions}`, see the
 * script), the n-th with the n-th of `tokens`. A notification or subscription that
 * several claims share is read once and shared, frozen (as the memory store shares its
 * records), so no transport can change what another is handed.
 */
function claimsFrom(reply: unknown, owner: string, expiresAt: number, tokens: readonly string[]): ClaimedDelivery[] {
  const [values, noteRows, subscriptionRows] = listOf(reply, 'claimDeliveries');
  const row = listOf(values, 'claimDeliveries');
  const noteList = listOf(noteRows, "a claim's notifications");
  const subscriptionList = listOf(subscriptionRows, "a claim's subscriptions");
  if (row.length % claimStride !== 0 || row.length / claimStride > tokens.length) {
    throw storeError('STORE_CORRUPT', `Redis answered claimDeliveries with ${row.length} values, not ${claimStride} per claim for at most ${tokens.length} claims`);
  }
  const notes = new Map<number, StoredNotification | undefined>();
  const subscriptions = new Map<number, StoredSubscription>();
  const claims: ClaimedDelivery[] = [];
  for (let at = 0; at < row.length; at += claimStride) {
    const lease: DeliveryLease = Object.freeze({ owner, token: tokens[claims.length] as string, expiresAt });
    const delivery = deliveryFromRow(row, at, lease);
    const noteIndex = numberOf(row[at + claimStride - 2], "a claim's notification");
    const subscriptionIndex = numberOf(row[at + claimStride - 1], "a claim's subscription");
    let notification = notes.get(noteIndex);
    if (notification === undefined && !notes.has(noteIndex)) {
      notification = notificationFromRow(noteList[noteIndex - 1], delivery.userId)?.notification;
      if (notification !== undefined) deepFreeze(notification);
      notes.set(noteIndex, notification);
    }
    let subscription: StoredSubscription | undefined;
    if (subscriptionIndex > 0) {
      subscription = subscriptions.get(subscriptionIndex);
      if (subscription === undefined) {
        subscription = Object.freeze(subscriptionFromRow(subscriptionList[subscriptionIndex - 1]));
        subscriptions.set(subscriptionIndex, subscription);
      }
    }
    const claim: { -readonly [K in keyof ClaimedDelivery]: ClaimedDelivery[K] } = { delivery };
    if (notification !== undefined) claim.notification = notification;
    if (subscription !== undefined) claim.subscription = subscription;
    claims.push(claim);
  }
  return claims;
}

/**
 * Most completions in one script call. A dispatcher completes as its attempts end, so a
 * batch holds those of one turn, or of the last call's round trip.
 */
const maxCompletionsPerCall = 128;


/** The script arguments that complete a delivery with `outcome`. */
function outcomeArguments(outcome: DeliveryOutcome): ScriptArgument[] {
  switch (outcome.status) {
    case 'failed':
      return ['failed', checkedTime('completeDelivery', outcome.nextAttemptAt, 'outcome.nextAttemptAt'), outcome.error.code, outcome.error.message];
    case 'dead':
      return ['dead', '', outcome.error.code, outcome.error.message];
    case 'cancelled':
      return ['cancelled', outcome.reason, '', ''];
    case 'delivered':
    case 'expired':
      return [outcome.status, '', '', ''];
  }
}

/** The `limit` earliest of all shards' due `times` (each shard's earliest first): how many each shard holds, and the latest time taken. */
function earliestOf(routes: readonly ShardRoute[], times: readonly (readonly number[])[], limit: number): { plan: Map<ShardRoute, number>; last: number } {
  const due: { route: ShardRoute; at: number }[] = [];
  times.forEach((shardTimes, index) => {
    const route = routes[index] as ShardRoute;
    for (const at of shardTimes) due.push({ route, at });
  });
  // A stable sort: ties keep shard order, and each shard's own order.
  due.sort((a, b) => a.at - b.at);
  const plan = new Map<ShardRoute, number>();
  const taken = due.slice(0, limit);
  for (const { route } of taken) plan.set(route, (plan.get(route) ?? 0) + 1);
  // Fewer than `limit` due in all: any more a shard holds would be taken too.
  return { plan, last: taken.length < limit ? Number.POSITIVE_INFINITY : (taken.at(-1)?.at ?? Number.POSITIVE_INFINITY) };
}

/** Builds the claim calls over `context`: one call for all shards on a single server (`crossShardScripts`), per shard on a cluster. */
export function claimCalls({ link, keyspace, crossShardScripts: acrossShards }: StoreContext): ClaimCalls {
  const routes = keyspace.everyShard();
  const first = routes[0] as ShardRoute;
  /** The shard list of a script that works them all: their count, then their tags. */
  const everyTag: ScriptArgument[] = [routes.length, ...routes.map((route) => route.tag)];

  // Completions of one shard (of every shard, on a single server) share a script call:
  // group commit, shard-batches.ts.
  const completions = new ShardBatches<ScriptArgument[]>('completeDeliveries', maxCompletionsPerCall, async (route, items) =>
    listOf(await link.run(scripts.completeDeliveries, route.key, batchArguments(route.tag, items)), 'completeDeliveries'),
  );

  /** Each shard's earliest due times, up to `count` of them. */
  const peek = async (shards: readonly ShardRoute[], now: number, count: number): Promise<number[][]> => {
    const replies = await Promise.all(shards.map((route) => link.run(scripts.peekDue, route.key, [route.tag, now, count])));
    return replies.map((reply) => {
      const times = textOf(reply, 'the due times');
      return times === '' ? [] : times.split(',').map((at) => numberOf(at, 'a due time'));
    });
  };

  /**
   * How many deliveries to claim from each shard of a cluster: the `limit` earliest due
   * of all shards (by due time: which of several due at the same time goes first is not
   * promised). Each shard is first asked for a few of its earliest (four times its share
   * of the limit, at least 8), not `limit`: a claim of 64 across 16 shards then reads a
   * quarter as many entries. (Twice its share had a third of the claims of the delivery
   * benchmark ask again: a batch of sends makes a shard's deliveries due together.) A
   * shard that gave as many as asked, all taken, may hold more; they are due no earlier
   * than its last, so the choice stands unless a later time was taken from another shard.
   * Only then are those shards asked again for `limit` each, and the choice made again.
   */
  const planClaims = async (now: number, limit: number): Promise<Map<ShardRoute, number>> => {
    if (routes.length === 1) return new Map([[first, limit]]);
    const few = Math.min(limit, Math.max(8, Math.ceil((4 * limit) / routes.length)));
    const times = await peek(routes, now, few);
    const { plan, last } = earliestOf(routes, times, limit);
    if (few === limit) return plan;
    const short = routes.flatMap((route, index) => {
      const given = times[index] ?? [];
      return given.length === few && plan.get(route) === few && (given.at(-1) ?? 0) < last ? [index] : [];
    });
    if (short.length === 0) return plan;
    const more = await peek(short.map((index) => routes[index] as ShardRoute), now, limit);
    short.forEach((shard, index) => {
      times[shard] = more[index] ?? [];
    });
    return earliestOf(routes, times, limit).plan;
  };

  /** Claims up to `count` of the earliest due deliveries of the shards `tags` lists (`[count of shards, …tags]`). */
  const claim = async (route: ShardRoute, tags: readonly ScriptArgument[], now: number, owner: string, expiresAt: number, count: number, tokens: readonly string[]): Promise<ClaimedDelivery[]> =>
    claimsFrom(await link.run(scripts.claimDeliveries, route.key, [route.tag, now, owner, expiresAt, count, ...tags, ...tokens]), owner, expiresAt, tokens);

  return {
    async claimDeliveries({ owner, now, leaseMs, limit }, leaseTokens) {
      const expiresAt = now + leaseMs;
      // One call takes the earliest of all shards; it cannot know beforehand how many it takes, so it gets `limit` tokens.
      if (acrossShards) return claim(first, everyTag, now, owner, expiresAt, limit, leaseTokens(limit));
      const plan = await planClaims(now, limit);
      const replies = await Promise.all([...plan].map(([route, count]) => claim(route, [1, route.tag], now, owner, expiresAt, count, leaseTokens(count))));
      return replies.flat();
    },

    async renewLease(ref, now, leaseMs) {
      const route = keyspace.user(ref.userId);
      return (await link.run(scripts.renewLease, route.key, [route.tag, ref.userId, ref.deliveryId, ref.token, now + leaseMs])) === 1;
    },

    async completeDelivery(ref, outcome, now) {
      const route = keyspace.user(ref.userId);
      const reply = await completions.submit(acrossShards ? first : route, [route.tag, ref.userId, ref.deliveryId, ref.token, checkedTime('completeDelivery', now, 'now'), ...outcomeArguments(outcome)]);
      if (reply === -1) throw storeError('INVALID_ARGUMENT', `completeDelivery: the outcome of delivery ${JSON.stringify(ref.deliveryId)} is not one the store records`);
      return reply === 1;
    },

    async nextDueAt() {
      const replies = acrossShards
        ? [await link.run(scripts.nextDue, first.key, [first.tag, ...everyTag])]
        : await Promise.all(routes.map((route) => link.run(scripts.nextDue, route.key, [route.tag, 1, route.tag])));
      let earliest: number | undefined;
      for (const reply of replies) {
        if (reply === null) continue;
        const at = numberOf(textOf(reply, 'a due time'), 'a due time');
        if (earliest === undefined || at < earliest) earliest = at;
      }
      return earliest;
    },
  };
}
