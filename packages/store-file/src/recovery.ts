/**
 * Opening a store directory: what is there, what it means, and the state it holds.
 *
 * 1. Temp files of an interrupted compaction are removed (the snapshot before them and
 *    its segments are intact).
 * 2. The newest snapshot is read; segments from its number on are replayed in order
 *    (they must be contiguous). Older snapshots and segments are obsolete: a compaction
 *    was interrupted after its rename; they are removed once the open succeeded.
 * 3. A torn tail of the last segment is cut off, with a warning.
 * 4. A file with a store name that is not a Herald file, or from a newer format, stops
 *    the open before anything is changed.
 */
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { syncDirectory } from './directory-sync.js';
import { MemoryState, stateRestorer } from '@herald/store-memory/engine';
import { storeError } from './errors.js';
import { fileHeaderBytes, fileName, parseName } from './layout.js';
import type { FileStoreWarning } from './options.js';
import { replaySegment } from './replay.js';
import { createSegment, reopenSegment } from './segment-file.js';
import type { OpenSegment } from './segment-file.js';
import { readSnapshot } from './snapshot.js';

/** What opening a directory found and set up. */
export interface RecoveredStore {
  /** The state the snapshot and the log hold. */
  readonly state: MemoryState;
  /** The segment new records go to, open for appending. */
  readonly segment: OpenSegment & { readonly size: number };
  /** Log bytes since the snapshot (to decide when to compact). */
  readonly logBytes: number;
  /** Records replayed from the log. */
  readonly records: number;
}

/** What the directory holds, by kind. */
interface Inventory {
  readonly snapshots: number[];
  readonly segments: number[];
  readonly temps: string[];
}

async function inventory(directory: string): Promise<Inventory> {
  const snapshots: number[] = [];
  const segments: number[] = [];
  const temps: string[] = [];
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    const parsed = parseName(entry.name);
    if (parsed === undefined) continue;
    if (!entry.isFile()) {
      throw storeError('STORE_CORRUPT', `${join(directory, entry.name)} should be a Herald ${parsed.kind} file but is not a regular file; nothing was changed`);
    }
    if (parsed.temp) temps.push(entry.name);
    else if (parsed.kind === 'snapshot') snapshots.push(parsed.number);
    else segments.push(parsed.number);
  }
  snapshots.sort((a, b) => a - b);
  segments.sort((a, b) => a - b);
  return { snapshots, segments, temps };
}

/** Opens the store in `directory` (which exists and is locked by this process). */
export async function recoverStore(directory: string, onWarning: (warning: FileStoreWarning) => void): Promise<RecoveredStore> {
  const found = await inventory(directory);
  const snapshotNumber = found.snapshots[found.snapshots.length - 1];
  const first = snapshotNumber ?? 1;
  const live = found.segments.filter((number) => number >= first);
  live.forEach((number, index) => {
    if (number !== first + index) {
      throw storeError('STORE_CORRUPT', `the log segment ${join(directory, fileName('log', first + index))} is missing (found ${fileName('log', number)} after ${snapshotNumber === undefined ? 'no snapshot' : fileName('snapshot', snapshotNumber)}); nothing was changed`);
    }
  });
  if (snapshotNumber === undefined && found.segments.length > 0 && found.segments[0] !== 1) {
    throw storeError('STORE_CORRUPT', `the store directory ${directory} has log segments from ${fileName('log', found.segments[0] as number)} on but no snapshot before them; nothing was changed`);
  }

  // Errors the engine raises speak as the file store's.
  const engineOptions = { errorSource: 'store-file' };
  const state = snapshotNumber === undefined ? new MemoryState(engineOptions) : (await readSnapshot(directory, snapshotNumber, stateRestorer(engineOptions))).state;
  let records = 0;
  let logBytes = 0;
  let tail: { number: number; validBytes: number; fileBytes: number } | undefined;
  for (const [index, number] of live.entries()) {
    const last = index === live.length - 1;
    const replay = await replaySegment(directory, number, state, last);
    records += replay.records;
    logBytes += replay.validBytes;
    if (replay.torn !== undefined) {
      onWarning({
        code: 'TORN_TAIL',
        message: `[herald] [store-file] cut off a torn tail of ${replay.fileBytes - replay.validBytes} bytes at byte ${replay.torn.offset} of ${join(directory, fileName('log', number))} (${replay.torn.reason}): the end of a write that did not finish — interrupted (a crash, a power loss) or failed (a full disk, an I/O error) — which was not acknowledged (with fsync 'always'; a failed one was reported as failed to its caller)`,
        file: join(directory, fileName('log', number)),
        offset: replay.torn.offset,
      });
    }
    if (last) tail = { number, validBytes: replay.validBytes, fileBytes: replay.fileBytes };
  }

  // Only now, with everything read, is anything on disk changed.
  for (const temp of found.temps) {
    await rm(join(directory, temp), { force: true });
    onWarning({ code: 'LEFTOVER_FILE', message: `[herald] [store-file] removed ${join(directory, temp)}, left by a compaction that did not finish`, file: join(directory, temp) });
  }
  const segment =
    tail === undefined
      ? { ...(await createSegment(directory, first)), size: fileHeaderBytes }
      : { ...(await reopenSegment(directory, tail.number, tail.validBytes, tail.fileBytes)), size: Math.max(tail.validBytes, fileHeaderBytes) };
  await removeObsolete(directory, snapshotNumber ?? 0, found);
  return { state, segment, logBytes, records };
}

/** Removes snapshots and segments older than snapshot `current`, which holds all they held. */
export async function removeObsolete(directory: string, current: number, found?: Inventory): Promise<void> {
  const { snapshots, segments } = found ?? (await inventory(directory));
  const obsolete = [
    ...snapshots.filter((number) => number < current).map((number) => fileName('snapshot', number)),
    ...segments.filter((number) => number < current).map((number) => fileName('log', number)),
  ];
  for (const name of obsolete) await rm(join(directory, name), { force: true });
  if (obsolete.length > 0) await syncDirectory(directory);
}

/**
 * Makes sure `directory` exists and is a directory. Throws STORE_INACCESSIBLE when the path
 * is a file; other failures are thrown as the system reported them, for the caller to map.
 */
export async function prepareDirectory(directory: string): Promise<void> {
  try {
    await mkdir(directory, { recursive: true });
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST' && code !== 'ENOTDIR') throw error;
  }
  // Something is in the way: the path is a file, or a directory above it is.
  const info = await stat(directory);
  if (!info.isDirectory()) {
    throw storeError('STORE_INACCESSIBLE', `the store directory ${directory} is a file, not a directory; nothing was changed. Point option directory at a directory`);
  }
}
