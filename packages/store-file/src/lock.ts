/**
 * One writer per directory, across processes, and a writer that never acknowledges a
 * write after it lost its directory.
 *
 * The writer keeps two records of itself, each naming it (pid, host, boot id, pid
 * namespace, start time: see process-identity.ts) with a random nonce:
 *
 * - `lock/owner.json`, inside a lock directory made with an atomic `mkdir` (as
 *   proper-lockfile does): the mutual exclusion between openers;
 * - `writer.json`, beside the data, written after the lock is taken: a second record
 *   outside the lock directory, so that a lock directory removed or replaced by hand (an
 *   operator "cleaning a stale lock", a script) does not make a running writer invisible.
 *
 * An opener that finds the lock held by a running process is refused (STORE_LOCKED). One
 * that finds it stale (its holder is gone) moves it aside and takes it. Having taken it,
 * it reads `writer.json`: if that names another process that still runs, the lock had
 * been removed under a live writer — the opener gives the lock back and is refused too.
 *
 * The writer checks both records before every log write and again before it acknowledges
 * one (one check per group commit: two small synchronous reads, cheaper than a thread-pool
 * round trip), before each step of a compaction that changes the directory, and when it
 * refreshes them (their mtimes, every `staleLockMs / 3`, which is what observers on other
 * hosts judge it by). If either record is gone or names someone else, the store stops
 * with STORE_LOCKED before acknowledging anything more.
 *
 * What this cannot stop: both records removed by hand while the writer runs. A new opener
 * then sees no writer and opens; the old writer still stops at its next check, so what it
 * acknowledged stays acknowledged, but a write it had begun may collide with the new one's.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, unlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { storeError } from './errors.js';
import { lockName, writerName } from './layout.js';
import type { FileStoreWarning } from './options.js';
import { currentProcess, judgeHolder } from './process-identity.js';
import type { ProcessIdentity } from './process-identity.js';
import { writeWholeFile } from './write-all.js';

/** What both records say about the writer. */
interface Owner extends ProcessIdentity {
  readonly since: string;
  readonly nonce: string;
}

const ownerFile = 'owner.json';

/** A held lock. */
export interface DirectoryLock {
  /**
   * Confirms, synchronously, that both records still name this writer; throws
   * STORE_LOCKED (and reports it to `onLost`, once) if either is gone or names another.
   */
  verify(): void;
  /** Stops refreshing and removes the records that still name this writer. */
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
  /** Called once when the lock is found lost while held (the store must stop writing). */
  readonly onLost: (error: Error) => void;
}

function parseOwner(text: string): Owner | undefined {
  try {
    const owner = JSON.parse(text) as Partial<Owner>;
    if (typeof owner.pid !== 'number' || typeof owner.hostname !== 'string' || typeof owner.since !== 'string' || typeof owner.nonce !== 'string') return undefined;
    return owner as Owner;
  } catch {
    return undefined;
  }
}

function isCode(error: unknown, code: string): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === code;
}

/** A record and its last refresh, or `undefined` when there is none. */
async function readRecord(path: string, refreshedPath = path): Promise<{ owner: Owner | undefined; refreshedAt: number } | undefined> {
  let refreshedAt: number;
  try {
    refreshedAt = (await stat(refreshedPath)).mtimeMs;
  } catch (error) {
    if (isCode(error, 'ENOENT')) return undefined;
    throw error;
  }
  // A missing or unreadable owner (its holder is between mkdir and writing it) is judged by age alone.
  const text = await readFile(path, 'utf8').catch((error: unknown) => {
    if (isCode(error, 'ENOENT') || isCode(error, 'ENOTDIR')) return '';
    throw error;
  });
  return { owner: parseOwner(text), refreshedAt };
}

/** The owner a record names now, read synchronously; `undefined` when it is gone or unreadable as a record. */
function currentOwner(path: string): Owner | undefined {
  try {
    return parseOwner(readFileSync(path, 'utf8'));
  } catch (error) {
    if (isCode(error, 'ENOENT') || isCode(error, 'ENOTDIR') || isCode(error, 'EISDIR')) return undefined;
    // Another failure (EMFILE, EIO) cannot confirm the lock either: the caller maps it.
    throw error;
  }
}

function describe(owner: Owner | undefined, liveness: string): string {
  if (owner === undefined) return `a process that has not written its name yet (${liveness})`;
  return `process ${owner.pid} on ${owner.hostname} since ${owner.since} (${liveness})`;
}

/**
 * Writes `owner` to `path` whole (write-all.ts): a reader sees no record, the old one or
 * the new one, never half of one — also when the disk fills up while it is written.
 */
async function writeRecord(path: string, owner: Owner): Promise<void> {
  await writeWholeFile(path, Buffer.from(JSON.stringify(owner)), `${path}.${owner.nonce}.tmp`);
}

