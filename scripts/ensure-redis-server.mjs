#!/usr/bin/env node
// The Redis store's tests start their own redis-server processes on loopback and are
// never skipped. This makes sure the program is there before the tests run: on a Debian
// or Ubuntu machine run as root (CI) it installs Debian's package; anywhere else it says
// how to install it.
import { execFileSync, execSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

function onPath(program) {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, program), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

if (onPath('redis-server') && onPath('redis-cli')) process.exit(0);

if (process.getuid?.() === 0 && onPath('apt-get')) {
  console.log('redis-server is missing: installing Debian\'s redis-server package for the Redis store\'s tests …');
  execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server', { stdio: 'inherit' });
  // The package may start a system service; the tests start servers of their own.
  try {
    execFileSync('service', ['redis-server', 'stop'], { stdio: 'ignore' });
  } catch {
    // no service manager, or nothing started: nothing to stop
  }
  if (onPath('redis-server')) process.exit(0);
}

console.error(`The Redis store's tests need redis-server and redis-cli on PATH, and they are missing.
Install them, then run the tests again:
  Debian/Ubuntu:  sudo apt-get install redis-server
  macOS:          brew install redis`);
process.exit(1);
