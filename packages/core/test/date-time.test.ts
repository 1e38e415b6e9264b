import { describe, expect, it } from 'vitest';
import { formatDateTime, parseDateTime } from '@herald/core/store';

describe('RFC 3339 date-times', () => {
  it.each([
    ['2019-10-30T23:59:00.000Z', Date.UTC(2019, 9, 30, 23, 59)],
    ['2019-10-30t23:59:00z', Date.UTC(2019, 9, 30, 23, 59)],
    ['2019-10-28T22:05:36.25Z', Date.UTC(2019, 9, 28, 22, 5, 36, 250)],
    ['2019-10-31T01:59:00+02:00', Date.UTC(2019, 9, 30, 23, 59)],
    ['2019-10-30T20:59:00.123456789-03:00', Date.UTC(2019, 9, 30, 23, 59, 0, 123)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['0050-01-01T00:00:00Z', -60589296000000],
  ])('parses %s', (text, expected) => {
    expect(parseDateTime(text)).toBe(expected);
  });

  it.each(['2023-02-29T00:00:00Z', '2019-13-01T00:00:00Z', '2019-10-30T24:00:00Z', '2019-10-30 23:59:00Z', '2019-10-30T23:59:00', '2019-10-30', 'now', '', '2019-10-30T23:59:00+25:00'])(
    'refuses %j',
    (text) => {
      expect(parseDateTime(text)).toBeUndefined();
    },
  );

  it('formats epoch milliseconds as ISO UTC', () => {
    expect(formatDateTime(Date.UTC(2019, 9, 30, 23, 59))).toBe('2019-10-30T23:59:00.000Z');
  });
});
