/**
 * Snapshot files: the whole state, written by compaction, read on open.
 *
 * Written the way that survives a crash at any instant (as write-file-atomic does): to
 * a temp file, written in full (write-all.ts: a short write on a full disk is continued
 * until it fails), fsync'ed, its size checked against what was written, renamed over the
 * final name, and the directory fsync'ed. Until
 * the rename the previous snapshot and its log segments are untouched, so a crash
 * leaves either the old state or the new one, plus at worst a temp file (removed on open).
 *
 * After the 16-byte file header the body is a run of chunks, each
 * `length: u32 LE | crc32: u32 LE | items`, so damage is found and named by offset.
 */
import { open, rename, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { ByteReader, ByteWriter } from './binary-buffer.js';
import { syncDirectory } from './directory-sync.js';
import type { StateImage, StateRestorer } from '@herald/store-memory/engine';
import { storeError } from './errors.js';
import { checkFileHeader, fileHeader, fileHeaderBytes, fileName, tempName } from './layout.js';
import { writeImage } from './snapshot-format.js';
import { ImageReader } from './snapshot-reading.js';
import { writeAll } from './write-all.js';

/** Chunks are written out at about this size. */
const chunkBytes = 4 * 1024 * 1024;
const chunkHeaderBytes = 8;
const maxChunkBytes = 1024 * 1024 * 1024;

/** Asked to stop a snapshot being written (the store is closing). */
export interface SnapshotAbort {
  /** True once the writer should stop. */
  readonly aborted: boolean;
}

/** Thrown when a snapshot write was abandoned on purpose. */
export class SnapshotAborted extends Error {
  constructor() {
    super('the snapshot was abandoned: the store is closing');
    this.name = 'SnapshotAborted';
  }
}

/**
 * A snapshot file whose size is not what was written: shaped as a system error (EIO), so
 * the compaction fails as for any failure of the file system and nothing is renamed.
 */
function shortFile(path: string, size: number, written: number): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`EIO: the file holds ${size} bytes after ${written} were written, fstat '${path}'`);
  error.code = 'EIO';
  error.syscall = 'fstat';
  error.path = path;
  return error;
}

/**
 * Writes `image` as snapshot `number` of `directory`: temp file, fsync, rename, fsync of
 * the directory. Returns the snapshot's size in bytes. On failure or abort the temp file
 * is removed and nothing else changed. `beforeRename` may throw to stop it at the last
 * moment (the store lost its lock: the directory is no longer its to change).
 */
