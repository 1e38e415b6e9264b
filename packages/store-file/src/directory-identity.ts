/**
 * Are the files this writer writes still the store directory's files?
 *
 * The lock (lock.ts) tells whether this process still owns the directory, but not
 * whether what it writes still lands where a reader will look. An open file descriptor
 * keeps working after its file was removed (`rm -f log-*`), replaced (a copy renamed over
 * it), or after the whole directory was moved away (`mv D D.old`, then an empty `D`, or a
 * copy `cp -a D.old D` whose lock records still carry this writer's nonce, so the lock
 * check passes). Writes then succeed and fsync, and every acknowledgement is a lie: the
 * records go to a file no reopen of the directory reads (issue 12: 1,583 sends
 * acknowledged after `rm -f log-*`, none found).
 *
 * So before each group commit's write and again before it is acknowledged (with the lock
 * check, see log-writer.ts), the writer compares what it holds with what the path shows:
 * the directory's device and inode as when the store opened it, and the open segment's
 * `fstat` (device, inode, and at least one name) with the `stat` of its path. Three small
 * synchronous system calls per check, once per batch, not per call. A mismatch stops the
 * store with STORE_LOCKED, naming what was found; nothing more is acknowledged.
 */
import { fstatSync, statSync } from 'node:fs';
import type { BigIntStats } from 'node:fs';
import { storeError } from './errors.js';
import type { OpenSegment } from './segment-file.js';

/** Checks that the directory and the segment being written are still the store's. */
export interface DirectoryIdentity {
  /** Throws STORE_LOCKED (and reports it to `onLost`, once) if the directory is no longer the one opened. */
  verifyDirectory(): void;
  /** As {@link verifyDirectory}, and also that `segment`'s open file is the one its path names. */
  verifySegment(segment: OpenSegment): void;
}

function isCode(error: unknown, ...codes: string[]): boolean {
  return codes.includes((error as NodeJS.ErrnoException | undefined)?.code ?? '');
}

/** `stat` of `path`, or `undefined` when nothing (or no directory above it) is there; other failures are thrown for the caller to map. */
function statOrNothing(path: string): BigIntStats | undefined {
  try {
    return statSync(path, { bigint: true });
  } catch (error) {
    if (isCode(error, 'ENOENT', 'ENOTDIR')) return undefined;
    throw error;
  }
}

function same(a: BigIntStats, b: BigIntStats): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

function named(stats: BigIntStats): string {
  return `device ${stats.dev}, inode ${stats.ino}`;
}

/**
 * Remembers what `directory` is now (call it once the store holds the directory's lock)
 * and returns the checks. `onLost` hears the first failure (the store must stop).
 */
export function watchDirectoryIdentity(directory: string, onLost: (error: Error) => void): DirectoryIdentity {
  const opened = statSync(directory, { bigint: true });
  let lost: Error | undefined;

  const stop = (found: string): never => {
    lost = storeError(
      'STORE_LOCKED',
      `this process lost its hold on the store directory ${directory}: ${found}. Someone moved, removed or replaced the store's files while it ran (by hand? a script, a restore from backup?); what it writes would be read by no one. The store stopped before acknowledging anything more; find out who, then close the store and open it again`,
    );
    onLost(lost);
    throw lost;
  };

  const verifyDirectory = (): void => {
    if (lost !== undefined) throw lost;
    const now = statOrNothing(directory);
    if (now === undefined) stop(`${directory} is gone (it was ${named(opened)} when the store opened it)`);
    else if (!same(now, opened)) stop(`${directory} is no longer the directory the store opened (${named(opened)} then, ${named(now)} now): it was moved away or replaced`);
  };

  return {
    verifyDirectory,
    verifySegment(segment) {
      verifyDirectory();
      const held = fstatSync(segment.handle.fd, { bigint: true });
      const there = statOrNothing(segment.path);
      // What the path shows first: a file renamed over the segment also leaves it nameless.
      if (there === undefined) stop(`the log segment ${segment.path} it writes was removed`);
      else if (!same(there, held)) stop(`the log segment ${segment.path} it writes was replaced by another file (${named(held)} is written, ${named(there)} is there)`);
      else if (held.nlink === 0n) stop(`the log segment ${segment.path} it writes was removed`);
    },
  };
}
