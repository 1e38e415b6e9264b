/**
 * fsync of a directory: a rename or a new file is durable only once the directory that
 * names it is flushed too.
 */
import { open } from 'node:fs/promises';

/** Flushes `directory`'s entries to disk. */
export async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