export async function writeSnapshot(directory: string, number: number, image: StateImage, abort: SnapshotAbort, beforeRename: () => void = () => undefined): Promise<number> {
  const temp = join(directory, tempName(number));
  const handle = await open(temp, 'w');
  let position = 0;
  try {
    position = await writeAll(handle, [fileHeader('snapshot', number)], 0, temp);
    const out = new ByteWriter(chunkBytes + (chunkBytes >> 2));
    const flush = async (): Promise<void> => {
      if (abort.aborted) throw new SnapshotAborted();
      if (out.length === 0) return;
      const items = out.bytes();
      const frame = Buffer.allocUnsafe(chunkHeaderBytes);
      frame.writeUInt32LE(items.length, 0);
      frame.writeUInt32LE(crc32(items), 4);
      position += await writeAll(handle, [frame, items], position, temp);
      out.reset();
    };
    await writeImage(out, image, chunkBytes, flush);
    await flush();
    await handle.datasync();
    // Checked before the rename makes it the snapshot and the segments it covers go: the
    // file must hold exactly what was written (nothing cut short, nothing extra).
    const { size } = await handle.stat();
    if (size !== position) throw shortFile(temp, size, position);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
  await handle.close();
  try {
    if (abort.aborted) throw new SnapshotAborted();
    beforeRename();
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await rename(temp, join(directory, fileName('snapshot', number)));
  await syncDirectory(directory);
  return position;
}

/** A chunk's header: its length and checksum. */
interface ChunkFrame {
  readonly length: number;
  readonly checksum: number;
}

/**
 * The header at `at` in `buffer`, of which `bytes` were read: `undefined` at the end of
 * the file (nothing read), a RangeError for a partial header or an impossible length.
 */
function chunkFrame(buffer: Buffer, at: number, bytes: number): ChunkFrame | undefined {
  if (bytes === 0) return undefined;
  if (bytes < chunkHeaderBytes) throw new RangeError('the file ends inside a chunk header');
  const length = buffer.readUInt32LE(at);
  if (length === 0 || length > maxChunkBytes) throw new RangeError(`a chunk length of ${length} bytes`);
  return { length, checksum: buffer.readUInt32LE(at + 4) };
}

/**
 * Starts reading the chunk `frame` announces (its items start at `position`) and the
 * header after it into `buffers[turn]`, grown when too small. A failure is handled here
 * too, so one not awaited (the open failed on the chunk before) is not left unhandled.
 */
function readAhead(handle: FileHandle, buffers: Buffer[], turn: number, frame: ChunkFrame, position: number): Promise<{ buffer: Buffer; bytesRead: number }> {
  const wanted = frame.length + chunkHeaderBytes;
  if ((buffers[turn] as Buffer).length < wanted) buffers[turn] = Buffer.allocUnsafe(wanted);
  const reading = handle.read(buffers[turn] as Buffer, 0, wanted, position);
  reading.catch(() => undefined);
  return reading;
}

/**
 * Reads snapshot `number` of `directory` into `restorer` and returns the restored state.
 * Throws STORE_CORRUPT naming the file and offset for damage, STORE_VERSION_MISMATCH
 * for a newer format.
 */
export async function readSnapshot<State>(directory: string, number: number, restorer: StateRestorer<State>): Promise<{ state: State; bytes: number }> {
  const name = fileName('snapshot', number);
  const path = join(directory, name);
  const handle = await open(path, 'r');
  let position = 0;
  try {
    const header = Buffer.alloc(fileHeaderBytes);
    const { bytesRead } = await handle.read(header, 0, fileHeaderBytes, 0);
    checkFileHeader(header.subarray(0, bytesRead), 'snapshot', number, directory, name);
    position = fileHeaderBytes;
    const input = new ByteReader();
    const reader = new ImageReader(input, restorer);
    // Each read takes a chunk and the header of the next, into one of two buffers in
    // turn, and the next read starts before the chunk is decoded: the file is read while
    // the items are, instead of the decoding waiting for each read.
    const buffers = [Buffer.allocUnsafe(chunkBytes * 2), Buffer.allocUnsafe(chunkBytes * 2)];
    const first = await handle.read(Buffer.alloc(chunkHeaderBytes), 0, chunkHeaderBytes, position);
    let frame: ChunkFrame | undefined = chunkFrame(first.buffer, 0, first.bytesRead);
    let turn = 0;
    let reading = frame === undefined ? undefined : readAhead(handle, buffers, turn, frame, position + chunkHeaderBytes);
    while (frame !== undefined && reading !== undefined) {
      const { buffer, bytesRead } = await reading;
      const { length, checksum } = frame;
      if (bytesRead < length) throw new RangeError(`a chunk of ${length} bytes cut short at ${bytesRead}`);
      // A damaged next header is reported after this chunk is read, at its own offset.
      let damage: unknown;
      try {
        frame = chunkFrame(buffer, length, bytesRead - length);
      } catch (error) {
        [frame, damage] = [undefined, error];
      }
      turn ^= 1;
      reading = frame === undefined ? undefined : readAhead(handle, buffers, turn, frame, position + 2 * chunkHeaderBytes + length);
      const items = buffer.subarray(0, length);
      if (crc32(items) !== checksum) throw new RangeError('a chunk checksum mismatch');
      input.load(items);
      reader.readChunk();
      position += chunkHeaderBytes + length;
      if (damage !== undefined) throw damage;
    }
    return { state: reader.finish(), bytes: position };
  } catch (error) {
    if (error instanceof RangeError || error instanceof TypeError) {
      throw storeError('STORE_CORRUPT', `the snapshot ${path} is damaged at byte ${position}: ${error.message}. Nothing was changed; restore the directory from a backup`, { cause: error });
    }
    throw error;
  } finally {
    await handle.close();
  }
}
