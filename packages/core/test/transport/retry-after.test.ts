/**
 * `parseRetryAfter` over the forms RFC 9110 §10.2.3 allows (delay-seconds, and an HTTP
 * date in each of the three formats of §5.6.7) and the garbage receivers send: always a
 * whole number of milliseconds ≥ 0, or undefined when the value is no hint.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maxRetryAfterSeconds, parseRetryAfter } from '@herald/core/transport';

const now = Date.parse('2026-11-28T09:00:00.000Z'); // a Saturday
const inOneHour = 3_600_000;

describe('parseRetryAfter', () => {
  it.each([
    ['120', 120_000],
    ['0', 0],
    ['00', 0],
    ['007', 7000],
    [' 5 ', 5000],
    ['9999999999', 9_999_999_999_000],
    ['00000000000000009', 9000],
  ])('reads delay-seconds %j as %i ms', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });

  it.each([
    ['IMF-fixdate', 'Sat, 28 Nov 2026 10:00:00 GMT', inOneHour],
    ['IMF-fixdate, a leap second', 'Sat, 28 Nov 2026 09:59:60 GMT', inOneHour],
    ['obsolete RFC 850 date', 'Saturday, 28-Nov-26 10:00:00 GMT', inOneHour],
    ['obsolete asctime date', 'Sat Nov 28 10:00:00 2026', inOneHour],
    ['obsolete asctime date, one-digit day', 'Tue Dec  1 09:00:00 2026', 3 * 24 * inOneHour],
    ['RFC 850 date whose two-digit year is more than 50 years ahead, so in the past', 'Sunday, 06-Nov-94 08:49:37 GMT', 0],
    ['IMF-fixdate now', 'Sat, 28 Nov 2026 09:00:00 GMT', 0],
    ['IMF-fixdate in the past', 'Wed, 21 Oct 2015 07:28:00 GMT', 0],
    ['asctime date in the past', 'Sun Nov  6 08:49:37 1994', 0],
    ['IMF-fixdate a second in the past', 'Sat, 28 Nov 2026 08:59:59 GMT', 0],
  ])('reads an %s', (_form, value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });

  it.each([
    ['a missing header', undefined],
    ['an empty value', ''],
    ['a negative number', '-5'],
    ['a fraction', '1.5'],
    ['an exponent', '1e3'],
    ['a hexadecimal number', '0x10'],
    ['a signed number', '+5'],
    ['two values', '5, 10'],
    ['words', 'later'],
    ['a huge number of seconds', '99999999999'],
    ['a number past 2^53', '9'.repeat(400)],
    ['an ISO date', '2026-11-28T10:00:00Z'],
    ['a date in another zone', 'Sat, 28 Nov 2026 10:00:00 +0000'],
    ['a date in UTC, not GMT', 'Sat, 28 Nov 2026 10:00:00 UTC'],
    ['a lower-case date (the grammar is case-sensitive)', 'sat, 28 nov 2026 10:00:00 gmt'],
    ['a date without a weekday', '28 Nov 2026 10:00:00 GMT'],
    ['31 February', 'Tue, 31 Feb 2026 10:00:00 GMT'],
    ['hour 24', 'Sat, 28 Nov 2026 24:00:00 GMT'],
    ['minute 60', 'Sat, 28 Nov 2026 10:60:00 GMT'],
    ['a one-digit day in IMF-fixdate', 'Sat, 8 Nov 2026 10:00:00 GMT'],
    ['a date beyond the longest hint', 'Fri, 31 Dec 9999 23:59:59 GMT'],
    ['a JavaScript date string', 'Sat Nov 28 2026 10:00:00 GMT+0000 (Coordinated Universal Time)'],
  ])('refuses %s', (_case, value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });

  it('gives a whole number of milliseconds ≥ 0, or nothing, for any text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^\d{1,14}$/), fc.date({ noInvalidDate: true }).map((date) => date.toUTCString())), fc.integer({ min: 0, max: 2 ** 45 }), (value, at) => {
        const hint = parseRetryAfter(value, at);
        if (hint !== undefined) {
          expect(Number.isSafeInteger(hint)).toBe(true);
          expect(hint).toBeGreaterThanOrEqual(0);
          expect(hint).toBeLessThanOrEqual(maxRetryAfterSeconds * 1000);
        }
      }),
    );
  });

  it('reads every IMF-fixdate Date#toUTCString writes, as the time until then or 0', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2300-01-01T00:00:00Z'), noInvalidDate: true }), (date) => {
        const at = Math.floor(date.getTime() / 1000) * 1000;
        expect(parseRetryAfter(new Date(at).toUTCString(), now)).toBe(Math.max(0, at - now));
      }),
    );
  });
});
