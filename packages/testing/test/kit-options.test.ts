/**
 * Every function of the test kit that takes an options or match object refuses an
 * unknown key (naming it and the key probably meant) and a wrong type, with a TypeError
 * whose code is INVALID_OPTION: a misspelt match key would otherwise make a failure
 * script match nothing, and a test would pass without the fault it scripts.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '@herald/store-memory';
import {
  createFakeClock,
  createRecordingTransport,
  createTestService,
  heraldMatchers,
  parseDuration,
  runTransportConformance,
  sampleDeliveries,
  sampleEndpoint,
  sampleMessage,
  sampleNotification,
  sampleStoredNotification,
  sampleSubscription,
  type TestService,
} from '@herald/testing';

/** A variant: what is called, the option its error must name, the suggestion it must make. */
interface Variant {
  readonly name: string;
  readonly run: (kit: TestService) => unknown;
  readonly names: string;
  readonly suggests?: string;
}

/** The error `run` throws or rejects with; fails the test when it returns normally. */
async function refusal(run: () => unknown): Promise<Error & { code?: unknown }> {
  let outcome: unknown;
  try {
    await run();
  } catch (error) {
    outcome = error;
  }
  expect(outcome, 'the call was refused').toBeInstanceOf(TypeError);
  return outcome as Error & { code?: unknown };
}

/** Runs each variant against a fresh kit and checks the refusal's code, option and suggestion. */
function table(title: string, variants: readonly Variant[]): void {
  describe(title, () => {
    it.each(variants)('refuses $name', async ({ run, names, suggests }) => {
      const kit = await createTestService();
      try {
        const error = await refusal(() => run(kit));
        expect(error.code).toBe('INVALID_OPTION');
        expect(error.message).toMatch(/^\[herald\] \[testing\] /);
        expect(error.message).toContain(names);
        if (suggests !== undefined) expect(error.message).toContain(`did you mean ${suggests}?`);
      } finally {
        await kit.close();
      }
    });
  });
}

expect.extend(heraldMatchers);

const memoryStore = createMemoryStore();
const never = (value: unknown): never => value as never;

table('createTestService', [
  { name: 'service.store (store is a top-level option)', run: () => createTestService({ service: never({ store: memoryStore }) }), names: 'service.store', suggests: undefined },
  { name: 'service.clock (the kit’s own)', run: () => createTestService({ service: never({ clock: createFakeClock() }) }), names: 'service.clock' },
  { name: 'service.random (the kit’s own: seed)', run: () => createTestService({ service: never({ random: Math.random }) }), names: 'service.random' },
  { name: 'service.transports (the kit’s own)', run: () => createTestService({ service: never({ transports: [] }) }), names: 'service.transports' },
  { name: 'service.defaultExpiration', run: () => createTestService({ service: never({ defaultExpiration: 1000 }) }), names: 'defaultExpiration', suggests: 'defaultExpirationMs' },
  { name: 'service.dispatch', run: () => createTestService({ service: never({ dispatch: {} }) }), names: 'dispatch', suggests: 'dispatcher' },
  { name: 'service as a string', run: () => createTestService({ service: never('fast') }), names: 'service must be an object' },
  { name: 'transports as a string', run: () => createTestService({ transports: never('test') }), names: "transports must be an array of transport names, e.g. ['test', 'webhook']" },
  { name: 'transports holding an object', run: () => createTestService({ transports: never([{}]) }), names: 'transports must be an array of transport names' },
  { name: 'transports empty', run: () => createTestService({ transports: [] }), names: 'transports must name at least one transport' },
  { name: 'transports naming one twice', run: () => createTestService({ transports: ['a', 'a'] }), names: 'transports names "a" twice' },
  { name: 'a store that is not one', run: () => createTestService({ store: never({}) }), names: 'store must be a Herald store' },
  { name: 'a seed that is not a whole number', run: () => createTestService({ seed: never('1') }), names: 'seed must be a whole number' },
  { name: 'a start that is not a time', run: () => createTestService({ start: 'soon' }), names: 'start must be a Date' },
  { name: 'seeds', run: () => createTestService(never({ seeds: 1 })), names: 'unknown option seeds', suggests: 'seed' },
  { name: 'options as a string', run: () => createTestService(never('memory')), names: 'createTestService: takes an options object' },
]);

