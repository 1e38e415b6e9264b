/** `@herald/store-memory`: Herald's in-memory store. The engine is at `@herald/store-memory/engine`. */
export { createMemoryStore, NAME } from './memory-store.js';
export type { MemoryStoreOptions } from './options.js';
