import type { NotificationStore } from '@herald/core';
import { createFileStore } from '@herald/store-file';
import type { FileStore, FsyncMode } from '@herald/store-file';
import { runStoreConformance } from '@herald/testing';
import { freshDirectory, removeDirectory } from './temp-directory.js';

for (const fsync of ['always', 'interval', 'never'] satisfies FsyncMode[]) {
  runStoreConformance({
    name: `file (fsync: ${fsync})`,
    createStore: () => createFileStore({ directory: freshDirectory(), fsync }),
    destroyStore: (store: NotificationStore) => removeDirectory((store as FileStore).directory),
    reopenStore: async (store: NotificationStore) => {
      await store.close();
      return createFileStore({ directory: (store as FileStore).directory, fsync });
    },
    compactStore: (store: NotificationStore) => (store as FileStore).compact(),
  });
}
