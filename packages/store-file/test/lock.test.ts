/**
 * One writer per directory, with real processes: a second opener is refused at once and
 * told who holds the lock; a holder that died (SIGKILL) leaves a stale lock that the next
 * opener takes over, with a warning; a holder that is stopped (SIGSTOP) still runs, and
 * keeps its directory however long it does not refresh its lock.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeraldError } from '@herald/core';
import { createFileStore } from '@herald/store-file';
import type { FileStoreWarning } from '@herald/store-file';
import { requireBuild, startChild } from './child-process.js';
import { freshDirectory, removeDirectory } from './temp-directory.js';

const staleLockMs = 600;
const directories: string[] = [];

function directory(): string {
  const path = freshDirectory('herald-lock-');
  directories.push(path);
  return path;
}

async function refusal(path: string): Promise<HeraldError> {
  try {
    const store = await createFileStore({ directory: path, staleLockMs });
    await store.close();
  } catch (error) {
    return error as HeraldError;
  }
  throw new Error('the second open was not refused');
}

describe('the directory lock', () => {
  beforeAll(() => requireBuild());
  afterAll(() => {
    for (const path of directories) removeDirectory(path);
  });

  it('refuses a second process at once, naming the holder; after the holder is killed, the lock is taken over', async () => {
    const path = directory();
    // A holder whose lock would only go stale after a minute: a refusal that waited for
    // staleness would run into the test's timeout instead of answering.
    const holder = startChild('hold-open.mjs', [path, '60000']);
    try {
      await holder.waitFor('ready');
      const error = await refusal(path);
      expect(error).toBeInstanceOf(HeraldError);
      expect(error.code).toBe('STORE_LOCKED');
      expect(error.message).toMatch(new RegExp(`^\\[herald\\] \\[store-file\\] the store directory .* is in use by process ${holder.process.pid} on .* since \\d{4}-`));
    } finally {
      holder.process.kill('SIGKILL');
      await holder.exited;
    }
    const warnings: FileStoreWarning[] = [];
    const store = await createFileStore({ directory: path, staleLockMs: 60_000, onWarning: (warning) => warnings.push(warning) });
    expect(warnings.map((warning) => warning.code)).toContain('STALE_LOCK');
    expect(warnings.find((warning) => warning.code === 'STALE_LOCK')?.message).toMatch(new RegExp(`process ${holder.process.pid} on .*which is no longer running`));
    await store.close();
  });

  it('refuses to take over from a holder that is stopped (SIGSTOP), however long it has not refreshed its lock; it writes again once continued', async () => {
    const path = directory();
    const holder = startChild('hold-open.mjs', [path, String(staleLockMs)]);
    try {
      await holder.waitFor('ready');
      await holder.waitFor('write ok');
      holder.process.kill('SIGSTOP');
      // Wait until its lock has really aged past staleLockMs (a stopped process cannot refresh it).
      await new Promise((resolve) => setTimeout(resolve, staleLockMs * 2));
      expect(Date.now() - statSync(join(path, 'lock')).mtimeMs, 'the lock aged past staleLockMs').toBeGreaterThan(staleLockMs);
      const error = await refusal(path);
      expect(error.code, 'a stopped process still runs: its directory is not taken').toBe('STORE_LOCKED');
      expect(error.message).toContain(`process ${holder.process.pid}`);
      expect(error.message).toContain('which is running');
      const before = holder.lines.length;
      holder.process.kill('SIGCONT');
      await holder.waitUntil((lines) => lines.slice(before).includes('write ok'));
      expect(holder.lines.slice(before).filter((line) => line !== 'write ok'), 'its writes go on').toEqual([]);
    } finally {
      holder.process.kill('SIGKILL');
      await holder.exited;
    }
  });

  it('refuses a second open in the same process, and frees the directory on close', async () => {
    const path = directory();
    const first = await createFileStore({ directory: path, staleLockMs });
    const error = await refusal(path);
    expect(error.code).toBe('STORE_LOCKED');
    expect(error.message).toContain(`process ${process.pid}`);
    await first.close();
    const second = await createFileStore({ directory: path, staleLockMs });
    await second.close();
  });
});
