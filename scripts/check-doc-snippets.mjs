#!/usr/bin/env node
/**
 * Type-checks the TypeScript examples in the docs, so they cannot drift from the real
 * exports: every ```ts (or ```typescript) block in README.md, docs/*.md, packages/*\/README.md
 * and examples/*\/README.md is written to a temporary .mts module and compiled with `tsc`
 * under the workspace's strict settings, `@herald/*` resolved to the packages' sources.
 *
 * The fence's info string may carry, after the language:
 * - `fragment`: a deliberately partial snippet (an interface as the docs show it, a line
 *   taken out of context); it is skipped. Keep these few.
 * - `in=<dir>`: the snippet is checked as if it lived in <dir> (relative to the root):
 *   its relative imports (`../src/comments.js`) and bare ones (`express`) resolve from
 *   there. Without it, a package's or example's README resolves from that package, the
 *   rest from the root; and when a bare import is not installed there (`pino` in
 *   docs/operations.md), from the first workspace package that has all of them.
 *
 * Names the docs take as the reader's own (`service`, `store`, `log`, …) are declared in
 * scripts/doc-snippets-globals.d.ts with Herald's real types. Errors are reported at the
 * Markdown file and line. Usage: node scripts/check-doc-snippets.mjs [--keep]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const keep = process.argv.includes('--keep');
const cacheName = join('node_modules', '.cache', 'herald-doc-snippets');

/** The Markdown files whose snippets are checked, relative to the root. */
function markdownFiles() {
  const files = ['README.md'];
  const listDir = (dir) => (existsSync(join(root, dir)) ? readdirSync(join(root, dir)).sort() : []);
  for (const name of listDir('docs')) if (name.endsWith('.md')) files.push(`docs/${name}`);
  for (const group of ['packages', 'examples']) {
    for (const name of listDir(group)) if (existsSync(join(root, group, name, 'README.md'))) files.push(`${group}/${name}/README.md`);
  }
  return files;
}

