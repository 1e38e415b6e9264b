/**
 * A writer never acknowledges into files no one will read (issue 12, F2). A child (A)
 * sends as fast as it can and reports each acknowledged send with the machine's monotonic
 * clock; the test removes, moves or replaces the store's files under it — leaving the
 * lock and the writer record, so the lock check alone passes — and waits for A to stop.
 *
 * Each variant asserts: A stops with STORE_LOCKED naming what it found; no send is
 * acknowledged after the tampering (allowing `slackMs` for a batch whose last check ran
 * just before it); and the sends A acknowledged are found where they can be:
 * - log files removed, everything but the lock removed: nowhere — the operator deleted
 *   them, no store can bring them back; the directory still opens (no STORE_CORRUPT).
 * - the directory moved and copied back (`mv D D.old && cp -a D.old D`, the issue's
 *   instance, or a copy swapped in by two renames): every one of them in `D.old`, the
 *   directory A was writing to (A refuses to go on, since `D` is no longer the directory
 *   it opened; the copy holds what existed when it was made, and its lock records carry
 *   A's nonce, so the lock check alone would pass).
 * - the directory moved away and an empty one made in its place: every one in the moved one.
 * - the open segment replaced by a copy: every one acknowledged before the copy began is in
 *   `D` (sends acknowledged while `cp` ran went to the replaced file: the copy missed them,
 *   and no check can see a copy before it is renamed into place).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileStore } from '@herald/store-file';
import type { FileStore } from '@herald/store-file';
import { requireBuild, startChild } from './child-process.js';
import type { Child } from './child-process.js';
import { freshDirectory, removeDirectory } from './temp-directory.js';

const far = Date.parse('2030-01-01T00:00:00.000Z') + 1e9;
/**
 * Between a batch's last check and its ack line: a few microtasks, but a loaded machine
 * may not run the writer for a while. A writer that never checked would go on
 * acknowledging for the whole 10 s run, so a second of slack still tells them apart.
 */
const slackMs = 1000;
const directories: string[] = [];

/**
 * What a writer may find when its directory was moved or replaced under it: the directory
 * gone or another one, or — when it checks its segment first, through the path — the
 * segment removed or replaced. Each is the truth, and each stops it.
 */
const directoryOrSegmentChanged =
  /is (gone|no longer the directory the store opened .*: it was moved away or replaced)|the log segment .*log-0000000001\.herald it writes was (removed|replaced by another file)/;

interface Variant {
  readonly name: string;
  /** Tampers with A's directory `d`; returns the directory whose content counts. */
  readonly tamper: (d: string) => string;
  /** What A's error names. */
  readonly says: RegExp;
  /** Which of A's acknowledged sends the directory that counts must hold. */
  readonly kept: 'all' | 'before' | 'none';
}

const variants: readonly Variant[] = [
  {
    name: 'the log files removed (rm -f log-*.herald)',
    tamper: (d) => {
      for (const name of readdirSync(d).filter((n) => n.startsWith('log-'))) rmSync(join(d, name));
      return d;
    },
    says: /the log segment .*log-0000000001\.herald it writes was removed/,
    kept: 'none',
  },
  {
    name: 'everything but lock/ and writer.json removed',
    tamper: (d) => {
      for (const name of readdirSync(d).filter((n) => n !== 'lock' && n !== 'writer.json')) rmSync(join(d, name), { recursive: true });
      return d;
    },
    says: /the log segment .*log-0000000001\.herald it writes was removed/,
    kept: 'none',
  },
  {
    name: 'the directory moved and copied back (mv D D.old && cp -a D.old D)',
    tamper: (d) => {
      renameSync(d, `${d}.old`);
      directories.push(`${d}.old`);
      execFileSync('cp', ['-a', `${d}.old`, d]);
      return `${d}.old`;
    },
    // A may look between the mv and the cp (the directory is gone) or after (another one),
    // and may check its directory or its segment first: through the path, either differs.
    says: directoryOrSegmentChanged,
    kept: 'all',
  },
  {
    // The same, with the copy made first and swapped in by two renames: no instant in
    // which the lock records are missing, so only the identity checks (of the directory,
    // or of the segment as its path now names it) can see it.
    name: 'the directory swapped for a copy of itself (cp -a D D.copy; mv D D.old; mv D.copy D)',
    tamper: (d) => {
      execFileSync('cp', ['-a', d, `${d}.copy`]);
      renameSync(d, `${d}.old`);
      renameSync(`${d}.copy`, d);
      directories.push(`${d}.old`);
      return `${d}.old`;
    },
    says: directoryOrSegmentChanged,
    kept: 'all',
  },
  {
    name: 'the directory moved away and an empty one made in its place',
    tamper: (d) => {
      renameSync(d, `${d}.moved`);
      directories.push(`${d}.moved`);
      mkdirSync(d);
      return `${d}.moved`;
    },
    says: directoryOrSegmentChanged,
    kept: 'all',
  },
  {
    name: 'the open segment replaced by a copy',
    tamper: (d) => {
      const segment = join(d, 'log-0000000001.herald');
      copyFileSync(segment, `${segment}.copy`);
      renameSync(`${segment}.copy`, segment);
      return d;
    },
    says: /the log segment .*log-0000000001\.herald it writes was replaced by another file/,
    kept: 'before',
  },
];

