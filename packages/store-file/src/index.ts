/** `@herald/store-file`: Herald's durable store in one directory. */
export { createFileStore, NAME } from './file-store.js';
export type { FileStore } from './file-store.js';
export { fsyncModes } from './options.js';
export type { FileStoreOptions, FileStoreWarning, FsyncMode } from './options.js';
