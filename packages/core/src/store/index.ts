/**
 * `@herald/core/store`: what a store author needs — the store interface, the kit that
 * builds a store from its storage code (`defineStore`), the records it keeps, the errors
 * it throws — without the service, the dispatcher or the contract's validator. Apps
 * import `@herald/core`.
 */
export * from './interface.js';
export { defineStore, type DefinedStore, type LeaseTokens, type StoreImplementation } from './define-store.js';
export { optionalStoreMethods, storeMethodNames, type StoreMethodName } from './methods.js';
export { createdDeliveryRecords, listedWrite, plannedWrite } from './delivery-plan.js';
export { deepFreeze } from './deep-freeze.js';
export * from './delivery-transitions.js';
export { coalescedSyncs, isWaitingSync, type SyncCandidate, type SyncPlan } from './sync-plan.js';
export * from '../records.js';
export { preferencePrecedence, preferenceChoices, type NotificationPreferences, type PreferenceChoice, type PreferenceLevel, type PreferenceRules } from '../preferences/precedence.js';
export * from '../errors.js';
export * from '../contract/types.js';
export * from '../contract/fields.js';
export { parseDateTime, formatDateTime, expiryOf } from '../contract/date-time.js';
export { checkOptionsObject, closestName, describeValue, positiveWholeNumberOption, rejectUnknownOptions, unknownOptionMessage, wholeNumberOption, type WholeNumberRange } from '../option-checks.js';
export { newId } from '../ids.js';
export { checkLogger, processWarningLogger, type Logger, type LogFields, type ProcessWarningOptions } from '../logger.js';
export { messageOfThrown, stackOfThrown } from '../thrown-text.js';
