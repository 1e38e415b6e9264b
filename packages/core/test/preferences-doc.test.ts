/**
 * docs/preferences.md quotes the precedence table; this keeps the quote equal to the table
 * the decision code walks, so the two cannot drift.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { preferencePrecedence } from '@herald/core';

const guide = readFileSync(new URL('../../../docs/preferences.md', import.meta.url), 'utf8');

describe('docs/preferences.md', () => {
  it('quotes preferencePrecedence row by row, in order', () => {
    const quoted = /<!-- precedence-table: start -->\n([\s\S]*?)<!-- precedence-table: end -->/.exec(guide)?.[1] ?? '';
    const rows = quoted
      .split('\n')
      .slice(2)
      .filter((line) => line.startsWith('|'))
      .map((line) => line.split('|').slice(1, -1).map((cell) => cell.trim().replace(/^`|`$/g, '')));
    expect(rows).toEqual(preferencePrecedence.map((row) => [row.level, row.field, row.keyedBy]));
  });
});
