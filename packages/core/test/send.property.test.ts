import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeraldError, validateNotification, type StoredNotification } from '@herald/core';
import { harness, type Harness } from './support.js';

let h: Harness;
beforeAll(async () => {
  h = await harness({ dispatcher: { autoStart: false } });
  await h.subscribe('alice', ['windows', 'ios']);
});
afterAll(async () => {
  await h.service.close();
});

const iso = (offsetMs: number): string => new Date(Date.parse('2026-01-01T00:00:00.000Z') + offsetMs).toISOString();

/** Mostly one thing, sometimes another: keeps generated requests near the contract's edge. */
const mostly = <T, U>(valid: fc.Arbitrary<T>, invalid: fc.Arbitrary<U>): fc.Arbitrary<T | U> =>
  fc.oneof({ weight: 5, arbitrary: valid }, { weight: 1, arbitrary: invalid });

/** Requests near the contract: each field usually valid, sometimes wrong or missing, so both sides are explored. */
const nearlyValid = fc.record(
  {
    targetHostName: mostly(fc.constantFrom('app.example', 'graphnotifications.sample.windows.com', 'a'), fc.oneof(fc.string(), fc.jsonValue())),
    appNotificationId: mostly(fc.string({ minLength: 1, maxLength: 8 }), fc.jsonValue()),
    payload: mostly(
      fc.oneof(
        fc.record({ visualContent: fc.record({ title: fc.string({ minLength: 1 }), body: fc.string() }, { requiredKeys: ['title'] }) }),
        fc.record({ rawContent: fc.string({ minLength: 1 }) }),
      ),
      fc.oneof(fc.record({ visualContent: fc.jsonValue(), rawContent: fc.jsonValue() }, { requiredKeys: [] }), fc.jsonValue()),
    ),
    expirationDateTime: mostly(fc.integer({ min: 60_000, max: 29 * 86_400_000 }).map(iso), fc.oneof(fc.integer({ min: -86_400_000, max: 40 * 86_400_000 }).map(iso), fc.string(), fc.jsonValue())),
    targetPolicy: mostly(fc.record({ platformTypes: fc.array(fc.constantFrom('windows', 'IOS', 'Android', 'webPush'), { minLength: 1 }) }), fc.oneof(fc.record({ platformTypes: fc.array(fc.constantFrom('palm', '', 'ios')) }), fc.jsonValue())),
    priority: mostly(fc.constantFrom('None', 'High', 'Low'), fc.oneof(fc.constant('high'), fc.jsonValue())),
    groupName: mostly(fc.string({ minLength: 1, maxLength: 20 }), fc.jsonValue()),
    displayTimeToLive: mostly(fc.oneof(fc.nat({ max: 2_592_000 }), fc.nat({ max: 9999 }).map(String)), fc.oneof(fc.integer({ min: -5, max: 3_000_000 }), fc.string(), fc.jsonValue())),
    fallbackPolicy: fc.option(
      fc.oneof(
        fc.record({ endpointFallback: fc.record({ platformTypes: fc.array(fc.constantFrom('ios', 'android')), fallbackDelayInSeconds: fc.integer({ min: 0, max: 700 }) }) }),
        fc.jsonValue(),
      ),
      { nil: undefined, freq: 4 },
    ),
  },
  { requiredKeys: ['targetHostName', 'appNotificationId', 'payload'] },
);

/** The contract's fields of a stored notification, as a request. */
function asRequest(stored: StoredNotification): Record<string, unknown> {
  const { id: _id, userId: _user, createdDateTime: _c, lastModifiedDateTime: _m, readState: _r, userActionState: _u, sequence: _s, ...request } = stored;
  return request;
}

describe('send with arbitrary input', () => {
  it('throws nothing but a HeraldError, and stores only notifications that satisfy the contract', async () => {
    let stored = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof({ weight: 1, arbitrary: fc.jsonValue() }, { weight: 4, arbitrary: nearlyValid }, { weight: 1, arbitrary: fc.anything() }), async (input) => {
        try {
          const result = await h.service.send(input as never, { userId: 'alice' });
          stored += 1;
          expect(() => validateNotification(asRequest(result.notification), { now: h.clock.now() })).not.toThrow();
          const inFeed = await h.service.feed.get('alice', result.notification.id);
          expect(inFeed).toEqual(result.notification);
        } catch (error) {
          if (!(error instanceof HeraldError)) throw error;
          expect(error.status).toBeGreaterThanOrEqual(400);
          expect(error.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 2000 },
    );
    expect(stored).toBeGreaterThan(100); // both sides of the contract were explored
    for (let page = await h.service.feed.list('alice', { limit: 1000 }); ; ) {
      for (const notification of page.items) expect(() => validateNotification(asRequest(notification), { now: h.clock.now() })).not.toThrow();
      if (page.nextCursor === undefined) break;
      page = await h.service.feed.list('alice', { limit: 1000, cursor: page.nextCursor });
    }
  });
});
