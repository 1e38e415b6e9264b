/**
 * One writer per directory, with real processes: a second opener is refused at once and
 * told who holds the lock; a holder that died (SIGKILL) or stopped refreshing (SIGSTOP)
 * leaves a stale lock that the next opener takes over, with a warning.
 */
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

async function refusal(path: string): Promise<{ error: HeraldError; elapsed: number }> {
  const started = performance.now();
  try {
    const store = await createFileStore({ directory: path, staleLockMs });
    await store.close();
  } catch (error) {
    return { error: error as HeraldError, elapsed: performance.now() - started };
  }
  throw new Error('the second open was not refused');
}

describe('the directory lock', () => {
  beforeAll(() => requireBuild());
  afterAll(() => {
    for (const path of directories) removeDirectory(path);
  });

  it('refuses a second process at once, naming the holder; after the holder is killed, the lock is stale and taken over', async () => {
    const path = directory();
    const holder = startChild('hold-open.mjs', [path, String(staleLockMs)]);
    try {
      await holder.waitFor('ready');
      const { error, elapsed } = await refusal(path);
      expect(error).toBeInstanceOf(HeraldError);
      expect(error.code).toBe('STORE_LOCKED');
      expect(error.message).toMatch(new RegExp(`^\\[herald\\] \\[store-file\\] the store directory .* is in use by process ${holder.process.pid} on .* since \\d{4}-`));
      expect(elapsed, 'refused at once, not after a wait').toBeLessThan(500);
    } finally {
      holder.process.kill('SIGKILL');
      await holder.exited;
    }
    const warnings: FileStoreWarning[] = [];
    const store = await createFileStore({ directory: path, staleLockMs, onWarning: (warning) => warnings.push(warning) });
    expect(warnings.map((warning) => warning.code)).toContain('STALE_LOCK');
    expect(warnings.find((warning) => warning.code === 'STALE_LOCK')?.message).toContain(`process ${holder.process.pid}`);
    expect((await store.listSubscriptions('holder')).length, 'what the killed holder wrote is there').toBeGreaterThanOrEqual(0);
    await store.close();
  });

  it('takes over the lock of a process that stopped refreshing it; that process then stops writing', async () => {
    const path = directory();
    const holder = startChild('hold-open.mjs', [path, String(staleLockMs)]);
    try {
      await holder.waitFor('ready');
      await holder.waitFor('write ok');
      holder.process.kill('SIGSTOP');
      expect((await refusal(path)).error.code, 'still fresh right after it stopped').toBe('STORE_LOCKED');
      await new Promise((resolve) => setTimeout(resolve, staleLockMs * 2));
      const warnings: FileStoreWarning[] = [];
      const store = await createFileStore({ directory: path, staleLockMs, onWarning: (warning) => warnings.push(warning) });
      expect(warnings.map((warning) => warning.code)).toContain('STALE_LOCK');
      holder.process.kill('SIGCONT');
      await holder.waitFor('write STORE_LOCKED');
      await store.close();
    } finally {
      holder.process.kill('SIGKILL');
      await holder.exited;
    }
  });

  it('refuses a second open in the same process, and frees the directory on close', async () => {
    const path = directory();
    const first = await createFileStore({ directory: path, staleLockMs });
    const { error } = await refusal(path);
    expect(error.code).toBe('STORE_LOCKED');
    expect(error.message).toContain(`process ${process.pid}`);
    await first.close();
    const second = await createFileStore({ directory: path, staleLockMs });
    await second.close();
  });
});
