/**
 * What the store finds in its directory: files that are not Herald's, a newer format, an
 * interrupted compaction's temp file, other people's files (a path that is a file is in
 * environment.test.ts).
 * Bad content gets a typed error with a clear message, and nothing is overwritten.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HeraldError } from '@herald/core';
import { createFileStore } from '@herald/store-file';
import type { FileStoreWarning } from '@herald/store-file';
import { sampleDeliveries, sampleNotification, sampleTime } from '@herald/testing';
import { freshDirectory, removeDirectory } from './temp-directory.js';

const directories: string[] = [];
afterAll(() => {
  for (const path of directories) removeDirectory(path);
});

function directory(): string {
  const path = freshDirectory('herald-content-');
  directories.push(path);
  return path;
}

function digest(path: string): Record<string, string> {
  return Object.fromEntries(readdirSync(path).map((name) => [name, createHash('sha256').update(readFileSync(join(path, name))).digest('hex')]));
}

async function openError(path: string): Promise<HeraldError> {
  try {
    const store = await createFileStore({ directory: path });
    await store.close();
  } catch (error) {
    expect(error).toBeInstanceOf(HeraldError);
    return error as HeraldError;
  }
  throw new Error('the store opened');
}

async function storeWithData(path: string, compact = false): Promise<string> {
  const store = await createFileStore({ directory: path });
  const saved = await store.saveNotification({ notification: sampleNotification(), deliveries: sampleDeliveries(2), now: sampleTime });
  if (compact) await store.compact();
  await store.close();
  return saved.notification.id;
}

describe('what the store directory holds', () => {
  it('refuses a foreign file where the log should be, naming it, and leaves it alone', async () => {
    const path = directory();
    writeFileSync(join(path, 'log-0000000001.herald'), 'name,email\nada,ada@example.com\n');
    const before = digest(path);
    const error = await openError(path);
    expect(error.code).toBe('STORE_CORRUPT');
    expect(error.message).toBe(`[herald] [store-file] ${join(path, 'log-0000000001.herald')} is not a Herald log file (its first bytes are not the log header); nothing was changed. Move it out of the store directory, or point the store at another directory`);
    expect(digest(path)).toEqual(before);
  });

  it('refuses a foreign file where a snapshot should be', async () => {
    const path = directory();
    writeFileSync(join(path, 'snapshot-0000000003.herald'), Buffer.alloc(100, 7));
    const before = digest(path);
    const error = await openError(path);
    expect(error.code).toBe('STORE_CORRUPT');
    expect(error.message).toContain(`${join(path, 'snapshot-0000000003.herald')} is not a Herald snapshot file`);
    expect(digest(path)).toEqual(before);
  });

  it('refuses files of a newer format version with STORE_VERSION_MISMATCH, for the log and the snapshot', async () => {
    for (const kind of ['log', 'snapshot'] as const) {
      const path = directory();
      await storeWithData(path, kind === 'snapshot');
      const name = readdirSync(path).find((file) => file.startsWith(`${kind}-`)) as string;
      const bytes = readFileSync(join(path, name));
      bytes.writeUInt32LE(99, 8);
      writeFileSync(join(path, name), bytes);
      const before = digest(path);
      const error = await openError(path);
      expect(error.code).toBe('STORE_VERSION_MISMATCH');
      expect(error.message).toContain(`${join(path, name)} was written in store format 99, newer than this version of @herald/store-file reads (1); upgrade @herald/store-file`);
      expect(digest(path)).toEqual(before);
    }
  });

  it('refuses a gap in the log segments', async () => {
    const path = directory();
    await storeWithData(path);
    writeFileSync(join(path, 'log-0000000003.herald'), readFileSync(join(path, 'log-0000000001.herald')));
    const error = await openError(path);
    expect(error.code).toBe('STORE_CORRUPT');
    expect(error.message).toContain('log-0000000002.herald is missing');
  });

  it('removes the temp file of an interrupted compaction, with a warning, and keeps the data', async () => {
    const path = directory();
    const id = await storeWithData(path, true);
    writeFileSync(join(path, 'snapshot-0000000009.herald.tmp'), 'half a snapshot');
    const warnings: FileStoreWarning[] = [];
    const store = await createFileStore({ directory: path, onWarning: (warning) => warnings.push(warning) });
    expect(await store.getNotification(sampleNotification().userId, id, sampleTime)).toBeDefined();
    await store.close();
    expect(warnings.map((warning) => warning.code)).toEqual(['LEFTOVER_FILE']);
    expect(readdirSync(path)).not.toContain('snapshot-0000000009.herald.tmp');
  });

  it('leaves files that are not its own alone', async () => {
    const path = directory();
    writeFileSync(join(path, 'README.txt'), 'my notes');
    await storeWithData(path, true);
    expect(readFileSync(join(path, 'README.txt'), 'utf8')).toBe('my notes');
  });
});

describe('options', () => {
  it('are checked before any file is touched, with a TypeError naming the option', async () => {
    await expect(createFileStore(undefined as never)).rejects.toSatisfy(
      (error) => error instanceof TypeError && error.message === '[herald] [store-file] createFileStore needs an options object with at least { directory }' && (error as { code?: string }).code === 'INVALID_OPTION',
    );
    await expect(createFileStore({ directory: '' })).rejects.toThrow(/option directory must be a non-empty path/);
    // Two names that differ only in a lone surrogate would be one directory on disk (U+FFFD).
    for (const lone of ['\ud800', '\udc00', 'a\ud83d', '\udfffb']) {
      await expect(createFileStore({ directory: `x-${lone}` })).rejects.toSatisfy((error) => (error as { code?: string }).code === 'INVALID_OPTION' && /well-formed text/.test((error as Error).message));
    }
    await expect(createFileStore({ directory: 'x', fsync: 'sometimes' as never })).rejects.toThrow("[herald] [store-file] option fsync must be one of 'always', 'interval', 'never' (got \"sometimes\")");
    await expect(createFileStore({ directory: 'x', compactAfterBytes: 0 })).rejects.toThrow('option compactAfterBytes must be a whole number of at least 1 (got 0)');
    await expect(createFileStore({ directory: 'x', staleLockMs: 1.5 })).rejects.toThrow('option staleLockMs must be a whole number of at least 100');
    await expect(createFileStore({ directory: 'x', onWarning: 'loud' as never })).rejects.toThrow('option onWarning must be a function');
    await expect(createFileStore({ directory: 'x', fsynk: 'always' } as never)).rejects.toThrow(/unknown option fsynk\b.*; the options are directory, fsync, fsyncIntervalMs, compactAfterBytes, staleLockMs, onWarning, logger$/);
  });
});
