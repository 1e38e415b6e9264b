/**
 * One writer per directory, across processes: a lock directory made with an atomic
 * `mkdir` (as proper-lockfile does), holding the owner's pid, host and start time, and
 * refreshed (its mtime touched) while held. Another process that finds it gets
 * STORE_LOCKED at once, naming the holder — unless the lock is stale: not refreshed for
 * `staleLockMs`, or its process is gone (same host). A stale lock is taken over with a
 * warning.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { storeError } from './errors.js';
import { lockName } from './layout.js';
import type { FileStoreWarning } from './options.js';

/** What the lock directory says about its holder. */
interface LockOwner {
  readonly pid: number;
  readonly hostname: string;
  readonly since: string;
  readonly nonce: string;
}

const ownerFile = 'owner.json';

/** A held lock. */
export interface DirectoryLock {
  /**
   * Before a write: `undefined` when the lock was confirmed recently; otherwise a promise
   * that confirms (and refreshes) it, rejecting with STORE_LOCKED if another process took
   * it over meanwhile (this process was stopped or its event loop blocked for longer than
   * `staleLockMs`). Keeps a paused holder from writing into a directory it lost.
   */
  confirm(): Promise<void> | undefined;
  /** Stops refreshing and removes the lock, if it is still ours. */
  release(): Promise<void>;
}

/** What {@link acquireLock} needs. */
export interface LockOptions {
  /** The store directory (it exists). */
  readonly directory: string;
  /** See `FileStoreOptions.staleLockMs`. */
  readonly staleLockMs: number;
  /** Hears a stale lock taken over. */
  readonly onWarning: (warning: FileStoreWarning) => void;
  /** Called once if the lock is found taken by someone else while held (the store must stop writing). */
  readonly onLost: (error: Error) => void;
}

async function readOwner(path: string): Promise<LockOwner | undefined> {
  try {
    const owner = JSON.parse(await readFile(join(path, ownerFile), 'utf8')) as Partial<LockOwner>;
    if (typeof owner.pid !== 'number' || typeof owner.hostname !== 'string' || typeof owner.since !== 'string' || typeof owner.nonce !== 'string') return undefined;
    return owner as LockOwner;
  } catch {
    // Missing (the holder is between mkdir and writing it) or unreadable: judged by age alone.
    return undefined;
  }
}

/** True when process `pid` exists on this host. */
function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, it is just not ours to signal.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function describeOwner(owner: LockOwner | undefined, refreshedAt: number, now: number): string {
  const age = `${((now - refreshedAt) / 1000).toFixed(1)} s ago`;
  if (owner === undefined) return `a process that has not written its name yet (lock refreshed ${age})`;
  return `process ${owner.pid} on ${owner.hostname} since ${owner.since} (last refreshed ${age})`;
}

function isCode(error: unknown, code: string): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === code;
}

/** Takes the directory's lock or throws STORE_LOCKED naming the holder. */
export async function acquireLock(options: LockOptions): Promise<DirectoryLock> {
  const { directory, staleLockMs, onWarning } = options;
  const path = join(directory, lockName);
  const me: LockOwner = { pid: process.pid, hostname: hostname(), since: new Date().toISOString(), nonce: randomUUID() };

  for (let attempt = 0; ; attempt++) {
    try {
      await mkdir(path);
      break;
    } catch (error) {
      if (!isCode(error, 'EEXIST') || attempt >= 3) throw error;
    }
    const owner = await readOwner(path);
    let refreshedAt: number;
    try {
      refreshedAt = (await stat(path)).mtimeMs;
    } catch (error) {
      if (isCode(error, 'ENOENT')) continue; // released meanwhile: try again
      throw error;
    }
    const now = Date.now();
    const gone = owner !== undefined && owner.hostname === me.hostname && !processExists(owner.pid);
    const expired = now - refreshedAt > staleLockMs;
    if (!gone && !expired) {
      throw storeError('STORE_LOCKED', `the store directory ${directory} is in use by ${describeOwner(owner, refreshedAt, now)}; one process at a time may open it. Close the store there, or wait ${Math.ceil(staleLockMs / 1000)} s after that process died`);
    }
    // Move the stale lock aside, then check it was the one judged stale: a process that
    // took it over meanwhile must not lose its fresh lock to us.
    const aside = `${path}.stale-${randomUUID()}`;
    try {
      await rename(path, aside);
    } catch (error) {
      if (isCode(error, 'ENOENT')) continue;
      throw error;
    }
    const moved = await readOwner(aside);
    if (moved?.nonce !== owner?.nonce) {
      await rename(aside, path).catch(() => undefined);
      throw storeError('STORE_LOCKED', `the store directory ${directory} was just locked by another process (${describeOwner(moved, Date.now(), Date.now())})`);
    }
    await rm(aside, { recursive: true, force: true });
    onWarning({
      code: 'STALE_LOCK',
      message: `[herald] [store-file] took over the stale lock of ${directory}, held by ${describeOwner(owner, refreshedAt, now)}${gone ? ', which is no longer running' : ''}`,
      file: path,
    });
  }

  await writeFile(join(path, ownerFile), JSON.stringify(me));
  let released = false;
  let lostError: Error | undefined;
  let confirmedAt = Date.now();
  const refresh = async (): Promise<void> => {
    if (lostError !== undefined) throw lostError;
    const checkedAt = Date.now();
    const owner = await readOwner(path);
    if (released) return;
    if (owner?.nonce !== me.nonce) {
      lostError = storeError('STORE_LOCKED', `the lock of ${directory} was taken over by ${describeOwner(owner, Date.now(), Date.now())} while this process held it (was it stopped, or its event loop blocked, for more than ${staleLockMs} ms?); the store stopped, reopen it`);
      clearInterval(timer);
      options.onLost(lostError);
      throw lostError;
    }
    const now = new Date();
    await utimes(path, now, now);
    confirmedAt = checkedAt;
  };
  const timer = setInterval(() => {
    refresh().catch(() => undefined);
  }, Math.max(50, Math.floor(staleLockMs / 3)));
  // Holding a lock must not keep the process alive on its own.
  timer.unref();

  return {
    confirm() {
      if (lostError !== undefined) return Promise.reject(lostError);
      return Date.now() - confirmedAt < staleLockMs / 2 ? undefined : refresh();
    },
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      if (lostError !== undefined) return;
      const owner = await readOwner(path);
      if (owner?.nonce === me.nonce) await rm(path, { recursive: true, force: true });
    },
  };
}
