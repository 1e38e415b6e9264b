/**
 * Damage to the files, as a crash or a bad disk leaves it: the log cut at many offsets
 * and bytes flipped (each in a copy of one store). Opening either recovers every record
 * before the damage (a damaged tail is cut off, with a warning) or refuses with a
 * STORE_CORRUPT error that names the file and the offset, changing nothing.
 */
import { createHash } from 'node:crypto';
import { cpSync, readFileSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeraldError } from '@herald/core';
import { createFileStore } from '@herald/store-file';
import type { FileStoreWarning } from '@herald/store-file';
import { sampleDeliveries, sampleNotification, sampleTime, seededRandom } from '@herald/testing';
import { fileHeaderBytes } from '../src/layout.js';
import { readRecord } from '../src/log-record.js';
import { freshDirectory, removeDirectory } from './temp-directory.js';

/** A saved notification and where its record lies in the log. */
interface Placed {
  readonly userId: string;
  readonly id: string;
  readonly start: number;
  readonly end: number;
}

const directories: string[] = [];
let original = '';
let logName = '';
let placed: Placed[] = [];
let logLength = 0;

function copyOfStore(): string {
  const directory = freshDirectory('herald-torn-');
  directories.push(directory);
  cpSync(original, directory, { recursive: true });
  return directory;
}

async function openCopy(directory: string): Promise<{ error?: unknown; warnings: FileStoreWarning[]; present: Set<string> }> {
  const warnings: FileStoreWarning[] = [];
  try {
    const store = await createFileStore({ directory, onWarning: (warning) => warnings.push(warning) });
    const present = new Set<string>();
    for (const { userId, id } of placed) if ((await store.getNotification(userId, id, sampleTime)) !== undefined) present.add(id);
    await store.close();
    return { warnings, present };
  } catch (error) {
    return { error, warnings, present: new Set() };
  }
}

/** The directory's files and a digest of each, to tell that nothing changed. */
function snapshotOf(directory: string): Record<string, string> {
  return Object.fromEntries(readdirSync(directory).map((name) => [name, createHash('sha256').update(readFileSync(join(directory, name))).digest('hex')]));
}

beforeAll(async () => {
  original = freshDirectory('herald-torn-original-');
  directories.push(original);
  const store = await createFileStore({ directory: original });
  for (let index = 0; index < 60; index++) {
    const userId = `user-${index % 3}`;
    await store.saveNotification({ notification: sampleNotification({ userId, appNotificationId: `n${index}` }), deliveries: sampleDeliveries(3), now: sampleTime - 1000 + index });
  }
  await store.close();
  logName = readdirSync(original).find((name) => name.startsWith('log-')) as string;
  const bytes = readFileSync(join(original, logName));
  logLength = bytes.length;
  for (let offset = fileHeaderBytes; offset < bytes.length; ) {
    const read = readRecord(bytes, offset);
    if (read.kind !== 'record') throw new Error(`the fresh log does not read at ${offset}`);
    const operation = JSON.parse(read.payload.toString()) as { op: string; write?: { notification: { id: string; userId: string } } };
    if (operation.op === 'save' && operation.write !== undefined) placed.push({ userId: operation.write.notification.userId, id: operation.write.notification.id, start: offset, end: read.next });
    offset = read.next;
  }
  expect(placed).toHaveLength(60);
});

afterAll(() => {
  for (const directory of directories) removeDirectory(directory);
  placed = [];
});

