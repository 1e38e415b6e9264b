/**
 * A snapshot of several chunks is read with the next chunk's read started before the
 * current one is decoded (snapshot.ts). Whatever the order of reads, a snapshot reads
 * whole, and damage at the second chunk (its header cut, an impossible length, its items
 * cut short or changed) is refused with STORE_CORRUPT at that chunk's offset.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDateTime, type HeraldError } from '@herald/core/store';
import { captureImage, MemoryState, stateRestorer } from '@herald/store-memory/engine';
import { fileHeaderBytes, fileName } from '../src/layout.js';
import { readSnapshot, writeSnapshot } from '../src/snapshot.js';
import { freshDirectory, removeDirectory } from './temp-directory.js';

const t0 = Date.parse('2026-01-01T00:00:00.000Z');
/** Enough notifications for a snapshot of more than one 4 MiB chunk. */
const count = 40_000;

let directory: string;
let engine: MemoryState;
let pristine: Buffer;
/** Where the second chunk starts. */
let second: number;
const path = (): string => join(directory, fileName('snapshot', 1));

beforeAll(async () => {
  directory = freshDirectory();
  engine = new MemoryState();
  for (let index = 0; index < count; index++) {
    const deliveries = [{ id: `d-${index}`, subscriptionId: 's', transport: 'webhook', platformType: 'ios' as const, kind: 'notification' as const, nextAttemptAt: t0 }];
    const notification = { id: `n-${index}`, userId: `user-${index % 50}`, targetHostName: 'app.example', appNotificationId: `a-${index}`, payload: { rawContent: `raw ${index}` }, expirationDateTime: formatDateTime(t0 + 86_400_000) };
    engine.saveNotification({ notification, deliveries, now: t0 + index });
  }
  await writeSnapshot(directory, 1, captureImage(engine), { aborted: false });
  pristine = readFileSync(path());
  second = fileHeaderBytes + 8 + pristine.readUInt32LE(fileHeaderBytes);
  expect(second, 'the snapshot has a second chunk').toBeLessThan(pristine.length);
});

afterAll(() => removeDirectory(directory));

async function readBack(bytes: Buffer): Promise<MemoryState> {
  writeFileSync(path(), bytes);
  return (await readSnapshot(directory, 1, stateRestorer())).state;
}

describe('a snapshot of several chunks', () => {
  it('reads whole', async () => {
    expect((await readBack(pristine)).logicalState()).toEqual(engine.logicalState());
  });

  const damages: [string, (bytes: Buffer) => Buffer, RegExp][] = [
    ['cut inside the second header', (bytes) => bytes.subarray(0, second + 3), /ends inside a chunk header/],
    ['a second header of length 0', (bytes) => (bytes.writeUInt32LE(0, second), bytes), /a chunk length of 0 bytes/],
    ['cut inside the second chunk', (bytes) => bytes.subarray(0, second + 8 + 100), /cut short at 100/],
    ['a byte of the second chunk changed', (bytes) => ((bytes[second + 8 + 100] = (bytes[second + 8 + 100] as number) ^ 1), bytes), /checksum mismatch/],
  ];
  for (const [name, damage, message] of damages) {
    it(`refuses ${name} at the second chunk's offset`, async () => {
      const error = (await readBack(damage(Buffer.from(pristine))).then(
        () => undefined,
        (thrown: unknown) => thrown,
      )) as HeraldError | undefined;
      expect(error?.code).toBe('STORE_CORRUPT');
      expect(error?.message).toContain(`is damaged at byte ${second}:`);
      expect(error?.message).toMatch(message);
    });
  }
});
