#!/usr/bin/env node
// Checks that no source file is longer than 400 lines: a file that long holds more than
// one concept, and splitting it by concern is what keeps it readable. Every TypeScript and
// JavaScript file under packages/, examples/, bench/ and scripts/ counts (tests too), except
// what is built or installed (dist/, node_modules/). Usage: node scripts/check-file-size.mjs
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const maxLines = 400;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const folders = ['packages', 'examples', 'bench', 'scripts'];
const skipped = new Set(['node_modules', 'dist', '.cache']);
const source = /\.(?:[cm]?ts|tsx|[cm]?js|jsx)$/;

/** The source files below `dir`, not descending into built or installed folders. */
function* sourceFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!skipped.has(entry.name) && !entry.name.startsWith('.')) yield* sourceFiles(join(dir, entry.name));
    } else if (entry.isFile() && source.test(entry.name)) {
      yield join(dir, entry.name);
    }
  }
}

/** Lines as `wc -l` counts them, plus a last line without a newline. */
function lineCount(text) {
  let lines = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) lines++;
  return text.length > 0 && !text.endsWith('\n') ? lines + 1 : lines;
}

let checked = 0;
const tooLong = [];
for (const folder of folders) {
  for (const file of sourceFiles(join(root, folder))) {
    checked++;
    const lines = lineCount(readFileSync(file, 'utf8'));
    if (lines > maxLines) tooLong.push([relative(root, file), lines]);
  }
}
if (tooLong.length > 0) {
  for (const [file, lines] of tooLong.sort((a, b) => b[1] - a[1])) console.error(`${file}: ${lines} lines (at most ${maxLines}); split it by concern`);
  process.exit(1);
}
console.log(`file size check: ${checked} source files, none over ${maxLines} lines`);
