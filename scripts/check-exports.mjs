#!/usr/bin/env node
// Checks that every package's exports map and its build agree, as a user would meet
// them: each target exists, each entry imports and requires by its public name (Herald is
// ES modules only; CommonJS apps load it through Node's require(esm), which the `default`
// condition lets reach the module), and a consumer type-checks against the built
// declarations (skipLibCheck off) through the same map.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const packagesDir = join(root, 'packages');
const problems = [];
const specifiers = [];
const require = createRequire(import.meta.url);

function targets(entry) {
  if (typeof entry === 'string') return [['default', entry]];
  return Object.entries(entry).flatMap(([condition, value]) =>
    typeof value === 'string' ? [[condition, value]] : targets(value).map(([c, v]) => [`${condition}.${c}`, v]),
  );
}

for (const name of readdirSync(packagesDir).sort()) {
  const dir = join(packagesDir, name);
  if (!existsSync(join(dir, 'package.json'))) continue;
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (manifest.exports === undefined) {
    problems.push(`${manifest.name}: has no exports map`);
    continue;
  }
  for (const [subpath, entry] of Object.entries(manifest.exports)) {
    for (const [condition, target] of targets(entry)) {
      if (!existsSync(join(dir, target))) problems.push(`${manifest.name} "${subpath}" (${condition}) → ${target} does not exist; run pnpm build`);
    }
    if (subpath.endsWith('.json')) continue;
    const specifier = subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`;
    specifiers.push(specifier);
    // `types` first (TypeScript takes the first condition that matches), then `default`,
    // which both `import` and `require()` reach: one copy of each module for both.
    const conditions = typeof entry === 'string' ? [] : Object.keys(entry);
    if (conditions[0] !== 'types' || !conditions.includes('default')) problems.push(`${manifest.name} "${subpath}": conditions are [${conditions.join(', ')}]; want "types" first and a "default"`);
    try {
      const module = await import(specifier);
      if (Object.keys(module).length === 0) problems.push(`${specifier} exports nothing`);
    } catch (error) {
      problems.push(`${specifier} does not import: ${error.message}`);
    }
    try {
      if (Object.keys(require(specifier)).length === 0) problems.push(`${specifier} requires as nothing`);
    } catch (error) {
      problems.push(`${specifier} does not require(): ${error.message}`);
    }
  }
  // typesVersions serves TypeScript's node10 resolution, which ignores exports maps; it must
  // name the same declarations the exports map does.
  const exportedTypes = new Set(Object.values(manifest.exports).flatMap((entry) => targets(entry).filter(([condition]) => condition.endsWith('types')).map(([, target]) => target)));
  for (const [pattern, paths] of Object.entries(manifest.typesVersions?.['*'] ?? {})) {
    for (const path of paths) if (!exportedTypes.has(path)) problems.push(`${manifest.name}: typesVersions "${pattern}" → ${path} is not a types target of the exports map`);
    if (!(`./${pattern}` in manifest.exports)) problems.push(`${manifest.name}: typesVersions "${pattern}" has no "./${pattern}" in the exports map`);
  }
  // The entry points a manifest names outside its exports map must be in it too.
  const listed = new Set(Object.values(manifest.exports).flatMap((entry) => targets(entry).map(([, target]) => target.replace(/^\.\//, ''))));
  for (const field of ['main', 'types']) {
    const target = manifest[field]?.replace(/^\.\//, '');
    if (target !== undefined && !listed.has(target)) problems.push(`${manifest.name}: ${field} (${target}) is missing from the exports map`);
  }
}

// Type-check a consumer of every entry against the built declarations.
const consumerDir = join(root, 'node_modules', '.cache', 'herald-exports-check');
mkdirSync(consumerDir, { recursive: true });
writeFileSync(
  join(consumerDir, 'consumer.ts'),
  specifiers.map((specifier, i) => `import * as entry${i} from '${specifier}';\nvoid entry${i};\n`).join(''),
);
writeFileSync(
  join(consumerDir, 'tsconfig.json'),
  JSON.stringify({
    compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: false, types: ['node'], typeRoots: [join(root, 'node_modules', '@types')] },
    files: ['consumer.ts'],
  }),
);
try {
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', consumerDir], { stdio: 'pipe' });
} catch (error) {
  problems.push(`the built declarations do not type-check for a consumer:\n${error.stdout}`);
}

if (problems.length > 0) {
  console.error(`exports check: ${problems.length} problem(s)\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`exports check: ${specifiers.length} entry points import, require() and type-check through their exports maps`);
