/**
 * Small tmpfs file systems mounted by a test, to fill a disk for real. Needs root (CI runs
 * the tests as root); when `mount` fails the test fails — a test of a full disk that
 * quietly ran on a roomy one would prove nothing.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, truncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const mounted: string[] = [];

/** Mounts a tmpfs of `bytes` at `directory` (which exists and is empty). */
export function mountTmpfs(directory: string, bytes: number): void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', directory], { stdio: 'pipe' });
  mounted.push(directory);
}

/** Grows (or shrinks) the tmpfs at `directory` to `bytes`, keeping what it holds. */
export function resizeTmpfs(directory: string, bytes: number): void {
  execFileSync('mount', ['-o', `remount,size=${bytes}`, directory], { stdio: 'pipe' });
}

/** Unmounts every tmpfs this process mounted. */
export function unmountAll(): void {
  // Lazily: a store a failed test left open must not turn its failure into a second one.
  for (const directory of mounted.splice(0)) execFileSync('umount', ['--lazy', directory], { stdio: 'pipe' });
}

/**
 * Fills the tmpfs at `directory` with a file `filler` until the system says ENOSPC, then
 * gives `leaveBytes` back (tmpfs counts whole pages: a multiple of 4096 is exact). Returns
 * the filler's path: removing it frees the disk again.
 */
export function fillDisk(directory: string, leaveBytes = 0): string {
  const path = join(directory, 'filler');
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(64 * 1024, 1);
  let size = 0;
  try {
    for (;;) {
      try {
        size += writeSync(fd, block, 0, block.length, size);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOSPC') break;
        throw error;
      }
    }
  } finally {
    closeSync(fd);
  }
  if (leaveBytes > 0) truncateSync(path, Math.max(0, size - leaveBytes));
  return path;
}
