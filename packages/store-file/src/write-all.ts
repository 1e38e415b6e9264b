/**
 * The one place where this package writes bytes to a file: all of them, or an error.
 *
 * `write(2)` may write fewer bytes than asked without failing — tmpfs does exactly that
 * when it fills up: the first write that reaches the end of the space returns a short
 * count, and only the next one fails with ENOSPC. A caller that ignores the count fsyncs,
 * renames and trusts a file that is cut short (issue 12: a truncated snapshot renamed into
 * place, the segments it "covered" deleted, and the store unopenable). So every write of
 * the package goes through {@link writeAll}, which keeps writing the rest until everything
 * is written or the system reports why not; {@link writeWholeFile} builds small files
 * (the lock's records) on it, so a reader sees the old file or the whole new one.
 */
import { open, rename, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';

/**
 * A write that made no progress twice in a row: the system neither wrote nor said why.
 * Shaped as a system error (`code`, `syscall`, `path`), so environment-error.ts maps it
 * like any other failure of the file system.
 */
function noProgress(path: string, wanted: number): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`EIO: write made no progress (0 of ${wanted} bytes written, twice), write '${path}'`);
  error.code = 'EIO';
  error.syscall = 'write';
  error.path = path;
  return error;
}

/**
 * Writes every byte of `buffers`, in order, to `handle` from `position` on; returns the
 * number of bytes written (their total length). Throws the system's error when a write
 * fails; a short write is continued, never taken as done. `path` names the file in errors.
 */
export async function writeAll(handle: FileHandle, buffers: readonly Buffer[], position: number, path: string): Promise<number> {
  let pending = buffers.filter((buffer) => buffer.length > 0);
  const total = pending.reduce((sum, buffer) => sum + buffer.length, 0);
  let offset = position;
  let stalled = false;
  while (pending.length > 0) {
    const first = pending[0] as Buffer;
    const { bytesWritten } = await (pending.length === 1 ? handle.write(first, 0, first.length, offset) : handle.writev(pending, offset)).catch((error: unknown) => {
      // A FileHandle's error names no file: name it, so the store's message can.
      const failure = error as NodeJS.ErrnoException;
      if (failure instanceof Error && typeof failure.code === 'string' && failure.path === undefined) failure.path = path;
      throw failure;
    });
    if (bytesWritten === 0) {
      // One empty write may be a fluke; a second one would loop forever.
      if (stalled) throw noProgress(path, pending.reduce((sum, buffer) => sum + buffer.length, 0));
      stalled = true;
      continue;
    }
    stalled = false;
    offset += bytesWritten;
    pending = skip(pending, bytesWritten);
  }
  return total;
}

/** `buffers` without their first `count` bytes (views, no copies). */
function skip(buffers: readonly Buffer[], count: number): Buffer[] {
  const rest: Buffer[] = [];
  let left = count;
  for (const buffer of buffers) {
    if (left >= buffer.length) {
      left -= buffer.length;
      continue;
    }
    rest.push(left === 0 ? buffer : buffer.subarray(left));
    left = 0;
  }
  return rest;
}

/**
 * Replaces `path` with `bytes` whole: written in full to `temp` (which must be unique to
 * this writer), then renamed over `path`. On failure the temp file is removed and `path`
 * is unchanged. No fsync: the lock's records need to be whole, not to survive a power loss
 * (a crashed machine's writer is gone either way).
 */
export async function writeWholeFile(path: string, bytes: Buffer, temp: string): Promise<void> {
  try {
    const handle = await open(temp, 'w');
    try {
      await writeAll(handle, [bytes], 0, temp);
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}
