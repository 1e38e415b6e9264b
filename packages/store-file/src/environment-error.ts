/**
 * The one place where a failure of the environment — an `fs` call that failed with an
 * errno (`EACCES`, `EROFS`, `ENOTDIR`, `ENOSPC`, …) — becomes a typed `HeraldError`
 * naming the store's directory and what to do, with the original error as `cause`.
 *
 * - Opening: a path or permission problem (`EACCES`, `EPERM`, `EROFS`, `ENOTDIR`,
 *   `ENAMETOOLONG`, `ELOOP`, `EISDIR`, `ENOENT`) is `STORE_INACCESSIBLE`: someone must fix
 *   the path, its permissions or the mount; retrying as it is will not help. Anything else
 *   (`ENOSPC`, `EIO`, `EMFILE`, …) is `STORE_UNAVAILABLE`.
 * - Writing, compacting, closing: `STORE_UNAVAILABLE`, whatever the errno; the store
 *   stops after a failed write (see log-writer.ts), so the code says "reopen".
 *
 * Errors that are already `HeraldError`s (a damaged file, a lost lock) and errors that are
 * not the environment's (a bug) pass through unchanged.
 */
import { isHeraldError } from '@herald/core/store';
import type { HeraldError } from '@herald/core/store';
import { storeError } from './errors.js';

/** What the store was doing when the environment failed it. */
export type StoreActivity = 'open' | 'write' | 'compaction' | 'close';

/** Errnos that say the path itself, or access to it, is wrong. */
const pathProblems = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'ENAMETOOLONG', 'ELOOP', 'EISDIR', 'ENOENT']);

function explain(code: string, directory: string): { readonly what: string; readonly todo: string } {
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return {
        what: 'permission denied',
        todo: `Give the process${typeof process.getuid === 'function' ? ` (uid ${process.getuid()})` : ''} read and write access to ${directory} and search access to every directory above it (an immutable attribute, chattr +i, denies even root), or point option directory at a directory it can write`,
      };
    case 'EROFS':
      return { what: 'the file system is read-only', todo: 'Point option directory at a writable file system, or remount it read-write' };
    case 'ENOTDIR':
      return { what: 'a part of the path is a file, not a directory', todo: 'Point option directory at a path made of directories' };
    case 'ENAMETOOLONG':
      return { what: 'a name in the path is too long for the file system', todo: 'Point option directory at a shorter path' };
    case 'ELOOP':
      return { what: 'the path runs through a loop of symbolic links', todo: 'Fix the symbolic links, or point option directory elsewhere' };
    case 'EISDIR':
      return { what: 'a directory stands where the store keeps a file', todo: `Move it out of ${directory}` };
    case 'ENOENT':
      return { what: 'a file or directory of the store disappeared', todo: `Make sure nothing else removes or moves ${directory} or its files` };
    case 'ENOSPC':
    case 'EDQUOT':
      return { what: 'the disk (or the quota) is full', todo: 'Free some space' };
    case 'EMFILE':
    case 'ENFILE':
      return { what: 'too many files are open', todo: 'Raise the open-files limit (ulimit -n) or open fewer files' };
    case 'EIO':
      return { what: 'an I/O error (a failing disk or a lost network file system?)', todo: 'Check the disk and the system log' };
    default:
      return { what: 'the file system refused', todo: 'Check the file system' };
  }
}

/** True for an error thrown by a failed system call (it has an errno code and a syscall). */
function isSystemError(error: unknown): error is NodeJS.ErrnoException {
  const candidate = error as NodeJS.ErrnoException | undefined;
  return candidate instanceof Error && typeof candidate.code === 'string' && typeof candidate.syscall === 'string';
}

/** What a failed compaction leaves: said once, by the error or by the warning about it. */
export const afterFailedCompaction = 'the log keeps everything until a compaction succeeds';

/**
 * Maps `error`, raised while the store in `directory` was doing `activity`, to a typed
 * `HeraldError` if it is a failure of the environment; returns anything else unchanged.
 */
export function environmentError(error: unknown, directory: string, activity: StoreActivity): unknown {
  if (isHeraldError(error) || !isSystemError(error)) return error;
  const code = error.code as string;
  const { what, todo } = explain(code, directory);
  const dest = (error as { dest?: unknown }).dest;
  const call = `${code} from ${error.syscall}${error.path === undefined ? '' : ` ${error.path}`}${typeof dest === 'string' ? ` -> ${dest}` : ''}`;
  let storeCode: HeraldError['code'] = 'STORE_UNAVAILABLE';
  let message: string;
  switch (activity) {
    case 'open':
      if (pathProblems.has(code)) storeCode = 'STORE_INACCESSIBLE';
      message = `cannot open the store directory ${directory}: ${what} (${call}). ${todo}; nothing was changed`;
      break;
    case 'write':
      message = `writing the log in ${directory} failed: ${what} (${call}). Nothing after it was acknowledged, and the store stopped: ${todo.charAt(0).toLowerCase()}${todo.slice(1)}, then close the store and open it again`;
      break;
    case 'compaction':
      message = `compacting the store in ${directory} failed: ${what} (${call}). ${todo}; ${afterFailedCompaction}`;
      break;
    case 'close':
      message = `closing the store in ${directory} failed: ${what} (${call}). ${todo}. Every acknowledged write is on disk; if the lock was left behind, it names this process, and the directory opens once this process has exited`;
      break;
  }
  return storeError(storeCode, message, { cause: error });
}
