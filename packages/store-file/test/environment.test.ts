/**
 * Every failure of the environment is a typed error naming the directory and what to do,
 * with the system's error as `cause` — found with the real file system, never a fake:
 * paths the kernel refuses (a file in the way, a name too long, sysfs, an immutable
 * directory), permissions denied to a real unprivileged process (the tests run as root,
 * whom mode bits do not stop), and failures that arrive while the store is open.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeraldError, isHeraldError } from '@herald/core';
import { createFileStore } from '@herald/store-file';
import { sampleDeliveries, sampleNotification, sampleTime } from '@herald/testing';
import { requireBuild, startChild } from './child-process.js';
import { freshDirectory, removeDirectory } from './temp-directory.js';

const directories: string[] = [];
const immutable: string[] = [];
const nobody = { uid: 65534, gid: 65534 };

function directory(): string {
  const path = freshDirectory('herald-environment-');
  directories.push(path);
  return path;
}

/** Sets or clears the immutable attribute (`chattr +i`): it denies changes even to root. */
function setImmutable(path: string, on: boolean): void {
  execFileSync('chattr', [on ? '+i' : '-i', path]);
  if (on) immutable.push(path);
  else immutable.splice(immutable.indexOf(path), 1);
}

async function openError(path: string): Promise<HeraldError> {
  try {
    const store = await createFileStore({ directory: path, onWarning: () => undefined });
    await store.close();
  } catch (error) {
    expect(error).toBeInstanceOf(HeraldError);
    return error as HeraldError;
  }
  throw new Error(`the store opened in ${path}`);
}

/** Opens `path` in a child process running as nobody; returns its `refused <code> <message>` line. */
async function openAsNobody(path: string): Promise<string> {
  const child = startChild('open-once.mjs', [path, '10000'], nobody);
  await child.exited;
  return child.lines[0] ?? `printed nothing: ${child.stderr}`;
}

/** A directory nobody can reach (its parent is searchable by all), set up by `prepare`. */
function reachable(prepare: (path: string) => void): string {
  const parent = directory();
  chmodSync(parent, 0o755);
  const path = join(parent, 'store');
  prepare(path);
  return path;
}

interface OpenVariant {
  readonly name: string;
  /** Makes the path to open; runs as root. */
  readonly path: () => string;
  readonly code: 'STORE_INACCESSIBLE' | 'STORE_UNAVAILABLE';
  /** The system error code the message and `cause` name. */
  readonly errno?: string;
  /** What the message says. */
  readonly says: RegExp;
}

const openVariants: readonly OpenVariant[] = [
  {
    name: 'the path is a file',
    path: () => {
      const path = join(directory(), 'not-a-directory');
      writeFileSync(path, 'hello');
      return path;
    },
    code: 'STORE_INACCESSIBLE',
    says: /is a file, not a directory; nothing was changed\. Point option directory at a directory$/,
  },
  {
    name: 'a directory above it is a file (ENOTDIR)',
    path: () => {
      const file = join(directory(), 'a-file');
      writeFileSync(file, 'hello');
      return join(file, 'store');
    },
    code: 'STORE_INACCESSIBLE',
    errno: 'ENOTDIR',
    says: /a part of the path is a file, not a directory \(ENOTDIR from \w+ .*\)\. Point option directory at a path made of directories; nothing was changed$/,
  },
  {
    name: 'a name in the path is too long (ENAMETOOLONG)',
    path: () => join(directory(), 'n'.repeat(300)),
    code: 'STORE_INACCESSIBLE',
    errno: 'ENAMETOOLONG',
    says: /a name in the path is too long for the file system .*Point option directory at a shorter path/,
  },
  {
    name: 'a path in sysfs, where nothing can be created (EPERM)',
    path: () => `/sys/kernel/herald-store-${process.pid}`,
    code: 'STORE_INACCESSIBLE',
    errno: 'EPERM',
    says: /permission denied \(EPERM from mkdir .*\)\. Give the process \(uid 0\) read and write access to/,
  },
  {
    name: 'an immutable directory (chattr +i), which even root cannot change (EPERM)',
    path: () => {
      const path = directory();
      setImmutable(path, true);
      return path;
    },
    code: 'STORE_INACCESSIBLE',
    errno: 'EPERM',
    says: /permission denied \(EPERM from mkdir .*lock\)\. .*chattr \+i, denies even root/,
  },
];

interface UserVariant {
  readonly name: string;
  readonly prepare: (path: string) => void;
  readonly syscall: string;
}

/** Permission bits, which stop a real unprivileged process (root ignores them). */
const userVariants: readonly UserVariant[] = [
  { name: "the store directory is the user's but mode 0o500 (no write)", prepare: (path) => (mkdirSync(path, { mode: 0o500 }), chownSync(path, nobody.uid, nobody.gid)), syscall: 'mkdir' },
  { name: "the store directory is the user's but mode 0o000", prepare: (path) => (mkdirSync(path, { mode: 0o000 }), chownSync(path, nobody.uid, nobody.gid)), syscall: 'mkdir' },
  { name: "the store directory belongs to root (0o755)", prepare: (path) => mkdirSync(path, { mode: 0o755 }), syscall: 'mkdir' },
  { name: 'the parent directory is not writable and the store directory is missing', prepare: () => undefined, syscall: 'mkdir' },
];

