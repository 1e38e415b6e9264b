/**
 * A claim asks for lease tokens only after it took its deliveries, and for exactly as
 * many as it took (the due queue is walked once); a replay's recorded list still gives the
 * n-th delivery the n-th token and caps the claim at the list's length.
 */
import { describe, expect, it } from 'vitest';
import { MemoryState } from '../src/engine/index.js';
import { notificationWrite, t0 } from './fixtures.js';

function engineWith(due: number, later: number): MemoryState {
  const engine = new MemoryState();
  engine.saveNotification(notificationWrite('alice', 'due', { deliveries: due }));
  if (later > 0) engine.saveNotification(notificationWrite('bob', 'later', { deliveries: later, now: t0 + 60_000 }));
  return engine;
}

describe('claim tokens', () => {
  const cases = [
    { due: 0, later: 2, limit: 5, taken: 0 },
    { due: 3, later: 0, limit: 5, taken: 3 },
    { due: 3, later: 2, limit: 5, taken: 3 },
    { due: 5, later: 1, limit: 2, taken: 2 },
    { due: 4, later: 0, limit: 4, taken: 4 },
  ];
  it.each(cases)('with $due due, $later later and limit $limit, mints $taken tokens once', ({ due, later, limit, taken }) => {
    const engine = engineWith(due, later);
    const asked: number[] = [];
    const claims = engine.claimDeliveries({ owner: 'w', now: t0, leaseMs: 1_000, limit }, (count) => {
      asked.push(count);
      return Array.from({ length: count }, (_, index) => `token-${index}`);
    });
    expect(asked).toEqual(taken === 0 ? [] : [taken]);
    expect(claims.map((claim) => claim.delivery.lease.token)).toEqual(Array.from({ length: taken }, (_, index) => `token-${index}`));
    // What was not taken is still due, and what was taken is leased.
    expect(engine.claimDeliveries({ owner: 'w', now: t0, leaseMs: 1_000, limit: 100 }, (count) => Array.from({ length: count }, () => 'x'))).toHaveLength(due - taken);
  });

  it('caps a claim at the length of a recorded list', () => {
    const engine = engineWith(3, 0);
    const claims = engine.claimDeliveries({ owner: 'w', now: t0, leaseMs: 1_000, limit: 10 }, ['a', 'b']);
    expect(claims.map((claim) => claim.delivery.lease.token)).toEqual(['a', 'b']);
  });
});
