/**
 * Hostile quiet-hours input: a schedule built to cost time or memory (megabyte zone names,
 * thousands of unknown keys or repeated days) is refused with `INVALID_QUIET_HOURS` and a
 * bounded error — at most 20 issues, each naming its field briefly —; an instant at the
 * edge of a `Date`'s range is `INVALID_ARGUMENT`, never a RangeError from `Intl`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkQuietHours, isHeraldError, quietHoursEnd, weekdays, type HeraldError } from '@herald/core';

const night = { days: ['monday'], start: '22:00', end: '07:00' };
const manyKeys = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${'x'.repeat(i % 300)}${i}`, 1]));

const hostile: ReadonlyArray<readonly [string, unknown, string]> = [
  ['a time zone of a million characters', { timeZone: 'Europe/'.repeat(150_000), windows: [night] }, 'timeZone'],
  ['a time zone of 65 characters', { timeZone: `Europe/${'B'.repeat(58)}`, windows: [night] }, 'timeZone'],
  ['20,000 unknown keys', { timeZone: 'UTC', windows: [night], ...manyKeys }, 'unknownField'],
  ['20,000 unknown keys in each of 28 windows', { timeZone: 'UTC', windows: Array.from({ length: 28 }, () => ({ ...night, ...manyKeys })) }, 'unknownField'],
  ['a key of a million characters', { timeZone: 'UTC', windows: [night], ['z'.repeat(1_000_000)]: 1 }, 'unknownField'],
  ['a day repeated 200,000 times', { timeZone: 'UTC', windows: [{ ...night, days: Array.from({ length: 200_000 }, () => 'monday') }] }, 'days'],
  ['eight days', { timeZone: 'UTC', windows: [{ ...night, days: [...weekdays, 'monday'] }] }, 'days'],
  ['200,000 misspelt days', { timeZone: 'UTC', windows: [{ ...night, days: Array.from({ length: 200_000 }, (_, i) => `mon${i}`) }] }, 'days'],
];

describe('a hostile schedule', () => {
  it.each(hostile)('%s: INVALID_QUIET_HOURS with at most 20 short issues', (_what, schedule, rule) => {
    let thrown: unknown;
    try {
      checkQuietHours(schedule);
    } catch (error) {
      thrown = error;
    }
    expect(isHeraldError(thrown, 'INVALID_QUIET_HOURS')).toBe(true);
    const { issues = [], message } = thrown as HeraldError;
    expect(issues.length).toBeGreaterThan(0);
    expect(issues.length).toBeLessThanOrEqual(20);
    expect(issues[0]?.rule).toBe(rule);
    expect(JSON.stringify(issues).length, 'the issues stay small').toBeLessThan(20_000);
    expect(message.length).toBeLessThan(1_000);
  });

  it('counts what it does not list', () => {
    const error = (() => {
      try {
        checkQuietHours({ timeZone: 'UTC', windows: [night], ...manyKeys });
      } catch (caught) {
        return caught as HeraldError;
      }
      throw new Error('accepted');
    })();
    expect(error.message).toMatch(/\(and 19999 more; issues lists the first 20\)$/);
  });
});

describe('quietHoursEnd at the edges of time', () => {
  const schedule = checkQuietHours({ timeZone: 'America/Santiago', windows: [{ days: [...weekdays], start: '22:00', end: '07:00' }] });
  const limit = 8.64e15 - 30 * 86_400_000;

  it.each([limit, -limit, 0])('answers at %d', (instant) => {
    const end = quietHoursEnd(schedule, instant);
    if (end !== undefined) expect(end).toBeGreaterThan(instant);
  });

  it.each([limit + 1, -limit - 1, 8.64e15, -8.64e15, Number.MAX_VALUE, -Number.MAX_VALUE])('refuses %d with INVALID_ARGUMENT', (instant) => {
    expect(() => quietHoursEnd(schedule, instant)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/instant must be epoch milliseconds within/) }));
  });

  it('answers any number with a time after it, undefined or INVALID_ARGUMENT — never another error (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.double(), fc.integer({ min: -8.64e15, max: 8.64e15 }), fc.integer({ min: limit - 40 * 86_400_000, max: 8.64e15 }).map((t) => (t % 2 === 0 ? t : -t))), (instant) => {
        let end: number | undefined;
        try {
          end = quietHoursEnd(schedule, instant);
        } catch (error) {
          expect(isHeraldError(error, 'INVALID_ARGUMENT'), String(error)).toBe(true);
          return;
        }
        if (end !== undefined) expect(end).toBeGreaterThan(instant);
      }),
      { numRuns: 300 },
    );
  });
});
