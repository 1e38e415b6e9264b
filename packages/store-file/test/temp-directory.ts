/** Fresh store directories under the system's temp directory, removed after use. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A new empty directory for one store. */
export function freshDirectory(prefix = 'herald-store-file-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Removes a directory and everything in it. */
export function removeDirectory(directory: string): void {
  rmSync(directory, { recursive: true, force: true });
}