describe('createTestService({ service }) names the option to use instead', () => {
  it.each([
    { key: 'store', instead: 'createTestService({ store })' },
    { key: 'clock', instead: "createTestService's own option start" },
    { key: 'random', instead: "createTestService's own option seed" },
    { key: 'transports', instead: "createTestService's own option transports" },
  ])('service.$key', async ({ key, instead }) => {
    const error = await refusal(() => createTestService({ service: never({ [key]: undefined }) }));
    expect(error.message).toContain(instead);
  });
});

table('createRecordingTransport', [
  { name: 'names as a string', run: () => createRecordingTransport(never('test')), names: "names must be an array of transport names, e.g. ['test', 'webhook']" },
  { name: 'names holding an object', run: () => createRecordingTransport(never([{}])), names: 'one of them is an object' },
  { name: 'an empty name', run: () => createRecordingTransport(['']), names: 'one of them is the string ""' },
  { name: 'a clock that is not a function', run: () => createRecordingTransport(['test'], never(5)), names: 'now must be a function' },
]);

table('subscribe', [
  { name: '{ host }', run: (kit) => kit.subscribe('u', ['ios'], never({ host: 'x' })), names: 'unknown option host', suggests: 'targetHostName' },
  { name: '{ transports }', run: (kit) => kit.subscribe('u', ['ios'], never({ transports: 'test' })), names: 'unknown option transports', suggests: 'transport' },
  { name: 'a transport the kit has not', run: (kit) => kit.subscribe('u', ['ios'], { transport: 'push' }), names: 'transport "push" is not one of the kit\'s transports' },
  { name: 'a targetHostName that is not a string', run: (kit) => kit.subscribe('u', ['ios'], never({ targetHostName: 5 })), names: 'targetHostName must be a string' },
  { name: 'options as a string', run: (kit) => kit.subscribe('u', ['ios'], never('app.example')), names: 'takes an object of options' },
  { name: 'platforms as a number', run: (kit) => kit.subscribe('u', never(5)), names: 'platforms must be a platform name or an array of them' },
  { name: 'a userId that is not a string', run: (kit) => kit.subscribe(never(7), ['ios']), names: 'userId must be a string' },
]);

table('transport.when', [
  { name: '{ user }', run: (kit) => kit.transport.when(never({ user: 'u1' })), names: 'unknown match key user', suggests: 'userId' },
  { name: '{ platform }', run: (kit) => kit.transport.when(never({ platform: 'ios' })), names: 'unknown match key platform', suggests: 'platformType' },
  { name: '{ subscription }', run: (kit) => kit.transport.when(never({ subscription: 's' })), names: 'unknown match key subscription', suggests: 'subscriptionId' },
  { name: 'a value that is not a string', run: (kit) => kit.transport.when(never({ userId: 5 })), names: 'match key userId must be a string' },
  { name: 'a platform name instead of a match', run: (kit) => kit.transport.when(never('android')), names: "a match is an object of endpoint fields ({ platformType: 'android' }) or a function" },
]);

