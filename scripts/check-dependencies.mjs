#!/usr/bin/env node
// Checks that each package declares what its sources import and imports what it declares:
// every bare specifier in packages/*/src (static and dynamic imports, `require`, `declare
// module` augmentations, type-only imports, which a consumer's compiler follows too) names
// a dependency or peer dependency, and every dependency is imported somewhere. A missing
// one works inside the workspace, where pnpm links everything, and fails in an app.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const builtins = new Set(builtinModules);
const problems = [];

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** The bare specifiers of one source file, comments and strings aside. */
function specifiersOf(text) {
  const { importedFiles, ambientExternalModules } = ts.preProcessFile(text, true, true);
  // `createRequire(import.meta.url)('x')` is how an ES module loads a CommonJS-only package.
  const created = [...text.matchAll(/createRequire\([^)]*\)\(\s*'([^']+)'\s*\)/g)].map((match) => match[1]);
  return [...importedFiles.map((file) => file.fileName), ...(ambientExternalModules ?? []), ...created].filter(
    (specifier) => !specifier.startsWith('.') && !specifier.startsWith('node:') && !builtins.has(specifier),
  );
}

function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.[cm]?tsx?$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}

let checked = 0;
for (const name of readdirSync(join(root, 'packages')).sort()) {
  const dir = join(root, 'packages', name);
  if (!existsSync(join(dir, 'package.json'))) continue; // not a package (yet): a folder of tests waiting for its sources
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const dependencies = Object.keys(manifest.dependencies ?? {});
  const declared = new Set([...dependencies, ...Object.keys(manifest.peerDependencies ?? {})]);
  const used = new Set();
  for (const file of sourceFiles(join(dir, 'src'))) {
    for (const specifier of specifiersOf(readFileSync(file, 'utf8'))) {
      const imported = packageName(specifier);
      if (imported === manifest.name) continue; // the package naming itself, in an augmentation
      used.add(imported);
      if (!declared.has(imported)) problems.push(`${manifest.name}: ${file.slice(dir.length + 1)} imports '${specifier}', which is neither a dependency nor a peer dependency`);
    }
    checked += 1;
  }
  for (const dependency of dependencies) {
    // `@types/x` is used where `x` is: a package whose declarations name x's types ships them to apps.
    const typed = dependency.startsWith('@types/') ? dependency.slice('@types/'.length).replace(/^(.+)__(.+)$/, '@$1/$2') : undefined;
    if (!used.has(dependency) && (typed === undefined || !used.has(typed))) problems.push(`${manifest.name}: depends on ${dependency}, which no file in src imports`);
  }
}

if (problems.length > 0) {
  console.error(`dependency check: ${problems.length} problem(s)\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`dependency check: the imports of ${checked} source files match their packages' dependencies`);
