#!/usr/bin/env node
// The inbox example's test drives a real headless Chromium (Debian's package, at
// /usr/bin/chromium) through playwright-core, which downloads no browser of its own.
// This makes sure the browser is there before the tests run: on a Debian or Ubuntu
// machine run as root (CI) it installs Debian's package; anywhere else it says how to
// install it.
import { execSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

const chromium = '/usr/bin/chromium';

function present() {
  try {
    accessSync(chromium, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function aptGetPresent() {
  try {
    accessSync('/usr/bin/apt-get', constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

if (present()) process.exit(0);

if (process.getuid?.() === 0 && aptGetPresent()) {
  console.log(`${chromium} is missing: installing Debian's chromium package for the inbox example's browser test …`);
  execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium', { stdio: 'inherit' });
  if (present()) process.exit(0);
}

console.error(`The inbox example's test needs Chromium at ${chromium}, and it is missing.
Install it, then run the tests again:
  Debian:  sudo apt-get install chromium
  Ubuntu:  a Chromium that is not a snap, linked to ${chromium}`);
process.exit(1);
