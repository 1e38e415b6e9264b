#!/usr/bin/env node
// The PostgreSQL store's tests start their own clusters (initdb into a temporary
// directory, then postgres on a free loopback port) and are never skipped. This makes
// sure the server programs are there before the tests run: on a Debian or Ubuntu machine
// run as root (CI) it installs Debian's package; anywhere else it says how to install it.
// Debian keeps the programs off PATH, in /usr/lib/postgresql/<major>/bin, so both are
// searched, by the same lookup as the tests' starter (scripts/postgres-programs.mjs).
import { execFileSync, execSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { postgresBinDir, postgresPrograms as programs } from './postgres-programs.mjs';

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const found = () => postgresBinDir() !== undefined;

if (found()) process.exit(0);

if (process.getuid?.() === 0 && executable('/usr/bin/apt-get')) {
  console.log('initdb and pg_ctl are missing: installing Debian\'s postgresql package for the PostgreSQL store\'s tests …');
  execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql', { stdio: 'inherit' });
  // The package may create and start a system cluster; the tests start clusters of their own.
  try {
    execFileSync('service', ['postgresql', 'stop'], { stdio: 'ignore' });
  } catch {
    // no service manager, or nothing started: nothing to stop
  }
  if (found()) process.exit(0);
}

console.error(`The PostgreSQL store's tests need the PostgreSQL server programs (${programs.join(', ')}),
on PATH or in /usr/lib/postgresql/<major>/bin, and they are missing.
Install them, then run the tests again:
  Debian/Ubuntu:  sudo apt-get install postgresql
  macOS:          brew install postgresql`);
process.exit(1);