describe('a store directory the environment refuses', () => {
  beforeAll(() => requireBuild());
  afterAll(() => {
    for (const path of [...immutable]) setImmutable(path, false);
    for (const path of directories) removeDirectory(path);
  });

  for (const variant of openVariants) {
    it(`${variant.name}: ${variant.code}, naming the directory and what to do`, async () => {
      const path = variant.path();
      const error = await openError(path);
      expect(error.code).toBe(variant.code);
      expect(error.message).toContain(`[herald] [store-file] `);
      expect(error.message).toContain(path);
      expect(error.message).toMatch(variant.says);
      if (variant.errno !== undefined) expect((error.cause as NodeJS.ErrnoException).code, 'the system error is kept as cause').toBe(variant.errno);
    });
  }

  for (const variant of userVariants) {
    it(`as an unprivileged user, ${variant.name}: STORE_INACCESSIBLE (EACCES)`, async () => {
      const path = reachable(variant.prepare);
      const line = await openAsNobody(path);
      expect(line).toMatch(new RegExp(`^refused STORE_INACCESSIBLE \\[herald\\] \\[store-file\\] cannot open the store directory ${path}: permission denied \\(EACCES from ${variant.syscall} ${path}.*\\)\\. Give the process \\(uid ${nobody.uid}\\) read and write access to ${path}`));
    });
  }
});

describe('a failure of the environment while the store is open', () => {
  it('an immutable directory: compaction fails with STORE_UNAVAILABLE and COMPACTION_FAILED, changing nothing; the log goes on in its segment; close says it cannot remove the lock; what was acknowledged is kept', async () => {
    const path = directory();
    const warnings: string[] = [];
    const store = await createFileStore({ directory: path, onWarning: (warning) => warnings.push(warning.code) });
    const saved = await store.saveNotification({ notification: sampleNotification(), deliveries: sampleDeliveries(1), now: sampleTime });
    setImmutable(path, true);
    const failure = await store.compact().then(
      () => new Error('the compaction succeeded'),
      (error: unknown) => error,
    );
    expect(isHeraldError(failure, 'STORE_UNAVAILABLE'), String(failure)).toBe(true);
    expect((failure as Error).message).toMatch(new RegExp(`compacting the store in ${path} failed: permission denied \\(EPERM from open ${path}/log-0000000002.herald\\)`));
    expect(warnings).toEqual(['COMPACTION_FAILED']);
    // The new segment could not be made, so the log stayed in the one it had: a compaction
    // that cannot finish does not stop the store (files inside an immutable directory can
    // still be written; only its names cannot change).
    const second = await store.saveNotification({ notification: sampleNotification({ appNotificationId: 'second' }), deliveries: [], now: sampleTime });
    await expect(store.close(), 'close cannot remove the lock, and says so').rejects.toSatisfy((error) => isHeraldError(error, 'STORE_UNAVAILABLE') && (error as Error).message.includes(`closing the store in ${path} failed: permission denied (EPERM`));
    setImmutable(path, false);
    // Close could not remove this (running) process's lock: it is removed by hand here,
    // as an operator would once the directory is writable again.
    rmSync(join(path, 'lock'), { recursive: true });
    rmSync(join(path, 'writer.json'));
    const reopened = await createFileStore({ directory: path, onWarning: () => undefined });
    expect(await reopened.getNotification(saved.notification.userId, saved.notification.id, sampleTime)).toBeDefined();
    expect(await reopened.getNotification(second.notification.userId, second.notification.id, sampleTime)).toBeDefined();
    await reopened.close();
  });

  it('the directory moved away and a file put in its place: the next write is refused with a typed error, and nothing after it is acknowledged', async () => {
    const path = directory();
    const store = await createFileStore({ directory: path, onWarning: () => undefined });
    const saved = await store.saveNotification({ notification: sampleNotification(), deliveries: [], now: sampleTime });
    renameSync(path, `${path}-moved`);
    directories.push(`${path}-moved`);
    writeFileSync(path, 'not a directory');
    await expect(store.saveNotification({ notification: sampleNotification({ appNotificationId: 'second' }), deliveries: [], now: sampleTime })).rejects.toSatisfy((error) => isHeraldError(error, 'STORE_LOCKED') && (error as Error).message.includes(`lost its hold on the store directory ${path}`));
    await store.close();
    expect(readFileSync(path, 'utf8'), 'the file in its place is left alone').toBe('not a directory');
    // The moved directory still holds this (running) process's records: its operator
    // removes them by hand, as for any directory moved away from under its writer.
    rmSync(join(`${path}-moved`, 'lock'), { recursive: true });
    rmSync(join(`${path}-moved`, 'writer.json'));
    const reopened = await createFileStore({ directory: `${path}-moved`, onWarning: () => undefined });
    expect(await reopened.getNotification(saved.notification.userId, saved.notification.id, sampleTime)).toBeDefined();
    await reopened.close();
  });
});