/** The fenced TypeScript blocks of one Markdown file. */
function snippetsOf(file) {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const snippets = [];
  let open;
  lines.forEach((line, index) => {
    const fence = /^(\s*)(`{3,}|~{3,})(.*)$/.exec(line);
    if (open !== undefined) {
      if (fence !== null && fence[2].startsWith(open.fence) && fence[3].trim() === '') {
        if (open.typescript) snippets.push({ file, line: open.line, info: open.info, code: open.body.join('\n') });
        open = undefined;
      } else open.body.push(line.slice(open.indent));
      return;
    }
    if (fence === null) return;
    const info = fence[3].trim().split(/\s+/);
    open = { fence: fence[2], indent: fence[1].length, line: index + 1, info, typescript: ['ts', 'typescript'].includes(info[0]), body: [] };
  });
  if (open !== undefined) throw new Error(`${file}:${open.line}: a code fence is never closed`);
  return snippets;
}

/** Where a snippet is checked from: `in=`, else its package or example, else the root. */
function homeOf(snippet) {
  const given = snippet.info.find((word) => word.startsWith('in='));
  if (given !== undefined) {
    const dir = given.slice('in='.length);
    if (!existsSync(join(root, dir))) throw new Error(`${snippet.file}:${snippet.line}: in=${dir} does not exist`);
    return dir;
  }
  const parts = snippet.file.split('/');
  const own = parts.length === 3 ? `${parts[0]}/${parts[1]}` : '.';
  const bare = [...snippet.code.matchAll(/\b(?:from|import)\s*\(?\s*['"]([^'".][^'"]*)['"]/g)]
    .map((match) => match[1])
    .filter((specifier) => !specifier.startsWith('node:') && !specifier.startsWith('@herald/'))
    .map((specifier) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/'));
  const hasAll = (dir) => bare.every((name) => existsSync(join(root, dir, 'node_modules', name)));
  return [own, ...workspaceDirs()].find(hasAll) ?? own;
}

/** The root and every workspace package, where bare imports may be installed. */
function workspaceDirs() {
  const dirs = ['.'];
  for (const group of ['packages', 'examples', 'bench']) {
    if (!existsSync(join(root, group))) continue;
    for (const name of readdirSync(join(root, group)).sort()) if (existsSync(join(root, group, name, 'package.json'))) dirs.push(`${group}/${name}`);
  }
  return dirs;
}

/** The nearest directory at or above `dir` (inside the root) that has a node_modules. */
function packageDirOf(dir) {
  for (let current = join(root, dir); ; current = dirname(current)) {
    if (existsSync(join(current, 'node_modules')) || current === root) return current;
  }
}

/** `@herald/<name>` and its subpaths → the sources, from each package's exports map. */
function heraldPaths() {
  const paths = {};
  for (const name of readdirSync(join(root, 'packages')).sort()) {
    const manifestPath = join(root, 'packages', name, 'package.json');
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
      const types = typeof target === 'string' ? target : target?.types;
      if (typeof types !== 'string' || !types.startsWith('./dist/')) continue;
      const source = join(root, 'packages', name, types.replace(/^\.\/dist\//, 'src/').replace(/\.d\.ts$/, '.ts'));
      if (existsSync(source)) paths[`${manifest.name}${subpath.slice(1)}`] = [source];
    }
  }
  return paths;
}

const snippets = markdownFiles().flatMap(snippetsOf);
const checked = snippets.filter((snippet) => !snippet.info.includes('fragment'));
const outDirs = new Set();
const written = new Map(); // temp file → snippet
for (const snippet of checked) {
  const home = homeOf(snippet);
  const outDir = join(packageDirOf(home), cacheName);
  outDirs.add(outDir);
  mkdirSync(outDir, { recursive: true });
  const name = `${snippet.file.replaceAll('/', '__')}-L${snippet.line}.mts`;
  // Relative imports resolve as if the snippet lived in its home directory.
  const code = snippet.code.replace(/(\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]*)\2/g, (_match, lead, quote, specifier) => {
    let moved = relative(outDir, join(root, home, specifier)).split(sep).join('/');
    if (!moved.startsWith('.')) moved = `./${moved}`;
    return `${lead}${quote}${moved}${quote}`;
  });
  const path = join(outDir, name);
  writeFileSync(path, `${code}\nexport {};\n`); // a module, whatever the snippet holds
  written.set(path, snippet);
}

const configDir = join(root, cacheName);
mkdirSync(configDir, { recursive: true });
outDirs.add(configDir);
const configPath = join(configDir, 'tsconfig.json');
writeFileSync(
  configPath,
  `${JSON.stringify(
    {
      extends: relative(configDir, join(root, 'tsconfig.base.json')).split(sep).join('/'),
      compilerOptions: { noEmit: true, composite: false, declaration: false, declarationMap: false, sourceMap: false, incremental: false, paths: heraldPaths() },
      files: [join(root, 'scripts', 'doc-snippets-globals.d.ts'), ...written.keys()],
    },
    null,
    2,
  )}\n`,
);

const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
const run = spawnSync(process.execPath, [tsc, '-p', configPath, '--pretty', 'false'], { cwd: root, encoding: 'utf8' });
const output = `${run.stdout}${run.stderr}`;

// Errors at the Markdown line: the snippet's line n is the fence's line + n.
const report = output
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => {
    const match = /^(.*?\.mts)\((\d+),(\d+)\): (.*)$/.exec(line);
    const snippet = match === null ? undefined : written.get(resolve(root, match[1]));
    return snippet === undefined ? line : `${snippet.file}:${snippet.line + Number(match[2])}:${match[3]}: ${match[4]}`;
  });

if (!keep) for (const dir of outDirs) rmSync(dir, { recursive: true, force: true });

const skipped = snippets.length - checked.length;
if (run.status !== 0) {
  console.error(report.join('\n'));
  console.error(`\ndoc snippets: ${checked.length} checked, ${skipped} fragments skipped; tsc found errors above (--keep keeps the temp files in ${cacheName})`);
  process.exit(1);
}
console.log(`doc snippets: ${checked.length} type-checked against the sources, ${skipped} marked fragment skipped`);
