import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const packages = fileURLToPath(new URL('./packages/', import.meta.url));

// Tests run against the sources; `pnpm test` also builds and checks what ships. Each
// entry of a package's exports map (`./dist/<path>.js`) resolves to `src/<path>.ts`, so
// the aliases follow the manifests instead of a list kept by hand.
function sourceAliases(): { find: string; replacement: string }[] {
  const aliases: { find: string; replacement: string }[] = [];
  for (const dir of readdirSync(packages)) {
    let manifest: { name: string; exports?: Record<string, unknown> };
    try {
      manifest = JSON.parse(readFileSync(`${packages}${dir}/package.json`, 'utf8'));
    } catch {
      continue;
    }
    for (const [subpath, entry] of Object.entries(manifest.exports ?? {})) {
      const target = typeof entry === 'object' && entry !== null ? (entry as { default?: unknown }).default : undefined;
      if (typeof target !== 'string' || !target.startsWith('./dist/')) continue;
      const specifier = subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`;
      aliases.push({ find: specifier, replacement: `${packages}${dir}/src/${target.slice('./dist/'.length).replace(/\.js$/, '.ts')}` });
    }
  }
  // Longest first, so `@herald/core/store` is not taken for `@herald/core` + `/store`.
  return aliases.sort((a, b) => b.find.length - a.find.length);
}

export default defineConfig({
  resolve: {
    alias: sourceAliases().map(({ find, replacement }) => ({ find: new RegExp(`^${find.replace(/[/]/g, '\\/')}$`), replacement })),
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
