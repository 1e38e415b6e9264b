#!/usr/bin/env node
// Runs every benchmark package under bench/ (each has a `bench` script that accepts
// --json), then prints one table, or with --json one array of results.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const json = process.argv.includes('--json');
const only = process.argv.slice(2).filter((argument) => !argument.startsWith('--'));
const results = [];

for (const name of readdirSync(join(root, 'bench')).sort()) {
  const dir = join(root, 'bench', name);
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest) || JSON.parse(readFileSync(manifest, 'utf8')).scripts?.bench === undefined) continue;
  if (only.length > 0 && !only.includes(name)) continue;
  if (!json) process.stderr.write(`running bench/${name} …\n`);
  const output = execFileSync('npx', ['--yes', 'pnpm@10.34.9', '--silent', 'run', 'bench', '--json'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 });
  const start = output.indexOf('[');
  results.push(...JSON.parse(output.slice(start)));
}

if (json) {
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
} else {
  const format = (value) => (value === null ? '' : value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toPrecision(3));
  process.stdout.write('| scenario | Herald | anchor | ratio | target | met |\n| --- | --- | --- | --- | --- | --- |\n');
  for (const r of results) {
    const anchor = r.anchor === null ? '—' : `${format(r.anchorValue)} (${r.anchor})`;
    process.stdout.write(`| ${r.scenario} | ${format(r.herald)} ${r.unit} | ${anchor} | ${r.anchor === null ? '—' : `${r.ratio.toFixed(2)}x`} | ${r.target} | ${r.met ? 'yes' : 'no'} |\n`);
  }
}