table('failure scripts', [
  { name: 'failTimes(1, { retryAfter })', run: (kit) => kit.transport.when().failTimes(1, never({ retryAfter: 1 })), names: 'unknown option retryAfter', suggests: 'retryAfterMs' },
  { name: 'failTimes(1, { messages })', run: (kit) => kit.transport.when().failTimes(1, never({ messages: 'x' })), names: 'unknown option messages', suggests: 'message' },
  { name: 'failTimes(1, { retryAfterMs: -1 })', run: (kit) => kit.transport.when().failTimes(1, { retryAfterMs: -1 }), names: 'retryAfterMs must be a finite number of milliseconds' },
  { name: 'failTimes(1, { message: 5 })', run: (kit) => kit.transport.when().failTimes(1, never({ message: 5 })), names: 'message must be a string' },
  { name: 'failTimes(1, "busy")', run: (kit) => kit.transport.when().failTimes(1, never('busy')), names: 'failTimes: takes an object of options' },
  { name: 'failTimes(1.5)', run: (kit) => kit.transport.when().failTimes(1.5), names: 'times must be a whole number of at least 0' },
  { name: 'failTimes("2")', run: (kit) => kit.transport.when().failTimes(never('2')), names: 'times must be a whole number' },
  { name: 'failPermanently({ message })', run: (kit) => kit.transport.when().failPermanently(never({ message: 'x' })), names: 'failPermanently: message must be a string' },
  { name: 'gone(5)', run: (kit) => kit.transport.when().gone(never(5)), names: 'gone: message must be a string' },
  { name: 'hang(-1)', run: (kit) => kit.transport.when().hang(-1), names: 'hang: times must be a whole number' },
]);

table('createFakeClock', [
  { name: '{ startAt }', run: () => createFakeClock(never({ startAt: 0 })), names: 'unknown option startAt', suggests: 'start' },
  { name: '{ settleTurn }', run: () => createFakeClock(never({ settleTurn: 1 })), names: 'unknown option settleTurn', suggests: 'settleTurns' },
  { name: '{ start: "soon" }', run: () => createFakeClock({ start: 'soon' }), names: 'start must be a Date, epoch milliseconds or an ISO 8601 date' },
  { name: '{ start: {} }', run: () => createFakeClock({ start: never({}) }), names: 'start must be a Date' },
  { name: '{ settleTurns: -1 }', run: () => createFakeClock({ settleTurns: -1 }), names: 'settleTurns must be a whole number of at least 0' },
  { name: '{ maxTimers: 0 }', run: () => createFakeClock({ maxTimers: 0 }), names: 'maxTimers must be a whole number of at least 1' },
  { name: '{ quietMs: "10" }', run: () => createFakeClock({ quietMs: never('10') }), names: 'quietMs must be a whole number' },
  { name: 'options as a number', run: () => createFakeClock(never(5)), names: 'takes an options object' },
]);

table('fake clock methods', [
  { name: 'advance({})', run: (kit) => kit.clock.advance(never({})), names: 'a duration is milliseconds or text like 15m' },
  { name: 'advance("soon")', run: (kit) => kit.advance('soon'), names: '"soon" is not a duration' },
  { name: 'advance(-1)', run: (kit) => kit.advance(-1), names: 'a duration must be a finite number of milliseconds' },
  { name: 'parseDuration(null)', run: () => parseDuration(never(null)), names: 'a duration is milliseconds' },
  { name: 'advanceTo("soon")', run: (kit) => kit.clock.advanceTo('soon'), names: 'time must be a Date' },
  { name: 'setTimer("x", 1)', run: (kit) => kit.clock.setTimer(never('x'), 1), names: 'callback must be a function' },
  { name: 'setTimer(fn, "1s")', run: (kit) => kit.clock.setTimer(() => undefined, never('1s')), names: 'delayMs must be a number' },
  { name: 'setTimer(fn, 1, "later")', run: (kit) => kit.clock.setTimer(() => undefined, 1, never('later')), names: 'purpose must be work or housekeeping' },
]);

