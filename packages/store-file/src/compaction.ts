/**
 * Compaction bounds the log, and so the time an open spends replaying it: the state is
 * written out as a snapshot and the log segments it covers are deleted.
 *
 * It holds up the store's calls only for `capture()`, a synchronous walk that takes
 * references to the engine's frozen records (and copies of open deliveries). In that
 * same synchronous step the writer is told to start a new segment, so the image is
 * exactly the state after the last record of the old segments. Encoding and writing the
 * snapshot then run in the background in chunks, while new records go to the new segment.
 * A crash at any point leaves a directory that opens: before the snapshot's rename, the
 * old snapshot and every segment are intact; after it, the new snapshot and the new
 * segment are.
 */
import { captureImage } from '@herald/store-memory/engine';
import type { MemoryState } from '@herald/store-memory/engine';
import type { LogWriter } from './log-writer.js';
import { removeObsolete } from './recovery.js';
import { createSegment } from './segment-file.js';
import type { SnapshotAbort } from './snapshot.js';
import { writeSnapshot } from './snapshot.js';

/** What a compaction works on. */
export interface CompactionTarget {
  /** The store directory. */
  readonly directory: string;
  /** The live state. */
  readonly state: MemoryState;
  /** The log writer. */
  readonly writer: LogWriter;
  /** Set when the store closes: the snapshot is abandoned. */
  readonly abort: SnapshotAbort;
  /** Throws if the store lost its directory's lock (see lock.ts): nothing more may change there. */
  readonly verify: () => void;
}

/** What a compaction did. */
export interface CompactionResult {
  /** The new snapshot's number, which is also the new segment's. */
  readonly number: number;
  /** The snapshot's size. */
  readonly snapshotBytes: number;
}

/**
 * Starts a compaction: captures the state and asks the log to switch to a new segment in
 * one synchronous step (call it between two store calls, never inside one), then writes
 * the snapshot and deletes what it covers. The snapshot takes the new segment's number,
 * known once the switch is done (the writer numbers segments: after a switch that failed,
 * the next one takes the same number). If the switch or the snapshot fails (a full disk),
 * nothing already there was changed: the old snapshot and every segment stay, and the
 * half-written temp file is removed.
 */
export function compact(target: CompactionTarget): Promise<CompactionResult> {
  const { directory, state, writer, abort, verify } = target;
  const image = captureImage(state);
  const rotated = writer.rotate((number) => createSegment(directory, number));
  return (async (): Promise<CompactionResult> => {
    const number = await rotated;
    const snapshotBytes = await writeSnapshot(directory, number, image, abort, verify);
    // Only a snapshot that is whole and in place covers the old files; and the files it
    // removes would be another writer's, if it took the directory over.
    verify();
    await removeObsolete(directory, number);
    return { number, snapshotBytes };
  })();
}
