/**
 * `@herald/store-memory/engine`: the memory store's engine, for stores built on it.
 * `MemoryState` holds the state and every store operation; `durable.ts` adds what a
 * durable store needs (state images, replay of claims and purges, the restart rule).
 */
export { MemoryState } from './memory-state.js';
export type { EngineDiagnostics } from './memory-state.js';
export type { MemoryStateOptions } from './parts.js';
export { captureImage, leaseDeliveries, purgeListed, releaseAllLeases, stateRestorer } from './durable.js';
export type { MemorySnapshot, NotificationSnapshot, UserSnapshot } from './snapshot.js';
export type { DeliveryImage, NotificationImage, StateImage, StateRestorer, TombstoneImage, UserImage } from './state-image.js';
export { restoredRecord } from './notification-record.js';
