/**
 * Claims and leases across shards. Each shard's claim is one atomic script, so two
 * instances never lease the same delivery; a claim across shards first looks at each
 * shard's earliest due deliveries, picks the `limit` earliest of all, then claims that
 * many from each shard. Between the look and the claim another instance may take some:
 * the claim then returns fewer, never one twice.
 */
import type { ClaimedDelivery, DeliveryOutcome, StoreImplementation } from '@herald/core/store';
import type { ScriptArgument } from './client.js';
import { storeError } from './errors.js';
import { checkedTime } from './script-arguments.js';
import { deliveryFrom, fieldsOf, listOf, notificationFromRow, numberOf, subscriptionFrom, textOf } from './records.js';
import { scripts } from './scripts/index.js';
import type { ShardRoute } from './keys.js';
import { batchArguments, ShardBatches } from './shard-batches.js';
import type { StoreContext } from './store-context.js';

/** The calls of this module. */
export type ClaimCalls = Pick<StoreImplementation, 'claimDeliveries' | 'renewLease' | 'completeDelivery' | 'nextDueAt'>;

/** One claim's reply: the delivery, its notification and its subscription (empty when gone). */
function claimFrom(entry: unknown): ClaimedDelivery {
  const [deliveryHash, noteRow, subscriptionHash] = listOf(entry, 'a claim');
  const delivery = deliveryFrom(fieldsOf(deliveryHash, 'a claimed delivery')) as ClaimedDelivery['delivery'];
  const note = notificationFromRow(noteRow, delivery.userId);
  const subscription = fieldsOf(subscriptionHash, "a claim's subscription");
  const claim: { -readonly [K in keyof ClaimedDelivery]: ClaimedDelivery[K] } = { delivery };
  if (note !== undefined) claim.notification = note.notification;
  if (subscription['id'] !== undefined) claim.subscription = subscriptionFrom(subscription);
  return claim;
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

/** Builds the claim calls over `context`. */
export function claimCalls({ link, keyspace }: StoreContext): ClaimCalls {
  // Completions of one shard share a script call (group commit, shard-batches.ts).
  const completions = new ShardBatches<ScriptArgument[]>('completeDeliveries', maxCompletionsPerCall, async (route, items) =>
    listOf(await link.run(scripts.completeDeliveries, route.key, batchArguments(route.tag, items)), 'completeDeliveries'),
  );

  /** Each shard's earliest due times, up to `count` of them. */
  const peek = async (routes: readonly ShardRoute[], now: number, count: number): Promise<number[][]> => {
    const replies = await Promise.all(routes.map((route) => link.run(scripts.peekDue, route.key, [route.tag, now, count])));
    return replies.map((reply) => {
      const times = textOf(reply, 'the due times');
      return times === '' ? [] : times.split(',').map((at) => numberOf(at, 'a due time'));
    });
  };

  /**
   * How many deliveries to claim from each shard: the `limit` earliest due of all shards
   * (by due time: which of several due at the same time goes first is not promised).
   * Each shard is first asked for a few of its earliest (four times its share of the
   * limit, at least 8), not `limit`: a claim of 64 across 16 shards then reads a quarter
   * as many entries. (Twice its share had a third of the claims of the delivery benchmark
   * ask again: a batch of sends makes a shard's deliveries due together.) A shard
   * that gave as many as asked, all taken, may hold more; they are due no earlier than
   * its last, so the choice stands unless a later time was taken from another shard.
   * Only then are those shards asked again for `limit` each, and the choice made again.
   */
  const planClaims = async (now: number, limit: number): Promise<Map<ShardRoute, number>> => {
    const routes = keyspace.everyShard();
    const [only] = routes;
    if (routes.length === 1 && only !== undefined) return new Map([[only, limit]]);
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

  return {
    async claimDeliveries({ owner, now, leaseMs, limit }, leaseTokens) {
      const plan = await planClaims(now, limit);
      const replies = await Promise.all(
        [...plan].map(([route, count]) =>
          link.run(scripts.claimDeliveries, route.key, [route.tag, now, owner, now + leaseMs, count, ...leaseTokens(count)]),
        ),
      );
      return replies.flatMap((reply) => listOf(reply, 'claimDeliveries').map(claimFrom));
    },

    async renewLease(ref, now, leaseMs) {
      const route = keyspace.user(ref.userId);
      return (await link.run(scripts.renewLease, route.key, [route.tag, ref.userId, ref.deliveryId, ref.token, now + leaseMs])) === 1;
    },

    async completeDelivery(ref, outcome, now) {
      const route = keyspace.user(ref.userId);
      const reply = await completions.submit(route, [ref.userId, ref.deliveryId, ref.token, checkedTime('completeDelivery', now, 'now'), ...outcomeArguments(outcome)]);
      if (reply === -1) throw storeError('INVALID_ARGUMENT', `completeDelivery: the outcome of delivery ${JSON.stringify(ref.deliveryId)} is not one the store records`);
      return reply === 1;
    },

    async nextDueAt() {
      const routes = keyspace.everyShard();
      const replies = await Promise.all(routes.map((route) => link.run(scripts.nextDue, route.key, [route.tag])));
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
