/**
 * `@herald/testing`: the conformance suites for store and transport authors, fixtures to
 * build sample records with, a fake clock for service tests, and a connect hook that keeps
 * a test's connections on loopback.
 */
export { createFakeClock, type FakeClock, type FakeClockOptions } from './fake-clock.js';
export { parseDuration } from './duration.js';
export * from './fixtures.js';
export * from './store-conformance/index.js';
export * from './transport-conformance.js';
export { createTestService, testApp, type TestService, type TestServiceOptions, type SentNotification, type TestSubscribeOptions } from './test-service.js';
export { createRecordingTransport, type RecordingTransport, type RecordedDelivery, type EndpointMatch, type FailureScript } from './recording-transport.js';
export { heraldMatchers, type HeraldMatchers, type DeliveryTarget } from './matchers.js';
export { type NotificationMatch, type NotificationShape } from './notification-match.js';
export { seededRandom } from './seeded-random.js';
export { useLoopbackOnly, loopbackOnly, loopbackOnlyInstalled, isLoopback, NonLoopbackConnectError } from './loopback-only.js';
