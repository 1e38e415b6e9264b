/**
 * The engine is a deterministic state machine: the same operations with the same
 * inputs (ids, tokens, times) leave the same state, which is what lets a durable store
 * rebuild it by replaying a log.
 */
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryState } from '../src/engine/index.js';
import type { MemoryStateOptions } from '../src/engine/index.js';
import { exampleContent, t0 } from './fixtures.js';

const operation = fc.oneof(
  fc.record({
    kind: fc.constant('save' as const),
    user: fc.constantFrom('alice', 'bob'),
    app: fc.integer({ min: 0, max: 4 }),
    deliveries: fc.integer({ min: 0, max: 2 }),
    expiresIn: fc.constantFrom(30, 1_000),
    key: fc.option(fc.constantFrom('k1', 'k2'), { nil: undefined }),
  }),
  fc.record({ kind: fc.constant('read' as const), user: fc.constantFrom('alice', 'bob'), pick: fc.nat() }),
  fc.record({ kind: fc.constant('delete' as const), user: fc.constantFrom('alice', 'bob'), pick: fc.nat() }),
  fc.record({ kind: fc.constant('subscribe' as const), user: fc.constantFrom('alice', 'bob'), expiresIn: fc.constantFrom(20, 5_000) }),
  fc.record({ kind: fc.constant('claim' as const), limit: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('complete' as const), pick: fc.nat(), dead: fc.boolean() }),
  fc.record({ kind: fc.constant('retry' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('purge' as const) }),
  fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 1, max: 40 }) }),
);
type Operation = typeof operation extends fc.Arbitrary<infer T> ? T : never;

/** Applies the operations to a fresh engine, feeding it ids, tokens and times from counters. */
function replay(operations: readonly Operation[], options: MemoryStateOptions = {}): { engine: MemoryState; results: unknown[] } {
  const engine = new MemoryState(options);
  const results: unknown[] = [];
  let now = t0;
  let serial = 0;
  const id = (prefix: string) => `${prefix}-${++serial}`;
  const leases: { userId: string; deliveryId: string; token: string }[] = [];
  for (const op of operations) {
    switch (op.kind) {
      case 'save': {
        const deliveries = Array.from({ length: op.deliveries }, () => ({
          id: id('d'),
          subscriptionId: 's',
          transport: 'console',
          platformType: 'windows' as const,
          kind: 'notification' as const,
          nextAttemptAt: now,
        }));
        const content = exampleContent({ appNotificationId: `a${op.app}`, expirationDateTime: new Date(now + op.expiresIn).toISOString() });
        const write = { notification: { ...content, id: id('n'), userId: op.user }, deliveries, now };
        results.push(engine.saveNotification(op.key === undefined ? write : { ...write, idempotency: { key: op.key, fingerprint: 'f', expiresAt: now + 100 } }));
        break;
      }
      case 'read':
      case 'delete': {
        const items = engine.listFeed(op.user, { limit: 1000 }, now).items;
        const target = items[op.pick % Math.max(1, items.length)];
        if (target === undefined) break;
        results.push(
          op.kind === 'read'
            ? engine.updateNotificationState(op.user, target.id, { readState: 'read' }, now)
            : engine.deleteNotification(op.user, target.id, now),
        );
        break;
      }
      case 'subscribe':
        results.push(engine.createSubscription(id('s'), { userId: op.user, targetHostName: 'h', platformType: 'ios', transport: 't', address: 'x', expiresAt: now + op.expiresIn }, now));
        break;
      case 'claim': {
        const tokens = Array.from({ length: op.limit }, () => id('token'));
        const claims = engine.claimDeliveries({ owner: 'w', now, leaseMs: 50, limit: op.limit }, tokens);
        for (const claim of claims) leases.push({ userId: claim.delivery.userId, deliveryId: claim.delivery.id, token: claim.delivery.lease.token });
        results.push(claims);
        break;
      }
      case 'complete': {
        const lease = leases[op.pick % Math.max(1, leases.length)];
        if (lease === undefined) break;
        results.push(engine.completeDelivery(lease, op.dead ? { status: 'dead', error: { code: 'E', message: 'e' } } : { status: 'delivered' }, now));
        break;
      }
      case 'retry': {
        const dead = engine.listDeadDeliveries(100, undefined).items;
        const target = dead[op.pick % Math.max(1, dead.length)];
        if (target !== undefined) results.push(engine.retryDelivery(target.userId, target.id, now));
        break;
      }
      case 'purge':
        results.push(engine.purgeExpired({ now, tombstonesBefore: now - 50, limit: 2 }));
        break;
      case 'wait':
        now += op.ms;
        break;
    }
  }
  return { engine, results };
}

describe('the engine', () => {
  it('reaches the same state and results from the same operations', () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 80 }), (operations) => {
        const first = replay(operations);
        const second = replay(operations);
        expect(second.results).toEqual(first.results);
        expect(second.engine.logicalState()).toEqual(first.engine.logicalState());
      }),
      { numRuns: 200 },
    );
  });

  it('reaches the same state under bounds too', () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 80 }), (operations) => {
        const options = { maxNotificationsPerUser: 2, maxNotifications: 3 };
        expect(replay(operations, options).engine.logicalState()).toEqual(replay(operations, options).engine.logicalState());
      }),
      { numRuns: 100 },
    );
  });

  it('tells states apart in its logical state', () => {
    const operations: Operation[] = [
      { kind: 'save', user: 'alice', app: 1, deliveries: 1, expiresIn: 1_000, key: undefined },
      { kind: 'claim', limit: 1 },
    ];
    const a = replay(operations).engine.logicalState();
    const b = replay([...operations, { kind: 'read', user: 'alice', pick: 0 }]).engine.logicalState();
    expect(b).not.toEqual(a);
    expect(a.users[0]?.notifications[0]?.deliveries[0]?.lease?.token).toBe('token-3');
  });

  it('leaves the state as it was when it refuses a write', () => {
    const engine = new MemoryState();
    const delivery = { id: 'd1', subscriptionId: 's', transport: 't', platformType: 'ios' as const, kind: 'notification' as const, nextAttemptAt: t0 };
    const before = engine.logicalState();
    const write = { notification: { ...exampleContent(), id: 'n1', userId: 'alice' }, deliveries: [delivery, delivery], now: t0 };
    expect(() => engine.saveNotification(write)).toThrow(/already taken/);
    expect(engine.logicalState()).toEqual(before);
    expect(before.users).toEqual([]);
  });

  it('reads no clock and no random source: those come in as arguments', () => {
    const sources = readdirSync(new URL('../src/engine/', import.meta.url))
      .filter((file) => file.endsWith('.ts'))
      .map((file) => [file, readFileSync(new URL(`../src/engine/${file}`, import.meta.url), 'utf8')] as const);
    expect(sources.length).toBeGreaterThan(5);
    for (const [file, source] of sources) {
      const text = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, ''); // code, not comments
      expect(text, file).not.toMatch(/Date\.now|new Date\(\)|performance\.now|Math\.random|randomUUID|newId|node:crypto|hrtime/);
    }
  });
});
