import { describe, expect, it } from 'vitest';
import { newId } from '@herald/core/store';

describe('newId', () => {
  it('makes version 4 UUIDs', () => {
    for (let i = 0; i < 1000; i += 1) expect(newId()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('never repeats, across many refills of its random pool', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i += 1) seen.add(newId());
    expect(seen.size).toBe(100_000);
  });

  it('spreads every random hex digit evenly (no stuck bits)', () => {
    const counts = new Map<string, number>();
    const samples = 20_000;
    for (let i = 0; i < samples; i += 1) {
      const digit = newId()[0] as string;
      counts.set(digit, (counts.get(digit) ?? 0) + 1);
    }
    expect(counts.size).toBe(16);
    for (const count of counts.values()) expect(Math.abs(count - samples / 16)).toBeLessThan(samples / 16 / 4);
  });
});
