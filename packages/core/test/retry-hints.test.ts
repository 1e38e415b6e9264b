import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { exponentialBackoff } from '@herald/core';
import { retryDelayMs, TransportError } from '@herald/core/transport';
import { harness, referenceRequest, type Harness } from './support.js';

let h: Harness;
afterEach(async () => {
  await h?.service.close();
});

const day = 86_400_000;

describe('a retry-after hint', () => {
  // The instance reported: 503 with Retry-After: 0 made ten requests within 5 ms.
  it('of 0 on every attempt keeps the schedule instead of using every attempt at once', async () => {
    h = await harness({ dispatcher: { retry: exponentialBackoff({ baseDelayMs: 1000, jitter: 0, maxAttempts: 10 }) } });
    await h.subscribe('alice', ['windows']);
    const attemptedAt: number[] = [];
    h.transport.behave(() => {
      attemptedAt.push(h.clock.now());
      throw TransportError.retryable('503 Service Unavailable', { retryAfterMs: 0 });
    });
    const start = h.clock.now();
    const { notification } = await h.service.send(referenceRequest(start), { userId: 'alice' });
    await h.clock.advance('1s');
    expect(attemptedAt).toHaveLength(2); // the first, and the first retry one second later
    await h.clock.runAll();
    const gaps = attemptedAt.slice(1).map((at, index) => at - (attemptedAt[index] as number));
    expect(gaps).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 64_000, 128_000, 256_000]);
    const [delivery] = await h.service.deliveries.list('alice', notification.id);
    expect(delivery).toMatchObject({ status: 'dead', attempts: 10 });
  });

  it.each([
    { hint: 0, expected: 1000, why: 'zero never shortens' },
    { hint: -5000, expected: 1000, why: 'a date in the past counts as zero' },
    { hint: 999, expected: 1000, why: 'shorter than the schedule is ignored' },
    { hint: 1000, expected: 1000, why: 'equal to the schedule' },
    { hint: 120_000, expected: 120_000, why: 'longer lengthens' },
    { hint: 5 * day, expected: day, why: 'longer than maxRetryAfterMs is capped' },
    { hint: Number.NaN, expected: 1000, why: 'not a number is ignored' },
    { hint: Number.POSITIVE_INFINITY, expected: day, why: 'forever is capped' },
  ])('of $hint ms waits $expected ms when the schedule says 1000 ($why)', async ({ hint, expected }) => {
    h = await harness({ dispatcher: { retry: exponentialBackoff({ baseDelayMs: 1000, jitter: 0 }), maxRetryAfterMs: day } });
    await h.subscribe('alice', ['windows']);
    h.transport.behave((_call, index) => {
      if (index === 0) throw TransportError.retryable('busy', { retryAfterMs: hint });
    });
    await h.service.send(referenceRequest(h.clock.now()), { userId: 'alice' });
    await h.clock.advance(expected - 1);
    expect(h.transport.calls).toHaveLength(1);
    await h.clock.advance(1);
    expect(h.transport.calls).toHaveLength(2);
  });

  it('never waits less than the schedule, nor more than the longer of the schedule and the cap', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 10 * day }),
        fc.option(fc.oneof(fc.integer({ min: -10 * day, max: 10 * day }), fc.double()), { nil: undefined }),
        fc.integer({ min: 1, max: 10 * day }),
        (scheduled, hint, cap) => {
          const delay = retryDelayMs(scheduled, hint, cap);
          expect(delay).toBeGreaterThanOrEqual(scheduled);
          expect(delay).toBeLessThanOrEqual(Math.max(scheduled, cap));
          if (hint !== undefined && hint > scheduled) expect(delay).toBe(Math.max(scheduled, Math.min(hint, cap)));
          else expect(delay).toBe(scheduled);
        },
      ),
    );
  });
});
