/**
 * Entry points per audience: a store or transport author's entry, and every store and
 * transport package, load neither the service (and its dispatcher) nor ajv, which builds
 * the contract's validator. Checked on the built packages in a child process whose
 * module-load hook records every module it loads; `@herald/core`, the app's entry, is the
 * control that shows the hook sees them.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const packages = fileURLToPath(new URL('../../', import.meta.url));
const hooks = fileURLToPath(new URL('./fixtures/load-log.mjs', import.meta.url));
const logs = mkdtempSync(join(tmpdir(), 'herald-entry-points-'));
afterAll(() => rmSync(logs, { recursive: true, force: true }));

/** What only the app's entry may load: the service, its parts, and the validator. */
const appOnly = [
  { name: 'the service', pattern: /\/core\/dist\/service\.js$/ },
  { name: 'the dispatcher', pattern: /\/core\/dist\/dispatcher\.js$/ },
  { name: "the contract's validator", pattern: /\/core\/dist\/contract\/validate\.js$/ },
  { name: 'ajv', pattern: /\/node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?ajv\// },
];

let runs = 0;
/** The URLs of every module `import(specifier)` loads, run from inside package `folder` (which may name itself). */
function modulesLoadedBy(folder: string, specifier: string): string[] {
  const log = join(logs, `load-${(runs += 1)}.log`);
  const cwd = join(packages, folder);
  const entry = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8')) as { main?: string };
  if (entry.main !== undefined && !existsSync(join(cwd, entry.main))) throw new Error(`packages/${folder} is not built: run the build first (pnpm run build)`);
  execFileSync(process.execPath, ['--import', hooks, '--input-type=module', '-e', `await import(${JSON.stringify(specifier)});`], {
    cwd,
    env: { ...process.env, HERALD_LOAD_LOG: log },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return readFileSync(log, 'utf8').split('\n').filter((line) => line.length > 0);
}

describe('entry points per audience', () => {
  it('loads the service, the dispatcher and ajv for @herald/core, the app’s entry (the hook sees them)', () => {
    const loaded = modulesLoadedBy('core', '@herald/core');
    for (const { name, pattern } of appOnly) expect(loaded.some((url) => pattern.test(url)), `@herald/core loads ${name}`).toBe(true);
  });

  const authors: { folder: string; specifier: string }[] = [
    { folder: 'core', specifier: '@herald/core/store' },
    { folder: 'core', specifier: '@herald/core/transport' },
    { folder: 'store-memory', specifier: '@herald/store-memory' },
    { folder: 'store-file', specifier: '@herald/store-file' },
    { folder: 'store-postgres', specifier: '@herald/store-postgres' },
    { folder: 'store-redis', specifier: '@herald/store-redis' },
    { folder: 'transport-console', specifier: '@herald/transport-console' },
    { folder: 'transport-webhook', specifier: '@herald/transport-webhook' },
    { folder: 'transport-webpush', specifier: '@herald/transport-webpush' },
  ];
  for (const { folder, specifier } of authors) {
    it(`loads neither the service, the dispatcher, the validator nor ajv for ${specifier}`, () => {
      const loaded = modulesLoadedBy(folder, specifier);
      expect(loaded.some((url) => url.includes(`/${folder}/dist/`)), `${specifier} itself was loaded`).toBe(true);
      for (const { name, pattern } of appOnly) {
        expect(loaded.filter((url) => pattern.test(url)), `${specifier} must not load ${name}`).toEqual([]);
      }
    });
  }
});
