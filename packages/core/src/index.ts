/**
 * `@herald/core`: what an app needs — the notification service, the contract (types, JSON
 * Schemas, validation), errors, events, the clock, retry schedules and change cursors.
 * Store authors import `@herald/core/store`; transport authors (an app's own transport
 * included) import `@herald/core/transport`. Neither entry loads the service.
 */
export { HeraldError, isHeraldError, errorStatuses, type HeraldErrorCode, type HeraldErrorOptions, type ValidationIssue } from './errors.js';
export * from './contract/types.js';
export * from './contract/limits.js';
export * from './contract/schema.js';
export { validateNotification, validateNotificationState, validateSubscription } from './contract/validate.js';
export type { NotificationStateRequest, SubscriptionRequest, SubscriptionContent, ValidationContext } from './contract/validate.js';
export * from './records.js';
// The types an app holds when it passes a store or transports to the service.
export type { NotificationStore, StoreCapabilities, StoreTransaction } from './store/interface.js';
export type { Transport } from './transport/interface.js';
// What the feed's change API hands back and takes.
export { changeTypes, type ChangeType, type StoredChange } from './store/change-feed.js';
export type { NotificationStatePatch, UnreadFilter } from './store/interface.js';
export * from './clock.js';
export { exponentialBackoff, fixedSchedule, type RetryPolicy, type ExponentialBackoffOptions, type FixedScheduleOptions } from './retry.js';
export * from './events.js';
export { encodeCursor, decodeCursor, type CursorKind } from './cursor.js';
export { createNotificationService } from './service.js';
export type { NotificationService, NotificationServiceOptions, DispatcherOptions, PurgeSummary } from './service.js';
export type { SendTarget, SendOptions, SendResult } from './send.js';
export { sendChecks, type SendCheck } from './send-request.js';
export type { SendExplanation, RequestDecision, NotificationExplanation, SubscriptionExplanation } from './explain.js';
export * from './preferences/precedence.js';
export { decisionOutcomes, type DecisionOutcome, type DecisionRule, type DecisionRuleKind, type DeliveryDecision, type PreferenceDecisionRule } from './preferences/decision.js';
export { checkPreferences, maxRulesPerLevel } from './preferences/check-preferences.js';
export type { PreferencesApi, ResolvedPreferences, ResolvedPreference } from './preferences/preferences-api.js';
export type { SubscriptionsApi } from './subscriptions.js';
export type { StateChangeOptions } from './sync.js';
export type { FeedApi, FeedListOptions, FeedListPage, ChangesOptions, DeleteGroupOptions, FeedChanges } from './feed.js';
export type { FeedWatch, FeedWatchOptions, FeedWatchEvent, FeedWatchChange, FeedWatchResync } from './feed-watch.js';
export { maxWatchPollIntervalMs } from './feed-watch.js';
export type { DeliveriesApi, DeadListOptions, DeadListPage } from './deliveries.js';
export type { Caller, PolicyOptions, ThrottleOptions } from './policies.js';
export type { RateLimit } from './throttle.js';
export type { HeraldEventSource, HeraldEventPayload } from './emitter.js';
export { processWarningLogger, type Logger, type LogFields, type ProcessWarningOptions } from './logger.js';
export { messageOfThrown, stackOfThrown } from './thrown-text.js';
// Quiet hours: the schedule type, its check and JSON Schema, and when a quiet time ends.
export { weekdays, maxQuietHoursWindows, quietHoursEnd, type QuietHours, type QuietHoursWindow, type Weekday } from './preferences/quiet-hours.js';
export { checkQuietHours, quietHoursSchema } from './preferences/quiet-hours-check.js';
// A user's preferences as JSON: their schema, a change's schema (JSON Merge Patch) and its application.
export { preferencesSchema, preferencesPatchSchema, checkPreferencesPatch, applyPreferencesPatch, type PreferencesPatch } from './preferences/preferences-schema.js';
