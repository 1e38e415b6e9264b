/**
 * `@herald/core/transport`: what a transport author needs — the transport interface,
 * its error and retry helpers — without the service, the dispatcher, the stores' types or
 * the contract's validator. Apps import `@herald/core`.
 */
export * from './interface.js';
export * from '../errors.js';
export * from '../contract/types.js';
export type { DeliveryKind, StoredNotification } from '../records.js';
export * from '../retry.js';
export { checkOptionsObject, closestName, describeValue, positiveWholeNumberOption, rejectUnknownOptions, unknownOptionMessage } from '../option-checks.js';
export { checkLogger, processWarningLogger, type Logger, type LogFields, type ProcessWarningOptions } from '../logger.js';
export { messageOfThrown, stackOfThrown } from '../thrown-text.js';
// The HTTP transports' kit (webhook, Web Push): the address guard, guarded requests, Retry-After.
export { createAddressGuard, addressGuardOptionNames, type AddressGuard, type AddressGuardOptions } from './address-guard.js';
export { createConnections, post, RefusedAddressError, type Connections, type ConnectionOptions, type PostAnswer } from './http-post.js';
export { postAttempt, type PostAttemptOptions } from './post-attempt.js';
export { isLocalhostName, literalHost, urlHostRefusal } from './url-host.js';
export { parseRetryAfter, maxRetryAfterSeconds } from './retry-after.js';
export { parseHttpDate } from './http-date.js';
export { checkedEndpoint, EndpointProblem, usableEndpoint } from './endpoint-problem.js';
