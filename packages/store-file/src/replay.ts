/**
 * Replaying log segments into an engine on open. A record that fails its checksum is
 * either a torn tail — a crash cut the last write short, and no whole record follows it
 * in the last segment — which is cut off with a warning, or damage in the middle (whole
 * records follow it, or later segments do), which stops the open with STORE_CORRUPT
 * naming the file and offset: acknowledged data is never dropped silently.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { messageOfThrown } from '@herald/core/store';
import type { MemoryState } from '@herald/store-memory/engine';
import { storeError } from './errors.js';
import { checkFileHeader, fileHeaderBytes, fileName, isTornHeader } from './layout.js';
import type { LogOperation } from './log-operation.js';
import { replayOperation } from './log-operation.js';
import { findNextRecord, readRecord } from './log-record.js';

/** What replaying one segment found. */
export interface SegmentReplay {
  /** Bytes of the segment that hold whole records (header included); appending goes on from here. */
  readonly validBytes: number;
  /** The segment's length on disk. */
  readonly fileBytes: number;
  /** Records replayed. */
  readonly records: number;
  /** Set when a torn tail was found: where it starts and what was wrong. */
  readonly torn?: { readonly offset: number; readonly reason: string };
  /** True when the file was created but its header never fully written (a crash right after creating it). */
  readonly emptyHeader?: boolean;
}

/** Replays segment `number` into `state`; only the last segment may have a torn tail. */
export async function replaySegment(directory: string, number: number, state: MemoryState, last: boolean): Promise<SegmentReplay> {
  const name = fileName('log', number);
  const path = join(directory, name);
  const bytes = await readFile(path);
  if (last && isTornHeader(bytes, 'log', number)) return { validBytes: 0, fileBytes: bytes.length, records: 0, emptyHeader: true };
  checkFileHeader(bytes, 'log', number, directory, name);

  let offset = fileHeaderBytes;
  let records = 0;
  for (;;) {
    const read = readRecord(bytes, offset);
    if (read.kind === 'end') return { validBytes: offset, fileBytes: bytes.length, records };
    if (read.kind === 'damaged') {
      const next = findNextRecord(bytes, offset);
      if (next !== -1 || !last) {
        const after = next !== -1 ? `a whole record follows at byte ${next}` : 'later log segments follow';
        throw storeError(
          'STORE_CORRUPT',
          `the log ${path} is damaged at byte ${offset} (${read.reason}) and ${after}: records after the damage were acknowledged, so the store will not drop them. Nothing was changed; restore the directory from a backup, or truncate the file at byte ${offset} to keep what precedes the damage`,
        );
      }
      return { validBytes: offset, fileBytes: bytes.length, records, torn: { offset, reason: read.reason } };
    }
    let operation: LogOperation;
    try {
      operation = JSON.parse(read.payload.toString('utf8')) as LogOperation;
      replayOperation(state, operation);
    } catch (error) {
      throw storeError('STORE_CORRUPT', `the log ${path} has a record at byte ${offset} that does not replay (${messageOfThrown(error)}); nothing was changed`, { cause: error });
    }
    records++;
    offset = read.next;
  }
}