table('matchers', [
  { name: 'toHaveSent({ groupname })', run: (kit) => heraldMatchers.toHaveSent(kit, never({ groupname: 'g' })), names: 'unknown field groupname', suggests: 'groupName' },
  {
    name: 'toHaveSent({ payload: { visualContent: { titel } } })',
    run: (kit) => heraldMatchers.toHaveSent(kit, never({ payload: { visualContent: { titel: 'x' } } })),
    names: 'in the match at payload.visualContent: unknown field titel',
    suggests: 'title',
  },
  { name: 'toHaveSent({ payload: { visual } })', run: (kit) => heraldMatchers.toHaveSent(kit, never({ payload: { visual: {} } })), names: 'at payload: unknown field visual', suggests: 'visualContent' },
  { name: 'toHaveSent("hello")', run: (kit) => heraldMatchers.toHaveSent(kit, never('hello')), names: 'a match is a partial notification' },
  { name: 'toHaveSent on something else', run: () => heraldMatchers.toHaveSent({}, undefined), names: 'toHaveSent: expects the object createTestService() returned' },
  { name: 'toHaveSentTo(userId, { appNotificationID })', run: (kit) => heraldMatchers.toHaveSentTo(kit, 'u', never({ appNotificationID: 'a' })), names: 'unknown field appNotificationID', suggests: 'appNotificationId' },
  { name: 'toHaveSentTo(7)', run: (kit) => heraldMatchers.toHaveSentTo(kit, never(7)), names: 'toHaveSentTo: userId must be a string' },
  { name: 'toHaveSentTimes("1")', run: (kit) => heraldMatchers.toHaveSentTimes(kit, never('1')), names: 'times must be a whole number of at least 0' },
  { name: 'toHaveSentTimes(1, userId, { grupName })', run: (kit) => heraldMatchers.toHaveSentTimes(kit, 1, 'u', never({ grupName: 'g' })), names: 'unknown field grupName', suggests: 'groupName' },
  { name: 'toHaveDeliveredTo({ platform })', run: (kit) => heraldMatchers.toHaveDeliveredTo(kit, never({ platform: 'ios' })), names: 'unknown match key platform', suggests: 'platformType' },
  { name: 'toHaveDeliveredTo("iphone")', run: (kit) => heraldMatchers.toHaveDeliveredTo(kit, never('iphone')), names: 'target "iphone" is not a platform' },
  { name: 'toHaveDeliveredTo("ios", { userid })', run: (kit) => heraldMatchers.toHaveDeliveredTo(kit, 'ios', never({ userid: 'u' })), names: 'unknown field userid', suggests: 'userId' },
  { name: 'toHaveInFeed(userId, { readstate })', run: (kit) => heraldMatchers.toHaveInFeed(kit, 'u', never({ readstate: 'read' })), names: 'unknown field readstate', suggests: 'readState' },
  { name: 'toHaveUnreadCount(userId, "1")', run: (kit) => heraldMatchers.toHaveUnreadCount(kit, 'u', never('1')), names: 'count must be a whole number' },
]);

table('fixtures', [
  { name: 'sampleEndpoint({ adress })', run: () => sampleEndpoint(never({ adress: 'x' })), names: 'sampleEndpoint: unknown field adress', suggests: 'address' },
  { name: 'sampleSubscription({ platform })', run: () => sampleSubscription(never({ platform: 'ios' })), names: 'unknown field platform', suggests: 'platformType' },
  { name: 'sampleNotification({ userID })', run: () => sampleNotification(never({ userID: 'u' })), names: 'unknown field userID', suggests: 'userId' },
  { name: 'sampleStoredNotification({ readstate })', run: () => sampleStoredNotification(never({ readstate: 'read' })), names: 'unknown field readstate', suggests: 'readState' },
  { name: 'sampleMessage({ attempts })', run: () => sampleMessage(never({ attempts: 2 })), names: 'unknown field attempts', suggests: 'attempt' },
  { name: 'sampleDeliveries(2, { nextAttempt })', run: () => sampleDeliveries(2, never({ nextAttempt: 1 })), names: 'unknown option nextAttempt', suggests: 'nextAttemptAt' },
  { name: 'sampleDeliveries("2")', run: () => sampleDeliveries(never('2')), names: 'targets must be a number of deliveries or an array' },
]);