/** Takes the directory's lock or throws STORE_LOCKED naming the holder. */
export async function acquireLock(options: LockOptions): Promise<DirectoryLock> {
  const { directory, staleLockMs, onWarning } = options;
  const lockPath = join(directory, lockName);
  const ownerPath = join(lockPath, ownerFile);
  const writerPath = join(directory, writerName);
  const me: Owner = { ...currentProcess(), since: new Date().toISOString(), nonce: randomUUID() };

  for (let attempt = 0; ; attempt++) {
    try {
      await mkdir(lockPath);
      break;
    } catch (error) {
      if (!isCode(error, 'EEXIST') || attempt >= 3) throw error;
    }
    const found = await readRecord(ownerPath, lockPath);
    if (found === undefined) continue; // released meanwhile: try again
    const now = Date.now();
    const verdict = judgeHolder(found.owner, found.refreshedAt, now, staleLockMs);
    if (verdict.alive) {
      throw storeError('STORE_LOCKED', `the store directory ${directory} is in use by ${describe(found.owner, verdict.reason)}; one process at a time may open it. Close the store there, or stop that process`);
    }
    // Move the stale lock aside, then check it was the one judged stale: a process that
    // took it over meanwhile must not lose its fresh lock to us.
    const aside = `${lockPath}.stale-${randomUUID()}`;
    try {
      await rename(lockPath, aside);
    } catch (error) {
      if (isCode(error, 'ENOENT')) continue;
      throw error;
    }
    const moved = await readRecord(join(aside, ownerFile), aside);
    if (moved?.owner?.nonce !== found.owner?.nonce) {
      await rename(aside, lockPath).catch(() => undefined);
      throw storeError('STORE_LOCKED', `the store directory ${directory} was just locked by another process (${describe(moved?.owner, 'just now')})`);
    }
    await rm(aside, { recursive: true, force: true });
    onWarning({ code: 'STALE_LOCK', message: `[herald] [store-file] took over the stale lock of ${directory}, held by ${describe(found.owner, verdict.reason)}`, file: lockPath });
  }

  try {
    await writeRecord(ownerPath, me);
    // The second record: was the lock directory removed under a writer that still runs?
    const previous = await readRecord(writerPath);
    if (previous?.owner !== undefined && previous.owner.nonce !== me.nonce) {
      const verdict = judgeHolder(previous.owner, previous.refreshedAt, Date.now(), staleLockMs);
      if (verdict.alive) {
        throw storeError(
          'STORE_LOCKED',
          `the store directory ${directory} is in use by ${describe(previous.owner, verdict.reason)}, as ${writerPath} says, but its lock directory ${lockPath} was missing or stale: was it removed by hand? One process at a time may open the directory. Close the store in that process, or stop it`,
        );
      }
    }
    await writeRecord(writerPath, me);
  } catch (error) {
    // Give the lock back: we are not opening. Also when our name never made it into it (a
    // full disk): the lock directory is the one we just made, and one without a name
    // would keep every opener out for staleLockMs. No one else takes a fresh one meanwhile.
    const owner = currentOwner(ownerPath);
    if (owner === undefined || owner.nonce === me.nonce) await rm(lockPath, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  }

  let released = false;
  let lost: Error | undefined;
  const verify = (): void => {
    if (lost !== undefined) throw lost;
    const lockOwner = currentOwner(ownerPath);
    const writer = currentOwner(writerPath);
    if (lockOwner?.nonce === me.nonce && writer?.nonce === me.nonce) return;
    const what = (path: string, owner: Owner | undefined): string => (owner === undefined ? `${path} is gone` : `${path} names ${describe(owner, owner.nonce === me.nonce ? 'this process' : 'another holder')}`);
    const problems = [lockOwner?.nonce === me.nonce ? undefined : what(ownerPath, lockOwner), writer?.nonce === me.nonce ? undefined : what(writerPath, writer)].filter((text) => text !== undefined);
    lost = storeError(
      'STORE_LOCKED',
      `this process lost its hold on the store directory ${directory}: ${problems.join(', and ')}. Someone removed or replaced the lock (by hand?), or another process took the directory over. The store stopped before acknowledging anything more; find out who, then close the store and open it again`,
    );
    clearInterval(timer);
    options.onLost(lost);
    throw lost;
  };
  const refresh = async (): Promise<void> => {
    verify();
    const now = new Date();
    await utimes(lockPath, now, now);
    await utimes(writerPath, now, now);
  };
  const timer = setInterval(() => {
    // A failed refresh is found by the next verify; the timer itself has no one to tell.
    refresh().catch(() => undefined);
  }, Math.max(50, Math.floor(staleLockMs / 3)));
  // Holding a lock must not keep the process alive on its own.
  timer.unref();

  return {
    verify,
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      // Each record only if it still names us: another holder's must stay. The writer
      // record goes first, so that no instant shows a live writer without its lock.
      if (currentOwner(writerPath)?.nonce === me.nonce) await unlink(writerPath);
      if (currentOwner(ownerPath)?.nonce === me.nonce) await rm(lockPath, { recursive: true, force: true });
    },
  };
}
