/**
 * Every attempt in flight times out at its own deadline, whatever the order the
 * dispatcher's map holds them in. The map keeps a key's first place when a delivery is
 * claimed again while its earlier attempt still runs (its lease lapsed), so its order is
 * not the deadlines' order: a timer that trusted it would let the attempts behind a later
 * deadline run past their own. Every order of four deadlines is tried.
 */
import { describe, expect, it } from 'vitest';
import type { ClaimedDelivery } from '@herald/core/store';
import { createFakeClock } from '@herald/testing';
import { AttemptControl } from '../src/attempt-control.js';
import { AttemptTimers } from '../src/attempt-timers.js';
import type { DispatcherContext } from '../src/dispatcher.js';

const start = Date.UTC(2026, 10, 30, 12);
/** The deadlines, in ms after the start: attempts that started at different times (or were claimed again). */
const offsets = [100, 200, 300, 400];

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, index) => permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]));
}

function control(id: string, deadline: number): AttemptControl {
  const claim = { delivery: { id, userId: 'alice', lease: { token: `token-${id}` } } } as unknown as ClaimedDelivery;
  return new AttemptControl(claim, start, deadline);
}

describe('attempt deadlines', () => {
  it.each(permutations(offsets).map((order) => ({ order: order.join(', ') })))('with deadlines in the map in the order $order, each attempt times out at its own', async ({ order }) => {
    const clock = createFakeClock({ start });
    const inFlight = new Map<string, AttemptControl>();
    for (const offset of order.split(', ').map(Number)) inFlight.set(`d${offset}`, control(`d${offset}`, start + offset));
    // Renewal is never due within the test (half of a day-long lease).
    const context = { clock, settings: { attemptTimeoutMs: 400, leaseMs: 86_400_000 } } as unknown as DispatcherContext;
    const timers = new AttemptTimers(context, inFlight);
    timers.arm();
    for (const offset of offsets) {
      await clock.advanceTo(start + offset - 1);
      expect(inFlight.get(`d${offset}`)?.why, `the attempt due at +${offset} ms ended early`).toBeUndefined();
      await clock.advanceTo(start + offset);
      expect(inFlight.get(`d${offset}`)?.why, `the attempt due at +${offset} ms did not time out then`).toBe('timeout');
    }
    timers.clear();
  });
});
