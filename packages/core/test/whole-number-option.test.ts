/**
 * The stores' numeric options share one check (wholeNumberOption): every value outside
 * the range, or not a safe integer, is a TypeError naming the option, the range and the
 * value; every value inside comes back as given, and an absent one as undefined.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { wholeNumberOption, type WholeNumberRange } from '@herald/core/store';

const ranges: readonly { range: WholeNumberRange; says: string }[] = [
  { range: { min: 1 }, says: 'option n must be a whole number of at least 1' },
  { range: { min: 1, absent: 'absent for no cap' }, says: 'option n must be a whole number of at least 1, or absent for no cap' },
  { range: { min: 0, max: 9, unit: 'users' }, says: 'option n must be a whole number of users from 0 to 9' },
  { range: { min: 1, max: 600_000, unit: 'milliseconds' }, says: 'option n must be a whole number of milliseconds from 1 to 600000' },
  { range: { min: 100, unit: 'milliseconds' }, says: 'option n must be a whole number of milliseconds, at least 100' },
];

const notWholeNumbers: readonly unknown[] = [1.5, Number.NaN, Infinity, -Infinity, 2 ** 53, '5', null, true, {}, [3], 5n];

describe('wholeNumberOption', () => {
  for (const { range, says } of ranges) {
    describe(JSON.stringify(range), () => {
      it('accepts every whole number in range, and passes an absent one as undefined', () => {
        const max = range.max ?? range.min + 1_000_000;
        fc.assert(
          fc.property(fc.integer({ min: range.min, max }), (value) => {
            expect(wholeNumberOption('store-x', 'n', value, range)).toBe(value);
          }),
        );
        expect(wholeNumberOption('store-x', 'n', undefined, range)).toBeUndefined();
      });

      it('refuses a number out of range, naming the option, the range and the value', () => {
        const outside = fc.oneof(fc.integer({ max: range.min - 1 }), ...(range.max === undefined ? [] : [fc.integer({ min: range.max + 1 })]));
        fc.assert(
          fc.property(outside, (value) => {
            expect(() => wholeNumberOption('store-x', 'n', value, range)).toThrow(
              expect.objectContaining({ name: 'TypeError', code: 'INVALID_OPTION', message: `[herald] [store-x] ${says} (got ${value})` }),
            );
          }),
        );
      });

      it.each(notWholeNumbers.map((value) => [String(value), value] as const))('refuses %s', (_, value) => {
        expect(() => wholeNumberOption('store-x', 'n', value, range)).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringContaining(says) }));
      });
    });
  }
});
