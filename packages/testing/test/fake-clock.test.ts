import { describe, expect, it } from 'vitest';
import { createFakeClock, parseDuration } from '@herald/testing';

describe('parseDuration', () => {
  it.each([
    [250, 250],
    ['250ms', 250],
    ['15s', 15_000],
    ['15m', 900_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1500],
  ])('reads %j', (input, expected) => {
    expect(parseDuration(input)).toBe(expected);
  });

  it.each(['', 'soon', '15', '15 m', '-1s', '1y'])('refuses %j, saying how to write one', (input) => {
    expect(() => parseDuration(input)).toThrow(/write it like 250ms, 15s/);
  });

  it('refuses negative and infinite numbers', () => {
    expect(() => parseDuration(-1)).toThrow(TypeError);
    expect(() => parseDuration(Number.POSITIVE_INFINITY)).toThrow(TypeError);
  });
});

describe('the fake clock', () => {
  it('starts at a fixed time and stands still', async () => {
    const clock = createFakeClock();
    expect(new Date(clock.now()).toISOString()).toBe('2026-01-01T00:00:00.000Z');
    await clock.settle();
    expect(clock.now()).toBe(Date.parse('2026-01-01T00:00:00.000Z'));
    expect(createFakeClock({ start: '2030-05-05T00:00:00Z' }).now()).toBe(Date.parse('2030-05-05T00:00:00Z'));
  });

  it('runs timers in time order (ties in the order set), moving time to each', async () => {
    const clock = createFakeClock();
    const seen: string[] = [];
    const start = clock.now();
    clock.setTimer(() => seen.push(`b@${clock.now() - start}`), 2000);
    clock.setTimer(() => seen.push(`a@${clock.now() - start}`), 1000);
    clock.setTimer(() => seen.push(`c@${clock.now() - start}`), 2000);
    await clock.advance('1500ms');
    expect(seen).toEqual(['a@1000']);
    expect(clock.now() - start).toBe(1500);
    await clock.advance('1s');
    expect(seen).toEqual(['a@1000', 'b@2000', 'c@2000']);
  });

  it('runs timers set by timers, and lets async work settle between them', async () => {
    const clock = createFakeClock();
    const seen: number[] = [];
    const start = clock.now();
    const tick = (): void => {
      void Promise.resolve().then(async () => {
        await Promise.resolve();
        seen.push(clock.now() - start);
        if (seen.length < 3) clock.setTimer(tick, 100);
      });
    };
    clock.setTimer(tick, 100);
    await clock.advance('1s');
    expect(seen).toEqual([100, 200, 300]);
  });

  it('clears timers, and runAll stops when only housekeeping is left', async () => {
    const clock = createFakeClock();
    let work = 0;
    let housekeeping = 0;
    const cleared = clock.setTimer(() => (work += 100), 10);
    clock.clearTimer(cleared);
    clock.setTimer(() => (work += 1), 5000);
    const chore = (): void => {
      housekeeping += 1;
      clock.setTimer(chore, 1000, 'housekeeping');
    };
    clock.setTimer(chore, 1000, 'housekeeping');
    expect(clock.pending()).toEqual({ work: 1, housekeeping: 1 });
    await clock.runAll();
    expect(work).toBe(1);
    expect(housekeeping).toBe(5);
    expect(clock.pending()).toEqual({ work: 0, housekeeping: 1 });
  });

  it('runAll refuses to loop forever', async () => {
    const clock = createFakeClock({ maxTimers: 50 });
    const forever = (): void => {
      clock.setTimer(forever, 1);
    };
    clock.setTimer(forever, 1);
    await expect(clock.runAll()).rejects.toThrow(/reschedules itself forever/);
  });
});
