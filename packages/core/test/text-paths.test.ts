/**
 * Where `illFormedIssues` says a lone surrogate is: the field path of every kind of place
 * (top level, nested objects, array items at any depth, keys with `/` and `~`, property
 * names), in the order met, capped at `max`. The path is joined only for an issue, so
 * these cases pin what the joined path must be.
 */
import { describe, expect, it } from 'vitest';
import { illFormedIssues } from '../src/contract/text.js';

const bad = 'x\ud800';

describe('illFormedIssues', () => {
  const cases: ReadonlyArray<readonly [what: string, value: unknown, fields: readonly string[]]> = [
    ['a well-formed body', { a: ['b', { c: 'd' }], e: 1, f: null, g: true }, []],
    ['the body itself', bad, ['']],
    ['a top-level field', { title: bad }, ['title']],
    ['a nested field', { payload: { visualContent: { body: bad } } }, ['payload.visualContent.body']],
    ['an array item', { list: ['ok', bad] }, ['list[1]']],
    ['an item of a nested array', { a: [[bad]] }, ['a[0][0]']],
    ['a field inside an array item', { a: [{ b: bad }] }, ['a[0].b']],
    ['keys holding / and ~', { 'x/y': { '~z': bad } }, ['x/y.~z']],
    ['a property name', { ok: { [bad]: 1 } }, ['ok']],
    ['a property name at the top', { [bad]: 1 }, ['']],
    ['several places, in order', { a: bad, b: [bad], c: { d: bad } }, ['a', 'b[0]', 'c.d']],
  ];
  it.each(cases)('names %s', (_what, value, fields) => {
    expect(illFormedIssues(value).map((issue) => issue.field)).toEqual(fields);
  });

  it('words a property name and a value differently', () => {
    const [name] = illFormedIssues({ ok: { [bad]: 1 } });
    const [text] = illFormedIssues({ ok: bad });
    expect(name?.message).toMatch(/^a property name in ok /);
    expect(text?.message).toMatch(/^ok is not well-formed/);
    expect(illFormedIssues({ [bad]: 1 })[0]?.message).toMatch(/^a property name in the body /);
  });

  it('stops at max issues', () => {
    expect(illFormedIssues({ list: Array.from({ length: 50 }, () => bad) }, 3).map((issue) => issue.field)).toEqual(['list[0]', 'list[1]', 'list[2]']);
  });
});
