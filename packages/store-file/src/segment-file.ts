/** Log segment files: created with their header on disk before any record goes in. */
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { syncDirectory } from './directory-sync.js';
import { fileHeader, fileName } from './layout.js';

/**
 * Creates segment `number` (it must not exist), writes its header, and makes both the
 * file and its name durable. Returns the handle, positioned for appending.
 */
export async function createSegment(directory: string, number: number): Promise<FileHandle> {
  const handle = await open(join(directory, fileName('log', number)), 'wx');
  try {
    const header = fileHeader('log', number);
    await handle.write(header, 0, header.length, 0);
    await handle.datasync();
    await syncDirectory(directory);
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
  return handle;
}

/**
 * Opens the existing segment `number` for appending after its first `validBytes` bytes,
 * cutting off anything after them (a torn tail) and making the cut durable.
 */
export async function reopenSegment(directory: string, number: number, validBytes: number, fileBytes: number): Promise<FileHandle> {
  const handle = await open(join(directory, fileName('log', number)), 'r+');
  try {
    if (validBytes === 0) {
      // Created, but the header never made it: write it again.
      const header = fileHeader('log', number);
      await handle.truncate(0);
      await handle.write(header, 0, header.length, 0);
      await handle.datasync();
    } else if (fileBytes !== validBytes) {
      await handle.truncate(validBytes);
      await handle.datasync();
    }
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
  return handle;
}
