#!/usr/bin/env node
// The consumer test: Herald as an app outside this repository meets it. Packs every
// package (scripts/pack.mjs), lints the tarballs (publint; attw for ESM and CommonJS
// consumers), installs them with npm into a fresh project under the OS's temp folder, and
// there runs an ES module app, a CommonJS app, `tsc` under the module settings apps use,
// and a vitest file with @herald/testing's matchers. A package missing a dependency, a
// file or a types entry fails one of these steps. Needs the build (`pnpm run build`).
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { packAll, root } from './pack.mjs';

const appFiles = join(root, 'scripts', 'consumer-app');
const started = Date.now();
const manifest = (path) => JSON.parse(readFileSync(join(root, path, 'package.json'), 'utf8'));
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)}s`;

// Child processes get no npm_* variables: pnpm sets its own there, and npm in the app
// would read them as its configuration.
const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('npm_')));

/** Runs a command; resolves with its output, rejects with it when the command fails. */
function run(command, args, cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(output) : reject(new Error(`${basename(command)} ${args.join(' ')} failed (exit ${code}):\n${output}`))));
  });
}

/** Runs one step, saying what it does and how long it took. */
async function step(title, action) {
  const since = Date.now();
  console.log(`consumer test: ${title}`);
  const detail = await action();
  console.log(`  done in ${seconds(since)}${detail ? `: ${detail}` : ''}`);
}

/**
 * The module settings an app's tsconfig may have, each with the files it checks. A
 * CommonJS file needs `module` node20 or nodenext to import an ES module (TypeScript's
 * model of Node's require(esm)); `module` node16 models Node 16, which could not.
 */
const typeChecks = [
  { name: 'node16, ES modules', files: ['types.mts', 'kit.test.mts'], module: 'node16', moduleResolution: 'node16', skipLibCheck: false },
  { name: 'node16 resolution, CommonJS', files: ['types.cts'], module: 'node20', moduleResolution: 'node16' },
  { name: 'node10 resolution, CommonJS', files: ['types.cts'], module: 'commonjs', moduleResolution: 'node10' },
  { name: 'bundler, module esnext', files: ['types.ts'], module: 'esnext', moduleResolution: 'bundler' },
  { name: 'bundler, module preserve', files: ['types.ts'], module: 'preserve', moduleResolution: 'bundler' },
];

const scratch = mkdtempSync(join(tmpdir(), 'herald-consumer-'));
const app = join(scratch, 'app');
try {
  let tarballs = [];
  await step(`packing every package into ${join(scratch, 'packs')}`, () => {
    tarballs = packAll(join(scratch, 'packs'));
    return tarballs.map((path) => basename(path)).join(', ');
  });

  await step('publint and attw on each tarball', async () => {
    const bin = (name) => join(root, 'node_modules', '.bin', name);
    const lint = async (tarball) => {
      await run(bin('publint'), ['run', tarball, '--strict'], root);
      // attw does not model Node's require(esm) yet (arethetypeswrong.github.io#252): for
      // an ES-module-only package it reports cjs-resolves-to-esm though Node 20.19+ and
      // 22.12+ load it with require(). Only that rule is off; the CommonJS app below
      // proves require() works. Every other rule holds, for every module setting.
      await run(bin('attw'), [tarball, '--ignore-rules', 'cjs-resolves-to-esm', '--format', 'ascii'], root);
    };
    // Two at a time: each attw run loads a TypeScript compiler of its own.
    const queue = [...tarballs];
    const worker = async () => {
      for (let tarball = queue.shift(); tarball !== undefined; tarball = queue.shift()) await lint(tarball);
    };
    await Promise.all([worker(), worker()]);
    return `${tarballs.length} clean`;
  });

  await step(`installing them with npm into ${app}`, async () => {
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), `${JSON.stringify({ name: 'herald-consumer', private: true, description: 'An app using Herald from its tarballs' }, null, 2)}\n`);
    for (const file of ['app.mjs', 'app.cjs', 'scenario.cjs', 'kit.test.mts']) copyFileSync(join(appFiles, file), join(app, file));
    for (const file of ['types.mts', 'types.cts', 'types.ts']) copyFileSync(join(appFiles, 'types.ts'), join(app, file));
    // The versions the workspace tests with: vitest in the range @herald/testing accepts.
    const tools = {
      typescript: manifest('.').devDependencies.typescript,
      vitest: manifest('packages/testing').peerDependencies.vitest,
      '@types/node': manifest('.').devDependencies['@types/node'],
    };
    const specs = Object.entries(tools).map(([name, range]) => `${name}@${range}`);
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs, ...specs], app);
    const installed = Object.keys(tools).map((name) => `${name} ${JSON.parse(readFileSync(join(app, 'node_modules', name, 'package.json'), 'utf8')).version}`);
    return installed.join(', ');
  });

  for (const [title, script] of [['the ES module app (import)', 'app.mjs'], ['the CommonJS app (require)', 'app.cjs']]) {
    await step(`${title}: sends and delivers`, async () => {
      process.stdout.write(await run(process.execPath, [script], app));
    });
  }

  for (const check of typeChecks) {
    await step(`tsc --noEmit, ${check.name} (module ${check.module}, moduleResolution ${check.moduleResolution}): ${check.files.join(', ')}`, async () => {
      const compilerOptions = {
        module: check.module,
        moduleResolution: check.moduleResolution,
        target: 'es2022',
        strict: true,
        noEmit: true,
        types: ['node'],
        // Herald's declarations are checked once with everything they import; the other
        // settings only resolve them differently.
        skipLibCheck: check.skipLibCheck ?? true,
      };
      const tsconfig = `tsconfig.${check.module}-${check.moduleResolution}.json`;
      writeFileSync(join(app, tsconfig), JSON.stringify({ compilerOptions, files: check.files }, null, 2));
      await run(process.execPath, [join(app, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', tsconfig], app);
    });
  }

  await step("vitest with @herald/testing's matchers, the app's own vitest", async () => {
    const output = await run(process.execPath, [join(app, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--reporter', 'dot'], app);
    return /Tests\s+\S*\s*(\d+ passed)/.exec(output.replace(/\x1b\[[0-9;]*m/g, ''))?.[1] ?? 'passed';
  });
  console.log(`consumer test: passed in ${seconds(started)}`);
} catch (error) {
  console.error(`consumer test: FAILED after ${seconds(started)}\n${error instanceof Error ? error.message : error}`);
  process.exitCode = 1;
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
