/**
 * The engine's table of records by id against a `Map`: random adds, replacements,
 * deletions and look-ups over a few keys (so runs of slots form, wrap around the end of
 * the table, and are cut by deletions), through growth and shrinking. After every step
 * the table holds exactly the model's records, and every key finds its own record.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdTable } from '../src/engine/id-table.js';

interface Held {
  readonly id: string;
  readonly version: number;
}

const key = fc.oneof(
  fc.nat({ max: 40 }).map((n) => `id-${n}`),
  fc.string({ maxLength: 3 }),
  fc.uuid(),
);

const operation = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), key }),
  fc.record({ kind: fc.constant('delete' as const), key }),
  fc.record({ kind: fc.constant('get' as const), key }),
);

function expectSame(table: IdTable<Held>, model: Map<string, Held>, keys: readonly string[]): void {
  expect(table.size).toBe(model.size);
  expect(new Set(table.values())).toEqual(new Set(model.values()));
  for (const id of keys) {
    expect(table.get(id)).toBe(model.get(id));
    expect(table.has(id)).toBe(model.has(id));
  }
}

describe('the table of records by id', () => {
  it('holds what a Map holds after any adds, replacements, deletions and look-ups', () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 300 }), (operations) => {
        const table = new IdTable((held: Held) => held.id);
        const model = new Map<string, Held>();
        const keys = operations.map((step) => step.key);
        let version = 0;
        for (const step of operations) {
          if (step.kind === 'set') {
            const held = { id: step.key, version: (version += 1) };
            table.set(held);
            model.set(step.key, held);
          } else if (step.kind === 'delete') {
            expect(table.delete(step.key)).toBe(model.delete(step.key));
          } else {
            expect(table.get(step.key)).toBe(model.get(step.key));
          }
          expectSame(table, model, keys);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('replaces a record it just found in its place, and not where it was before the table changed', () => {
    const table = new IdTable((held: Held) => held.id);
    const model = new Map<string, Held>();
    const put = (held: Held): void => {
      table.set(held);
      model.set(held.id, held);
    };
    const ids = Array.from({ length: 40 }, (_, n) => `delivery-${n}`);
    for (const id of ids) put({ id, version: 0 });
    for (const [index, id] of ids.entries()) {
      expect(table.get(id)).toBe(model.get(id));
      // Between the look-up and the write: adds that grow the table, or deletions that
      // shift slots back and shrink it, so the record found has moved.
      const others = Array.from({ length: 200 }, (_, n) => `other-${index}-${n}`);
      if (index % 2 === 0) {
        for (const other of others) put({ id: other, version: 0 });
      } else {
        for (const other of [...model.keys()].filter((key) => key.startsWith('other-'))) {
          table.delete(other);
          model.delete(other);
        }
      }
      put({ id, version: 1 });
      expectSame(table, model, [...model.keys()]);
    }
  });

  it('keeps every record reachable through a hundred thousand adds and deletions', () => {
    const table = new IdTable((held: Held) => held.id);
    const model = new Map<string, Held>();
    for (let n = 0; n < 100_000; n += 1) {
      const held = { id: `n-${n}`, version: n };
      table.set(held);
      model.set(held.id, held);
      if (n % 3 === 0) {
        const gone = `n-${Math.floor(n / 2)}`;
        expect(table.delete(gone)).toBe(model.delete(gone));
      }
    }
    expect(table.size).toBe(model.size);
    for (const [id, held] of model) expect(table.get(id)).toBe(held);
    for (const id of [...model.keys()]) table.delete(id);
    expect(table.size).toBe(0);
    expect(table.values()).toEqual([]);
  });
});
