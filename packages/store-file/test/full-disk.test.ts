/**
 * A full disk never costs an acknowledged write, and never leaves a directory that cannot
 * be opened (issue 12, F1). On a real tmpfs mounted by the test: when tmpfs fills up, a
 * write returns a short count first and fails with ENOSPC only on the next call — the
 * case the old snapshot writer took for success (a truncated snapshot renamed into
 * place, the segments it "covered" deleted, STORE_CORRUPT on every later open).
 *
 * The instance: a child sends until the disk is full with compaction on; the disk is then
 * grown and the directory reopened. The kind, as a table: the disk fills during a log
 * append, a snapshot write, the creation of the compaction's new segment, and the lock's
 * records at open. The snapshot's rename and the directory fsync take no space on tmpfs
 * (nor on ext4: a rename within a directory that has room allocates nothing), so no full
 * disk can reach them; the snapshot's size is checked before the rename all the same.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isHeraldError } from '@herald/core';
import type { HeraldError } from '@herald/core';
import { createFileStore } from '@herald/store-file';
import type { FileStore, FileStoreWarning } from '@herald/store-file';
import { sampleNotification, sampleTime } from '@herald/testing';
import { requireBuild, startChild } from './child-process.js';
import { fillDisk, mountTmpfs, resizeTmpfs, unmountAll } from './tmpfs.js';
import { freshDirectory, removeDirectory } from './temp-directory.js';

const roots: string[] = [];
const far = sampleTime + 1e11;

/** A fresh tmpfs of `bytes`, mounted in a temp directory; returns its mount point. */
function smallDisk(bytes: number): string {
  const root = freshDirectory('herald-full-disk-');
  roots.push(root);
  mountTmpfs(root, bytes);
  return root;
}

/** The error a promise rejects with, or a failure if it resolves. */
async function rejection(promise: Promise<unknown>): Promise<HeraldError> {
  const outcome = await promise.then(
    () => new Error('it succeeded'),
    (error: unknown) => error,
  );
  expect(isHeraldError(outcome), String(outcome)).toBe(true);
  return outcome as HeraldError;
}

/** A store in `directory` that records its warnings. */
async function open(directory: string, warnings: FileStoreWarning[] = []): Promise<FileStore> {
  return createFileStore({ directory, onWarning: (warning) => warnings.push(warning) });
}

let sequence = 0;
/** Saves one notification for `ada`; returns its id. */
async function send(store: FileStore): Promise<string> {
  sequence += 1;
  const notification = sampleNotification({ userId: 'ada', appNotificationId: `full-${sequence}`, expirationDateTime: new Date(far).toISOString(), payload: { visualContent: { title: `title ${sequence}`, body: `body ${sequence} `.repeat(4) } } });
  const saved = await store.saveNotification({ notification, deliveries: [], now: sampleTime + sequence });
  return saved.notification.id;
}

/** Ids of `ids` (of `ada`'s, or `userId id` pairs) that `store` does not have. */
async function missing(store: FileStore, ids: readonly (string | readonly [string, string])[]): Promise<string[]> {
  const lost: string[] = [];
  for (const entry of ids) {
    const [userId, id] = typeof entry === 'string' ? ['ada', entry] : entry;
    if ((await store.getNotification(userId, id, sampleTime)) === undefined) lost.push(id);
  }
  return lost;
}

/** The store's file names in `directory` (the filler and lock records aside). */
function storeFiles(directory: string): string[] {
  return readdirSync(directory).filter((name) => name.endsWith('.herald') || name.endsWith('.tmp')).sort();
}

