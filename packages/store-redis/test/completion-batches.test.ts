/**
 * Group commit of completions: the completions of one shard made in the same turn are one
 * script call, each with its own answer. A batch holding every outcome, a completion
 * whose token lost its lease and one whose retry time is no number records each accepted
 * outcome once, changes nothing for the others, and fails only the invalid one.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { DeliveryOutcome } from '@herald/core/store';
import { sampleDeliveries, sampleNotification } from '@herald/testing';
import { createRedisStore } from '../src/index.js';
import { startRedisServer, type RedisServer } from './redis-server.js';

let server: RedisServer;
let admin: Redis;

beforeAll(async () => {
  server = await startRedisServer();
  admin = new Redis(server.url);
});

afterAll(async () => {
  admin?.disconnect();
  await server?.destroy();
});

const error = { code: 'E', message: 'refused' };

it('answers each completion of a batch on its own, in one script call', async () => {
  await using store = await createRedisStore({ url: server.url, prefix: 'completions', shards: 1 });
  const now = Date.now();
  const members: { kind: string; outcome: DeliveryOutcome; token?: string; expect: 'true' | 'false' | 'INVALID_ARGUMENT'; status: string }[] = [
    { kind: 'delivered', outcome: { status: 'delivered' }, expect: 'true', status: 'delivered' },
    { kind: 'failed', outcome: { status: 'failed', nextAttemptAt: now + 1_000, error }, expect: 'true', status: 'failed' },
    { kind: 'dead', outcome: { status: 'dead', error }, expect: 'true', status: 'dead' },
    { kind: 'expired', outcome: { status: 'expired' }, expect: 'true', status: 'expired' },
    { kind: 'cancelled', outcome: { status: 'cancelled', reason: 'unsubscribed' }, expect: 'true', status: 'cancelled' },
    { kind: 'a token that lost its lease', outcome: { status: 'delivered' }, token: 'not-the-token', expect: 'false', status: 'pending' },
    { kind: 'a retry time that is no number', outcome: { status: 'failed', nextAttemptAt: Number.NaN, error }, expect: 'INVALID_ARGUMENT', status: 'pending' },
    { kind: 'delivered after the refused ones', outcome: { status: 'delivered' }, expect: 'true', status: 'delivered' },
  ];
  await store.saveNotification({ notification: sampleNotification({ userId: 'alice' }, now), deliveries: sampleDeliveries(members.length, { nextAttemptAt: now }), now });
  const claims = await store.claimDeliveries({ owner: 'test', now, leaseMs: 60_000, limit: members.length });
  expect(claims).toHaveLength(members.length);
  const calls = async () => Number(/cmdstat_evalsha:calls=(\d+)/.exec(await admin.info('commandstats'))?.[1] ?? 0);
  const before = await calls();
  const outcomes = await Promise.allSettled(
    members.map((member, index) => {
      const { delivery } = claims[index] as (typeof claims)[number];
      return store.completeDelivery({ userId: 'alice', deliveryId: delivery.id, token: member.token ?? delivery.lease.token }, member.outcome, now);
    }),
  );
  expect(await calls(), 'one script call').toBe(before + 1);
  for (const [index, member] of members.entries()) {
    const outcome = outcomes[index] as PromiseSettledResult<boolean>;
    const answer = outcome.status === 'fulfilled' ? String(outcome.value) : (outcome.reason as { code?: string }).code;
    expect(answer, member.kind).toBe(member.expect);
    const record = await store.getDelivery('alice', (claims[index] as (typeof claims)[number]).delivery.id);
    expect(record?.status, member.kind).toBe(member.status);
    expect(record?.attempts, member.kind).toBe(['delivered', 'failed', 'dead'].includes(member.status) ? 1 : 0);
  }
});