/** A's acknowledged sends: user, id, and the monotonic nanoseconds of the acknowledgement. */
function acknowledged(lines: readonly string[]): { userId: string; id: string; at: bigint }[] {
  return lines.filter((line) => line.startsWith('ack ')).map((line) => {
    const [, userId, id, at] = line.split(' ') as [string, string, string, string];
    return { userId, id, at: BigInt(at) };
  });
}

/** Opens `directory` once A is dead (its lock names a process that is gone: taken over at once). */
async function reopen(directory: string): Promise<FileStore> {
  return createFileStore({ directory, onWarning: () => undefined });
}

/** Resolves when A prints a `failed` line; rejects after `ms` — an A that never stops is the fault. */
async function stopped(writer: Child, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the writer was still acknowledging ${ms} ms after the tampering (${acknowledged(writer.lines).length} sends so far)`)), ms);
  });
  try {
    await Promise.race([writer.waitUntil((lines) => lines.some((line) => line.startsWith('failed '))), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

async function run(variant: Variant): Promise<void> {
  const directory = freshDirectory('herald-tamper-');
  directories.push(directory);
  const writer = startChild('lock-writer.mjs', [directory, '10000']);
  let counted: string;
  let tamperStart: bigint;
  let tamperEnd: bigint;
  try {
    await writer.waitFor('ready');
    await writer.waitUntil((lines) => acknowledged(lines).length >= 50);
    tamperStart = process.hrtime.bigint();
    counted = variant.tamper(directory);
    tamperEnd = process.hrtime.bigint();
    await stopped(writer, 10_000);
  } finally {
    writer.process.kill('SIGKILL');
    await writer.exited;
  }
  const failures = writer.lines.filter((line) => line.startsWith('failed '));
  expect(failures.map((line) => line.split(' ')[1]), 'A stops with STORE_LOCKED, and only with it').toEqual(['STORE_LOCKED']);
  expect(failures[0], writer.stderr).toMatch(variant.says);

  const sends = acknowledged(writer.lines);
  const late = sends.filter((send) => send.at > tamperEnd + BigInt(slackMs) * 1_000_000n);
  expect(late.length, `sends acknowledged more than ${slackMs} ms after the tampering (${failures[0]})`).toBe(0);
  const expected = variant.kept === 'all' ? sends : variant.kept === 'before' ? sends.filter((send) => send.at < tamperStart) : [];
  expect(variant.kept === 'none' || expected.length >= 50, 'A acknowledged sends before the tampering').toBe(true);

  const store = await reopen(counted);
  const missing: string[] = [];
  for (const { userId, id } of expected) {
    if ((await store.getNotification(userId, id, far)) === undefined) missing.push(id);
  }
  await store.close();
  expect(missing, `of ${expected.length} sends that ${counted} must hold, these are missing (${failures[0]})`).toEqual([]);
}

describe('a writer whose files are removed, moved or replaced under it', () => {
  beforeAll(() => requireBuild());
  afterAll(() => {
    for (const path of directories) removeDirectory(path);
  });

  for (const variant of variants) {
    it(`${variant.name}: the writer stops with STORE_LOCKED, acknowledges nothing after it, and what it acknowledged is where it can be (${variant.kept})`, { timeout: 30_000 }, () => run(variant));
  }

});
