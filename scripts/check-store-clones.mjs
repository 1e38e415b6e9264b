#!/usr/bin/env node
// Checks that no logic is copied between the store packages: jscpd looks for repeated
// blocks of code across packages/store-*/src, and any block found in two different store
// packages fails the check. What two stores share belongs in core's store kit
// (packages/core/src/store/, `@herald/core/store`), with one owner. Repeats inside one
// package are left to its author. The thresholds are lower than jscpd's defaults
// (5 lines, 50 tokens) so that a copied check of a few lines is found too.
// Usage: node scripts/check-store-clones.mjs
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

// jscpd's ES module build cannot load its own dependencies; its CommonJS build can.
const { detectClones } = createRequire(import.meta.url)('jscpd');

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// A store's folder may hold its tests before its sources land: only sources are compared.
const stores = readdirSync(join(root, 'packages')).filter((name) => name.startsWith('store-') && existsSync(join(root, 'packages', name, 'src'))).sort();
const clones = await detectClones({
  path: stores.map((name) => join(root, 'packages', name, 'src')),
  format: ['typescript'],
  minLines: 3,
  minTokens: 30,
  silent: true,
  reporters: [],
  absolute: true,
});

/** The store package a file belongs to (`store-file`). */
const storeOf = (file) => relative(join(root, 'packages'), file).split(sep)[0];
const where = ({ sourceId, start, end }) => `${relative(root, sourceId)}:${start.line}-${end.line}`;
const between = clones.filter((clone) => storeOf(clone.duplicationA.sourceId) !== storeOf(clone.duplicationB.sourceId));
if (between.length > 0) {
  for (const clone of between) console.error(`${where(clone.duplicationA)} repeats ${where(clone.duplicationB)}`);
  console.error(`${between.length} block(s) repeated between store packages; move the shared logic into core's store kit (packages/core/src/store/)`);
  process.exit(1);
}
console.log(`store clone check: ${stores.join(', ')} share no repeated block (${clones.length} within one package)`);
