/**
 * The due queue against a model: random schedules (new, moved, moved back, unchanged,
 * leased or not), removals and claims of a few deliveries, with many equal keys. After every step the
 * queue holds exactly the scheduled deliveries, its next due time is the model's, and a
 * claim takes the model's earliest: smallest key, then the earliest last schedule; at
 * the end, the rest come out in the model's order.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OpenDelivery } from '../src/engine/delivery-record.js';
import { DueQueue } from '../src/engine/due-queue.js';
import type { FeedEntry } from '../src/engine/feed-entry.js';

const count = 12;

const operation = fc.oneof(
  fc.record({
    kind: fc.constant('schedule' as const),
    pick: fc.nat({ max: count - 1 }),
    at: fc.integer({ min: 0, max: 9 }),
    leaseEnds: fc.option(fc.integer({ min: 0, max: 9 }), { nil: undefined }),
  }),
  fc.record({ kind: fc.constant('unschedule' as const), pick: fc.nat({ max: count - 1 }) }),
  fc.record({ kind: fc.constant('take' as const), now: fc.integer({ min: 0, max: 9 }) }),
);

describe('the due queue', () => {
  it('takes deliveries earliest first, ties in the order of their last schedule, and holds each scheduled one once', () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 120 }), (operations) => {
        const queue = new DueQueue();
        const deliveries = Array.from({ length: count }, (_, index) => new OpenDelivery(`d${index}`, {} as FeedEntry, 's', 't', 'windows', 'notification', 0, 0));
        // The model: each queued delivery's key and the serial of the schedule that put it there.
        const model = new Map<OpenDelivery, { key: number; serial: number }>();
        let serial = 0;
        const earliest = (): OpenDelivery | undefined => {
          let best: [OpenDelivery, { key: number; serial: number }] | undefined;
          for (const entry of model) if (best === undefined || entry[1].key < best[1].key || (entry[1].key === best[1].key && entry[1].serial < best[1].serial)) best = entry;
          return best?.[0];
        };
        for (const step of operations) {
          if (step.kind === 'schedule') {
            const delivery = deliveries[step.pick] as OpenDelivery;
            delivery.nextAttemptAt = step.at;
            delivery.lease = step.leaseEnds === undefined ? undefined : { owner: 'o', token: 't', expiresAt: step.leaseEnds };
            queue.schedule(delivery);
            const key = Math.max(step.at, step.leaseEnds ?? step.at);
            if (model.get(delivery)?.key !== key) model.set(delivery, { key, serial: ++serial });
          } else if (step.kind === 'unschedule') {
            const delivery = deliveries[step.pick] as OpenDelivery;
            queue.unschedule(delivery);
            model.delete(delivery);
          } else {
            const expected = earliest();
            const taken = queue.takeDue(step.now);
            if (expected === undefined || (model.get(expected)?.key as number) > step.now) {
              expect(taken).toBeUndefined();
            } else {
              expect(taken).toBe(expected);
              model.delete(expected);
            }
          }
          expect(queue.size).toBe(model.size);
          // The run may hold holes until it compacts them: never fewer nodes than deliveries, none when empty.
          expect(queue.nodes).toBeGreaterThanOrEqual(model.size);
          if (model.size === 0) expect(queue.nodes).toBe(0);
          expect(new Set(queue.queued())).toEqual(new Set(model.keys()));
          const next = earliest();
          expect(queue.nextDueAt()).toBe(next === undefined ? undefined : model.get(next)?.key);
          for (const delivery of deliveries) expect(delivery.dueSlot >= 0 || delivery.runPos >= 0).toBe(model.has(delivery));
        }
        // Then everything left comes out in the model's order.
        const order = [...model].sort(([, a], [, b]) => a.key - b.key || a.serial - b.serial).map(([delivery]) => delivery);
        const taken: OpenDelivery[] = [];
        for (let delivery = queue.takeDue(Infinity); delivery !== undefined; delivery = queue.takeDue(Infinity)) taken.push(delivery);
        expect(taken).toEqual(order);
      }),
      { numRuns: 300 },
    );
  });

  it('takes the rest in order after any one of seven is taken out, for every order of scheduling them', () => {
    const keys = [0, 1, 2, 3, 4, 5, 6];
    const orders: number[][] = [];
    const permute = (prefix: number[], rest: number[]): void => {
      if (rest.length === 0) orders.push(prefix);
      rest.forEach((key, index) => permute([...prefix, key], [...rest.slice(0, index), ...rest.slice(index + 1)]));
    };
    permute([], keys);
    for (const order of orders) {
      for (const removed of keys) {
        const queue = new DueQueue();
        const byKey = new Map(keys.map((key) => [key, new OpenDelivery(`d${key}`, {} as FeedEntry, 's', 't', 'windows', 'notification', 0, key)]));
        for (const key of order) queue.schedule(byKey.get(key) as OpenDelivery);
        queue.unschedule(byKey.get(removed) as OpenDelivery);
        const taken: number[] = [];
        for (let delivery = queue.takeDue(Infinity); delivery !== undefined; delivery = queue.takeDue(Infinity)) taken.push(delivery.nextAttemptAt);
        expect(taken).toEqual(keys.filter((key) => key !== removed));
      }
    }
  });

  it('keeps its order and lets go of its memory when most of a long run leaves from the middle or the head', () => {
    const queue = new DueQueue();
    const deliveries = Array.from({ length: 5000 }, (_, index) => new OpenDelivery(`d${index}`, {} as FeedEntry, 's', 't', 'windows', 'notification', 0, index));
    for (const delivery of deliveries) queue.schedule(delivery);
    // Every delivery but each tenth leaves from the middle: the holes are compacted away.
    deliveries.forEach((delivery, index) => {
      if (index % 10 !== 0) queue.unschedule(delivery);
    });
    const kept = deliveries.filter((_, index) => index % 10 === 0);
    expect(queue.size).toBe(kept.length);
    expect(queue.nodes).toBeLessThan(2 * kept.length + 1024);
    // More join; then the head leaves, past the point where the front is dropped.
    const later = Array.from({ length: 2000 }, (_, index) => new OpenDelivery(`e${index}`, {} as FeedEntry, 's', 't', 'windows', 'notification', 0, 5000 + index));
    for (const delivery of later) queue.schedule(delivery);
    const taken: OpenDelivery[] = [];
    for (let index = 0; index < 1500; index++) taken.push(queue.takeDue(Infinity) as OpenDelivery);
    expect(queue.nodes).toBeLessThan(queue.size + 1024);
    for (let delivery = queue.takeDue(Infinity); delivery !== undefined; delivery = queue.takeDue(Infinity)) taken.push(delivery);
    expect(taken).toEqual([...kept, ...later]);
    expect(queue.nodes).toBe(0);
    expect([...kept, ...later].every((delivery) => delivery.runPos === -1 && delivery.dueSlot === -1)).toBe(true);
  });
});
