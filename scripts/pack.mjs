#!/usr/bin/env node
// `pnpm run pack [folder]`: packs every package of packages/* into one folder (./packs by
// default) with `pnpm pack`, which rewrites `workspace:` ranges into the versions released
// together, then checks each tarball as npm will see it: no `workspace:` range left, the
// root LICENSE inside, every file its exports map, `main`, `types` and `typesVersions`
// name. The consumer test (scripts/consumer-test.mjs) packs through here too.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Runs pnpm: the one running this script when there is one, else the version the workspace pins. */
export function pnpm(args, options = {}) {
  const running = process.env.npm_execpath;
  if (running !== undefined && basename(running).startsWith('pnpm')) return execFileSync(process.execPath, [running, ...args], options);
  const pinned = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager;
  return execFileSync('npx', ['--yes', pinned, ...args], options);
}

/** Every path a manifest points at, relative to the package's root. */
function pointedAt(manifest) {
  const strings = (value) => (typeof value === 'string' ? [value] : Object.values(value ?? {}).flatMap(strings));
  const typesVersions = Object.values(manifest.typesVersions ?? {}).flatMap((map) => Object.values(map).flat());
  return [...strings(manifest.exports), manifest.main, manifest.types, ...typesVersions].filter(Boolean).map((path) => path.replace(/^\.\//, ''));
}

/** What is wrong with one tarball, as npm would install it. */
function tarballProblems(tarball, license) {
  const read = (path) => execFileSync('tar', ['-xzOf', tarball, `package/${path}`], { encoding: 'utf8' });
  const listed = new Set(execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').map((line) => line.replace(/^package\//, '')));
  const text = read('package.json');
  const manifest = JSON.parse(text);
  const problems = [];
  if (text.includes('workspace:')) problems.push('its package.json still has a workspace: range');
  if (!listed.has('LICENSE') || read('LICENSE') !== license) problems.push('it lacks the root LICENSE');
  for (const path of pointedAt(manifest)) if (!listed.has(path)) problems.push(`it lacks ${path}, which its package.json names`);
  return problems.map((problem) => `${basename(tarball)}: ${problem}`);
}

/** Packs every package into `destination` (emptied first) and returns the tarballs' paths. */
export function packAll(destination) {
  rmSync(destination, { recursive: true, force: true });
  mkdirSync(destination, { recursive: true });
  pnpm(['--recursive', '--filter', './packages/*', 'pack', '--pack-destination', destination], { cwd: root, stdio: 'pipe' });
  const tarballs = readdirSync(destination).filter((name) => name.endsWith('.tgz')).sort().map((name) => join(destination, name));
  const packages = readdirSync(join(root, 'packages')).filter((name) => existsSync(join(root, 'packages', name, 'package.json'))).length;
  const license = readFileSync(join(root, 'LICENSE'), 'utf8');
  const problems = tarballs.flatMap((tarball) => tarballProblems(tarball, license));
  if (tarballs.length !== packages) problems.push(`${packages} packages made ${tarballs.length} tarballs`);
  if (problems.length > 0) throw new Error(`pack: ${problems.length} problem(s)\n  ${problems.join('\n  ')}`);
  return tarballs;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const destination = resolve(process.argv[2] ?? join(root, 'packs'));
  const tarballs = packAll(destination);
  console.log(`pack: ${tarballs.length} tarballs in ${destination}\n  ${tarballs.map((path) => basename(path)).join('\n  ')}`);
}
