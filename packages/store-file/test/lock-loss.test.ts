/**
 * A writer never acknowledges after it lost its store, and no one takes over a directory
 * whose writer still runs — with real processes. A child (A) sends as fast as it can and
 * reports each acknowledged send; the test tampers with its lock the way people and
 * scripts do (removes it, renames it, replaces it or its owner file with another
 * process's, removes or replaces the writer record beside the data); a second child (B)
 * opens the directory at once. Every variant: B is refused while A runs (except when both
 * records are removed: nothing is left to tell of A), A stops with STORE_LOCKED, and every
 * send A acknowledged is there when the directory is reopened after A is killed.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isHeraldError } from '@herald/core';
import { createFileStore } from '@herald/store-file';
import type { FileStore } from '@herald/store-file';
import { requireBuild, startChild } from './child-process.js';
import type { Child } from './child-process.js';
import { freshDirectory, removeDirectory } from './temp-directory.js';

/** As the default: the old lock only noticed a loss every `staleLockMs / 2`. */
const staleLockMs = 10_000;
const far = Date.parse('2030-01-01T00:00:00.000Z') + 1e9;
const directories: string[] = [];

/** A record naming another running process, as its own lock would. */
function foreignRecord(pid: number): string {
  return JSON.stringify({ pid, hostname: hostname(), since: new Date().toISOString(), nonce: randomUUID() });
}

/** Writes `text` to `path` whole (as a real holder does), so the writer never reads half of it. */
function replaceFile(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

interface Variant {
  readonly name: string;
  /** Tampers with the directory of a running writer; `other` is a live process that is not a store. */
  readonly tamper: (directory: string, other: number) => void;
  /** Whether B must be refused while A runs. */
  readonly refused: boolean;
}

const variants: readonly Variant[] = [
  { name: 'the lock directory removed (rm -rf lock)', tamper: (d) => rmSync(join(d, 'lock'), { recursive: true, force: true }), refused: true },
  { name: 'the lock directory renamed away', tamper: (d) => renameSync(join(d, 'lock'), join(d, 'lock-moved')), refused: true },
  { name: 'the owner file removed', tamper: (d) => rmSync(join(d, 'lock', 'owner.json')), refused: true },
  { name: "the owner file replaced by another process's", tamper: (d, other) => replaceFile(join(d, 'lock', 'owner.json'), foreignRecord(other)), refused: true },
  {
    name: "the lock directory replaced by another process's lock",
    tamper: (d, other) => {
      rmSync(join(d, 'lock'), { recursive: true, force: true });
      mkdirSync(join(d, 'lock'));
      replaceFile(join(d, 'lock', 'owner.json'), foreignRecord(other));
    },
    refused: true,
  },
  { name: 'the writer record removed', tamper: (d) => rmSync(join(d, 'writer.json')), refused: true },
  { name: "the writer record replaced by another process's", tamper: (d, other) => replaceFile(join(d, 'writer.json'), foreignRecord(other)), refused: true },
  // The documented limit: with both records gone nothing tells of A, so B opens; A still
  // stops before acknowledging anything more.
  {
    name: 'both the lock directory and the writer record removed',
    tamper: (d) => {
      rmSync(join(d, 'lock'), { recursive: true, force: true });
      rmSync(join(d, 'writer.json'), { force: true });
    },
    refused: false,
  },
];

/** The acknowledged sends in a writer's output. */
function acknowledged(lines: readonly string[]): [userId: string, id: string][] {
  return lines.filter((line) => line.startsWith('ack ')).map((line) => line.split(' ').slice(1, 3) as [string, string]);
}

/** Opens the directory in a second process (B) and returns its one line. */
async function openElsewhere(directory: string): Promise<string> {
  const child = startChild('open-once.mjs', [directory, String(staleLockMs)]);
  await child.exited;
  const line = child.lines[0];
  if (line === undefined) throw new Error(`the second process printed nothing: ${child.stderr}`);
  return line;
}

/** Kills a child for real and waits for it to be gone. */
async function kill(child: Child): Promise<void> {
  child.process.kill('SIGKILL');
  await child.exited;
}

/**
 * Opens the directory once A is dead. A lock directory left without an owner file (one
 * variant) names no process to check, so it is judged by age alone: it is stale once not
 * refreshed for `staleLockMs`, and until then the open is refused; retried until then.
 */
async function reopen(directory: string): Promise<FileStore> {
  const quickStaleMs = 200;
  for (let attempt = 0; ; attempt++) {
    try {
      return await createFileStore({ directory, staleLockMs: quickStaleMs, onWarning: () => undefined });
    } catch (error) {
      if (!isHeraldError(error, 'STORE_LOCKED') || attempt >= 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, quickStaleMs / 2));
    }
  }
}

async function run(variant: Variant): Promise<void> {
  const directory = freshDirectory('herald-lock-loss-');
  directories.push(directory);
  // A real process that is alive and is not a store: the "other process" of the variants.
  const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60000)'], { stdio: 'ignore' });
  const otherExited = new Promise((resolve) => other.once('exit', resolve));
  const writer = startChild('lock-writer.mjs', [directory, String(staleLockMs)]);
  try {
    await writer.waitFor('ready');
    await writer.waitUntil((lines) => acknowledged(lines).length >= 50);
    variant.tamper(directory, other.pid as number);
    // B opens at once, racing A's next check: it must be refused whichever comes first.
    const second = await openElsewhere(directory);
    if (variant.refused) {
      expect(second, 'B is refused while A runs').toMatch(new RegExp(`^refused STORE_LOCKED .*in use by (process (${writer.process.pid}|${other.pid}) |a process that has not written its name yet)`));
    } else {
      expect(second, 'with no record left, B opens').toBe('opened');
    }
    await writer.waitUntil((lines) => lines.some((line) => line.startsWith('failed ')));
    const failures = writer.lines.filter((line) => line.startsWith('failed '));
    expect(failures.map((line) => line.split(' ')[1]), 'A stops with STORE_LOCKED, and only with it').toEqual(['STORE_LOCKED']);
    expect(failures[0]).toContain(`lost its hold on the store directory ${directory}`);
  } finally {
    await kill(writer);
    other.kill('SIGKILL');
    await otherExited;
  }

  const sends = acknowledged(writer.lines);
  const store = await reopen(directory);
  const missing: string[] = [];
  for (const [userId, id] of sends) {
    if ((await store.getNotification(userId, id, far)) === undefined) missing.push(id);
  }
  await store.close();
  expect(missing, `of ${sends.length} acknowledged sends, these are missing`).toEqual([]);
}

describe('a writer that loses its lock', () => {
  beforeAll(() => requireBuild());
  afterAll(() => {
    for (const path of directories) removeDirectory(path);
  });

  for (const variant of variants) {
    it(`${variant.name}: ${variant.refused ? 'a second opener is refused, ' : ''}the writer stops with STORE_LOCKED, and every send it acknowledged is kept`, { timeout: 30_000 }, () => run(variant));
  }
});
