/**
 * The file store's `logger` option, with a real pino logger writing to a stream the test
 * reads, and a real compaction failure: a directory in the way of the snapshot's temp file.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createFileStore, type FileStoreWarning } from '@herald/store-file';
import { sampleDeliveries, sampleNotification, sampleTime } from '@herald/testing';
import { freshDirectory, removeDirectory } from './temp-directory.js';

const directories: string[] = [];
afterEach(() => {
  for (const path of directories.splice(0)) removeDirectory(path);
});

function directory(): string {
  const path = freshDirectory('herald-logging-');
  directories.push(path);
  return path;
}

function pinoLines(): { logger: pino.Logger; lines: () => Record<string, unknown>[] } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString('utf8');
      done();
    },
  });
  return {
    logger: pino({ level: 'debug' }, stream),
    lines: () =>
      text
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** Puts a directory where the next compaction's snapshot temp file goes, so that compaction fails. */
function blockNextSnapshot(path: string): string {
  const segments = readdirSync(path).filter((name) => /^log-\d{10}\.herald$/.test(name)).sort();
  const current = Number(/\d{10}/.exec(segments.at(-1) ?? '')?.[0]);
  expect(Number.isInteger(current)).toBe(true);
  const temp = join(path, `snapshot-${String(current + 1).padStart(10, '0')}.herald.tmp`);
  mkdirSync(temp);
  return temp;
}

async function warningsDuring(run: () => Promise<void>): Promise<Error[]> {
  const warnings: Error[] = [];
  const listen = (warning: Error): void => {
    warnings.push(warning);
  };
  process.on('warning', listen);
  try {
    await run();
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('warning', listen);
  }
  return warnings;
}

describe('the file store with a pino logger', () => {
  it('logs a failed compaction as a warning with its code, component and directory, and keeps working', async () => {
    const path = directory();
    const log = pinoLines();
    const heard: FileStoreWarning[] = [];
    const store = await createFileStore({ directory: path, logger: log.logger, onWarning: (warning) => heard.push(warning) });
    await store.saveNotification({ notification: sampleNotification(), deliveries: sampleDeliveries(1), now: sampleTime });
    blockNextSnapshot(path);
    const warnings = await warningsDuring(async () => {
      await expect(store.compact()).rejects.toThrow();
    });
    const line = log.lines().find((entry) => entry['code'] === 'COMPACTION_FAILED');
    expect(line).toMatchObject({ level: 40, component: 'store-file', directory: path });
    expect(line?.['msg']).toMatch(/^\[herald\] \[store-file\] compacting the store in .* failed: .*; the log keeps everything until a compaction succeeds$/);
    expect(line?.['msg'], 'what it leaves, said once').not.toMatch(/succeeds.*succeeds/);
    expect(line?.['msg'], 'the prefix once, not again before the cause').not.toMatch(/failed: \[herald\]/);
    expect(heard.map((warning) => warning.code), 'onWarning hears it too').toEqual(['COMPACTION_FAILED']);
    expect(warnings, 'no process warning when a logger is given').toEqual([]);
    // The store goes on: a failed compaction only leaves the log longer.
    await store.saveNotification({ notification: sampleNotification({ appNotificationId: 'second' }), deliveries: [], now: sampleTime });
    await store.close();
  });

  it('logs the failure that stops the store as an error with its code', async () => {
    const path = directory();
    const log = pinoLines();
    const store = await createFileStore({ directory: path, logger: log.logger });
    await store.saveNotification({ notification: sampleNotification(), deliveries: [], now: sampleTime });
    // Another writer's records in place of this one's: the store has lost its directory.
    rmSync(join(path, 'writer.json'));
    writeFileSync(join(path, 'writer.json'), JSON.stringify({ pid: 1, startedAt: 'someone else' }));
    await expect(store.saveNotification({ notification: sampleNotification({ appNotificationId: 'second' }), deliveries: [], now: sampleTime })).rejects.toThrow();
    const stopped = log.lines().find((entry) => entry['level'] === 50);
    expect(stopped).toMatchObject({ component: 'store-file', directory: path, code: 'STORE_LOCKED', err: { code: 'STORE_LOCKED' } });
    await store.close().catch(() => undefined);
  });

  it('without a logger, warns as before: a process warning HERALD_STORE_FILE_COMPACTION_FAILED', async () => {
    const path = directory();
    const store = await createFileStore({ directory: path });
    blockNextSnapshot(path);
    const warnings = await warningsDuring(async () => {
      await expect(store.compact()).rejects.toThrow();
    });
    expect(warnings.map((warning) => (warning as Error & { code?: string }).code)).toEqual(['HERALD_STORE_FILE_COMPACTION_FAILED']);
    await store.close();
  });

  it('refuses a logger without pino\'s methods, before touching the directory', async () => {
    await expect(createFileStore({ directory: 'never-created', logger: { warn() {} } as never })).rejects.toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringContaining('option logger must be a logger with debug, info, warn, error and child methods, such as a pino logger; it lacks debug, info, error, child') }),
    );
  });
});
