/**
 * `@herald/store-memory/engine`: the memory store's engine, for stores built on it.
 * `MemoryState` holds the state and every store operation; `durable.ts` adds what a
 * durable store needs (state images, replay of claims and purges, the restart rule).
 *
 * Terms, one meaning each:
 * - *state image* (`StateImage`, state-image.ts): the whole state captured at one
 *   instant, with all a restore needs (positions, leases, serials); `captureImage` takes
 *   one and `stateRestorer` rebuilds an engine from one.
 * - *snapshot*: a durable store's file written from a state image (the file store's
 *   compaction); the engine never writes one, its restorer's errors name the one read.
 * - *logical state* (`LogicalState`, logical-state.ts): what the engine holds as plain
 *   data, `MemoryState.logicalState()`; equal logical states mean equal engines, so tests
 *   compare engines by it.
 */
export { MemoryState } from './memory-state.js';
export type { EngineDiagnostics } from './memory-state.js';
export type { MemoryStateOptions } from './parts.js';
export type { StateChange, SyncListing } from './state-change.js';
export type { Deletion, DeletionSyncListing } from './deletion.js';
export { captureImage, leaseDeliveries, purgeListed, releaseAllLeases, stateRestorer } from './durable.js';
export type { LogicalState, LogicalNotification, LogicalTombstone, LogicalUser } from './logical-state.js';
export type { DeliveryImage, NotificationImage, StateImage, StateRestorer, TombstoneImage, UserImage } from './state-image.js';
export { restoredRecord, type RestoredFields } from './notification-record.js';
export { FinishedDelivery, type FinishedStatus, type StoredDelivery } from './delivery-record.js';
export type { FeedEntry, PackedDeliveries } from './feed-entry.js';
