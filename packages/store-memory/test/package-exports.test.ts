import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as store from '@herald/store-memory';

interface ExportTarget {
  readonly types: string;
  readonly default: string;
}

const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  exports: Record<string, ExportTarget | string>;
};

describe('the exports map', () => {
  it('points every subpath at a built file of a source module that exists', () => {
    for (const [subpath, target] of Object.entries(packageJson.exports)) {
      if (typeof target === 'string') continue; // ./package.json
      const source = target.default.replace(/^\.\/dist\//, '../src/').replace(/\.js$/, '.ts');
      expect(existsSync(new URL(source, import.meta.url)), `${subpath} → ${source}`).toBe(true);
      expect(target.types, subpath).toBe(target.default.replace(/\.js$/, '.d.ts'));
    }
    expect(Object.keys(packageJson.exports)).toEqual(['.', './engine', './package.json']);
  });

  it('offers the store at the root and the engine at ./engine', async () => {
    // A specifier in a variable: the type-check runs before a build, when only the
    // sources exist; vitest maps the subpath to src/engine/index.ts.
    const engineSubpath: string = '@herald/store-memory/engine';
    const engine = (await import(engineSubpath)) as Record<string, unknown>;
    expect(Object.keys(store).sort()).toEqual(['NAME', 'createMemoryStore']);
    expect(Object.keys(engine).sort()).toEqual(['FinishedDelivery', 'MemoryState', 'captureImage', 'leaseDeliveries', 'purgeListed', 'releaseAllLeases', 'restoredRecord', 'stateRestorer']);
  });
});