describe('a log cut short', () => {
  it('recovers every record before the cut, at 80 random offsets, and warns of the torn tail', async () => {
    const random = seededRandom(3);
    const offsets = [fileHeaderBytes, logLength - 1, ...Array.from({ length: 78 }, () => fileHeaderBytes + Math.floor(random() * (logLength - fileHeaderBytes)))];
    for (const offset of offsets) {
      const directory = copyOfStore();
      truncateSync(join(directory, logName), offset);
      const { error, warnings, present } = await openCopy(directory);
      expect(error, `cut at ${offset}: opens`).toBeUndefined();
      for (const record of placed) {
        if (record.end <= offset) expect(present.has(record.id), `cut at ${offset}: the record at ${record.start} before the cut is kept`).toBe(true);
        else expect(present.has(record.id), `cut at ${offset}: the torn record at ${record.start} is not half-applied`).toBe(false);
      }
      const torn = placed.find((record) => record.start < offset && offset < record.end);
      if (torn !== undefined) {
        expect(warnings.map((warning) => [warning.code, warning.offset]), `cut at ${offset}: a warning names the torn record`).toContainEqual(['TORN_TAIL', torn.start]);
        expect(readFileSync(join(directory, logName)).length, 'the torn tail is cut off the file').toBe(torn.start);
      }
    }
  });
});

describe('a log with a flipped byte', () => {
  it('refuses damage followed by whole records, naming the file and offset, and changes nothing; recovers damage in the last record', async () => {
    const random = seededRandom(4);
    for (let round = 0; round < 80; round++) {
      const offset = fileHeaderBytes + Math.floor(random() * (logLength - fileHeaderBytes));
      const directory = copyOfStore();
      const path = join(directory, logName);
      const bytes = readFileSync(path);
      bytes[offset] = (bytes[offset] as number) ^ (1 << Math.floor(random() * 8));
      writeFileSync(path, bytes);
      const before = snapshotOf(directory);
      const damaged = placed.find((record) => record.start <= offset && offset < record.end) as Placed;
      const last = damaged === placed[placed.length - 1];
      const { error, present } = await openCopy(directory);
      if (last) {
        expect(error, `flip at ${offset} in the last record: opens`).toBeUndefined();
        for (const record of placed.slice(0, -1)) expect(present.has(record.id), `flip at ${offset}: records before it are kept`).toBe(true);
      } else {
        expect(error, `flip at ${offset}: refused`).toBeInstanceOf(HeraldError);
        expect((error as HeraldError).code).toBe('STORE_CORRUPT');
        expect((error as HeraldError).message, 'the message names the file and the damaged record').toContain(`${path} is damaged at byte ${damaged.start}`);
        expect(snapshotOf(directory), `flip at ${offset}: nothing was changed`).toEqual(before);
      }
    }
  });

  it('refuses a damaged file header with a clear error', async () => {
    for (let offset = 0; offset < fileHeaderBytes; offset++) {
      const directory = copyOfStore();
      const path = join(directory, logName);
      const bytes = readFileSync(path);
      bytes[offset] = (bytes[offset] as number) ^ 0x10;
      writeFileSync(path, bytes);
      const { error } = await openCopy(directory);
      expect(error, `header byte ${offset}`).toBeInstanceOf(HeraldError);
      expect(['STORE_CORRUPT', 'STORE_VERSION_MISMATCH']).toContain((error as HeraldError).code);
      expect((error as HeraldError).message).toContain(path);
    }
  });
});

describe('a damaged snapshot', () => {
  it('is refused with STORE_CORRUPT naming the file and offset', async () => {
    const directory = copyOfStore();
    const store = await createFileStore({ directory });
    await store.compact();
    await store.close();
    const snapshot = readdirSync(directory).find((name) => name.startsWith('snapshot-')) as string;
    const path = join(directory, snapshot);
    const random = seededRandom(5);
    const pristine = readFileSync(path);
    for (let round = 0; round < 20; round++) {
      const bytes = Buffer.from(pristine);
      const offset = fileHeaderBytes + Math.floor(random() * (bytes.length - fileHeaderBytes));
      bytes[offset] = (bytes[offset] as number) ^ 0x04;
      writeFileSync(path, bytes);
      const { error } = await openCopy(directory);
      expect(error, `flip at ${offset}`).toBeInstanceOf(HeraldError);
      expect((error as HeraldError).code).toBe('STORE_CORRUPT');
      expect((error as HeraldError).message).toMatch(new RegExp(`snapshot ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is damaged at byte \\d+`));
    }
  });
});