const quietTransport = () => ({ name: 'x', send: async () => undefined });
const conformance = (extra: object) => () => runTransportConformance(never({ name: 'x', createTransport: quietTransport, endpoint: () => sampleEndpoint(), ...extra }));

table('runTransportConformance', [
  { name: 'failingEndpoints: { retriable }', run: conformance({ failingEndpoints: { retriable: () => sampleEndpoint() } }), names: 'unknown failing endpoint retriable', suggests: 'retryable' },
  { name: 'failingEndpoints: { hang }', run: conformance({ failingEndpoints: { hang: () => sampleEndpoint() } }), names: 'unknown failing endpoint hang', suggests: 'hanging' },
  { name: 'failingEndpoints.gone as an endpoint', run: conformance({ failingEndpoints: { gone: sampleEndpoint() } }), names: 'failingEndpoints.gone must be a function' },
  { name: 'skip: { aborts }', run: conformance({ skip: { aborts: true } }), names: 'unknown group aborts', suggests: 'abort' },
  { name: 'skip: { abort: "yes" }', run: conformance({ skip: { abort: 'yes' } }), names: 'skip.abort must be true or false' },
  { name: 'received as an array', run: conformance({ received: [] }), names: '`received` must be a function' },
  { name: 'additionalTests as an object', run: conformance({ additionalTests: {} }), names: '`additionalTests` must be a function' },
]);

describe('valid options and matches still work', () => {
  const send = (kit: TestService, userId: string) =>
    kit.service.send({ targetHostName: 'app.example', appNotificationId: `n-${userId}`, payload: { visualContent: { title: 'Hi' } } }, { userId });

  it('when({ userId }).failTimes(1, { retryAfterMs }) fails that user’s first attempt only, and the retry delivers', async () => {
    const kit = await createTestService();
    await kit.subscribe('u1', 'ios');
    await kit.subscribe('u2', 'ios');
    kit.transport.when({ userId: 'u1' }).failTimes(1, { retryAfterMs: 5_000, message: 'busy' });
    await send(kit, 'u1');
    await send(kit, 'u2');
    await kit.runAll();
    const outcomes = (userId: string) => kit.transport.deliveries.filter((delivery) => delivery.endpoint.userId === userId).map((delivery) => delivery.outcome);
    expect(outcomes('u1')).toEqual(['retryable', 'delivered']);
    expect(outcomes('u2')).toEqual(['delivered']);
    await expect(kit).toHaveDeliveredTo({ userId: 'u1', platformType: 'ios' }, { payload: { visualContent: { title: 'Hi' } } });
    await kit.close();
  });

  it('fixtures take the overrides they name', () => {
    expect(sampleEndpoint({ address: 'a', secret: undefined })).toMatchObject({ address: 'a' });
    expect(sampleDeliveries(2, { nextAttemptAt: [5, 6], kind: 'fallback' }).map((delivery) => [delivery.nextAttemptAt, delivery.kind])).toEqual([[5, 'fallback'], [6, 'fallback']]);
  });

  it('service options, subscribe options and clock options take effect', async () => {
    const kit = await createTestService({ service: { defaultExpirationMs: 60_000 }, transports: ['push'], seed: 7, start: '2026-03-01T00:00:00Z' });
    const [subscription] = await kit.subscribe('u', ['android'], { targetHostName: 'other.example', transport: 'push' });
    expect(subscription).toMatchObject({ targetHostName: 'other.example', transport: 'push' });
    const result = await kit.service.send({ targetHostName: 'other.example', appNotificationId: 'x', payload: { rawContent: 'r' } }, { userId: 'u' });
    expect(Date.parse(result.notification.expirationDateTime)).toBe(Date.parse('2026-03-01T00:01:00Z'));
    await kit.advance('1s');
    expect(kit).toHaveSentTimes(1, 'u', { groupName: undefined, payload: { rawContent: 'r' } });
    await expect(kit).toHaveInFeed('u', { appNotificationId: 'x' });
    await kit.close();
  });
});