const diskFull = /the disk \(or the quota\) is full \(ENOSPC from write/;

interface Variant {
  readonly name: string;
  /**
   * Runs against `directory` on a small tmpfs (`disk`), with a store opened there already
   * holding `ids`; fills the disk; returns the ids acknowledged (including `ids`), having
   * checked what the failure looked like. The store is closed by then.
   */
  readonly run: (disk: string, directory: string, store: FileStore, ids: string[], warnings: FileStoreWarning[]) => Promise<void>;
}

const variants: readonly Variant[] = [
  {
    name: 'a log append',
    run: async (disk, _directory, store, ids) => {
      fillDisk(disk);
      // The segment's last page may still have room: send until the disk says no.
      let failure: HeraldError | undefined;
      for (let attempt = 0; attempt < 10_000 && failure === undefined; attempt++) {
        try {
          ids.push(await send(store));
        } catch (error) {
          failure = error as HeraldError;
        }
      }
      expect(failure?.code, String(failure)).toBe('STORE_UNAVAILABLE');
      expect(failure?.message).toMatch(diskFull);
      await expect(send(store), 'nothing more is acknowledged').rejects.toSatisfy((error) => isHeraldError(error, 'STORE_UNAVAILABLE'));
      await store.close().catch(() => undefined);
    },
  },
  {
    name: 'a snapshot write (cut short by the disk, then ENOSPC)',
    run: async (disk, directory, store, ids, warnings) => {
      const before = storeFiles(directory);
      // Room for the new segment's page and the snapshot's first page, not for the rest.
      const filler = fillDisk(disk, 2 * 4096);
      const failure = await rejection(store.compact());
      expect(failure.code).toBe('STORE_UNAVAILABLE');
      expect(failure.message).toMatch(/compacting the store in .* failed: the disk \(or the quota\) is full \(ENOSPC from write .*snapshot-0000000002\.herald\.tmp\)/);
      expect(warnings.map((warning) => warning.code)).toEqual(['COMPACTION_FAILED']);
      expect(storeFiles(directory), 'the old snapshot and segments are untouched; no snapshot, no temp file').toEqual([...before, 'log-0000000002.herald']);
      rmSync(filler);
      ids.push(await send(store));
      await store.close();
    },
  },
  {
    name: "the compaction's new segment",
    run: async (disk, directory, store, ids, warnings) => {
      const before = storeFiles(directory);
      const filler = fillDisk(disk);
      const failure = await rejection(store.compact());
      expect(failure.code).toBe('STORE_UNAVAILABLE');
      expect(failure.message).toMatch(/the disk \(or the quota\) is full \(ENOSPC from write .*log-0000000002\.herald\)/);
      expect(warnings.map((warning) => warning.code)).toEqual(['COMPACTION_FAILED']);
      expect(storeFiles(directory), 'the half-made segment is removed').toEqual(before);
      // The store did not stop: with room again it acknowledges, and compacts (into
      // segment 2: no gap in the numbering).
      rmSync(filler);
      ids.push(await send(store));
      await store.compact();
      expect(storeFiles(directory)).toEqual(['log-0000000002.herald', 'snapshot-0000000002.herald']);
      ids.push(await send(store));
      await store.close();
    },
  },
  {
    name: "the lock's records at open",
    run: async (disk, directory, store) => {
      await store.close();
      const filler = fillDisk(disk);
      const failure = await rejection(open(directory));
      expect(failure.code).toBe('STORE_UNAVAILABLE');
      expect(failure.message).toMatch(/cannot open the store directory .*: the disk \(or the quota\) is full \(ENOSPC from write/);
      expect(readdirSync(directory).sort(), 'no lock, no half-written record is left behind').toEqual(storeFiles(directory));
      rmSync(filler);
      // Opens at once: no nameless lock keeps it out for staleLockMs.
      await (await open(directory)).close();
    },
  },
];

describe('a full disk', () => {
  beforeAll(() => requireBuild());
  afterAll(() => {
    unmountAll();
    for (const root of roots) removeDirectory(root);
  });

  it("the issue's instance: a child (4 senders: the log grows little while a snapshot is written, so the snapshot is what meets the full disk) sends until a 256 KiB tmpfs is full, compacting every 100 kB; grown, the directory opens with every acknowledged send", { timeout: 60_000 }, async () => {
    const disk = smallDisk(256 * 1024);
    const directory = join(disk, 'store');
    const writer = startChild('lock-writer.mjs', [directory, '10000', '100000', '4']);
    try {
      await writer.waitFor('ready');
      await writer.waitUntil((lines) => lines.some((line) => line.startsWith('failed ')));
    } finally {
      writer.process.kill('SIGKILL');
      await writer.exited;
    }
    const failed = writer.lines.filter((line) => line.startsWith('failed '));
    expect(failed[0], 'the writer stops with a typed error naming the full disk').toMatch(/^failed STORE_UNAVAILABLE .*the disk \(or the quota\) is full \(ENOSPC from write/);
    const sends = writer.lines.filter((line) => line.startsWith('ack ')).map((line) => line.split(' ').slice(1, 3) as [string, string]);
    expect(sends.length, 'the disk held a good number of sends first').toBeGreaterThan(100);
    // The lock of the killed child is taken over; no STORE_CORRUPT.
    resizeTmpfs(disk, 16 * 1024 * 1024);
    const store = await open(directory);
    expect(await missing(store, sends), `of ${sends.length} acknowledged sends, these are missing`).toEqual([]);
    await store.close();
  });

  for (const variant of variants) {
    it(`during ${variant.name}: a typed error, nothing already on disk changed, and every acknowledged send is there after the disk is grown`, { timeout: 30_000 }, async () => {
      const disk = smallDisk(256 * 1024);
      const directory = join(disk, 'store');
      mkdirSync(directory);
      const warnings: FileStoreWarning[] = [];
      const store = await open(directory, warnings);
      const ids: string[] = [];
      for (let index = 0; index < 300; index++) ids.push(await send(store));
      await variant.run(disk, directory, store, ids, warnings);
      resizeTmpfs(disk, 16 * 1024 * 1024);
      const reopened = await open(directory);
      expect(await missing(reopened, ids), `of ${ids.length} acknowledged sends, these are missing`).toEqual([]);
      await reopened.close();
    });
  }
});
