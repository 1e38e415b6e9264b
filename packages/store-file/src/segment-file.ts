/** Log segment files: created with their header on disk before any record goes in. */
import { open, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { syncDirectory } from './directory-sync.js';
import { fileHeader, fileName } from './layout.js';
import { writeAll } from './write-all.js';

/** An open segment: its number, its handle, and the path it was opened at (to check it is still there). */
export interface OpenSegment {
  readonly number: number;
  readonly handle: FileHandle;
  readonly path: string;
}

/**
 * Creates segment `number` (it must not exist), writes its header, and makes both the
 * file and its name durable. Returns it open, positioned for appending.
 *
 * On failure (a full disk) the file is removed again, so the directory is as before and
 * the log can go on in the current segment: a half-made segment after it would stand in
 * the way of the next attempt, and make the current segment's torn tail look like damage.
 */
export async function createSegment(directory: string, number: number): Promise<OpenSegment> {
  const path = join(directory, fileName('log', number));
  const handle = await open(path, 'wx');
  try {
    await writeAll(handle, [fileHeader('log', number)], 0, path);
    await handle.datasync();
    await syncDirectory(directory);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(path, { force: true });
    throw error;
  }
  return { number, handle, path };
}

/**
 * Opens the existing segment `number` for appending after its first `validBytes` bytes,
 * cutting off anything after them (a torn tail) and making the cut durable.
 */
export async function reopenSegment(directory: string, number: number, validBytes: number, fileBytes: number): Promise<OpenSegment> {
  const path = join(directory, fileName('log', number));
  const handle = await open(path, 'r+');
  try {
    if (validBytes === 0) {
      // Created, but the header never made it: write it again.
      await handle.truncate(0);
      await writeAll(handle, [fileHeader('log', number)], 0, path);
      await handle.datasync();
    } else if (fileBytes !== validBytes) {
      await handle.truncate(validBytes);
      await handle.datasync();
    }
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
  return { number, handle, path };
}
