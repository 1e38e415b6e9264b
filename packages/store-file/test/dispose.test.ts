/** `await using` a file store closes it, releasing its directory, when the block ends. */
import { afterEach, describe, expect, it } from 'vitest';
import { isHeraldError } from '@herald/core';
import { createFileStore } from '@herald/store-file';
import { sampleNotification, sampleTime } from '@herald/testing';
import { freshDirectory, removeDirectory } from './temp-directory.js';

const directories: string[] = [];
afterEach(() => {
  for (const path of directories.splice(0)) removeDirectory(path);
});

describe('the file store as an AsyncDisposable', () => {
  it('is closed once the block that declared it ends, and its directory opens again', async () => {
    const directory = freshDirectory('herald-dispose-');
    directories.push(directory);
    let kept: Awaited<ReturnType<typeof createFileStore>> | undefined;
    let id: string;
    {
      await using store = await createFileStore({ directory });
      kept = store;
      id = (await store.saveNotification({ notification: sampleNotification(), deliveries: [], now: sampleTime })).notification.id;
      // While it is open, the directory is locked against a second opener.
      await expect(createFileStore({ directory })).rejects.toSatisfy((error) => isHeraldError(error, 'STORE_LOCKED'));
    }
    await expect(kept.listFeed('user-1', { limit: 10 }, sampleTime)).rejects.toSatisfy((error) => isHeraldError(error, 'STORE_CLOSED'));
    await using reopened = await createFileStore({ directory });
    expect(await reopened.getNotification('user-1', id, sampleTime)).toBeDefined();
  });
});
