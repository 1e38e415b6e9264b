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

/** Requests near the contract: each field valid, wrong, or missing, so both sides are explored. */
const nearlyValid = fc.record(
  {
    targetHostName: fc.oneof(fc.constantFrom('app.example', 'graphnotifications.sample.windows.com', 'a'), fc.string(), fc.jsonValue()),
    appNotificationId: fc.oneof(fc.string({ minLength: 1, maxLength: 8 }), fc.jsonValue()),
    payload: fc.oneof(
      fc.record({ visualContent: fc.record({ title: fc.string(), body: fc.string() }, { requiredKeys: [] }), rawContent: fc.string() }, { requiredKeys: [] }),
      fc.record({ visualContent: fc.jsonValue(), rawContent: fc.jsonValue() }, { requiredKeys: [] }),
      fc.jsonValue(),
    ),
    expirationDateTime: fc.oneof(fc.integer({ min: -86_400_000, max: 40 * 86_400_000 }).map(iso), fc.string(), fc.jsonValue()),
    targetPolicy: fc.oneof(fc.record({ platformTypes: fc.array(fc.constantFrom('windows', 'IOS', 'Android', 'webPush', 'palm', '')) }), fc.jsonValue()),
    priority: fc.oneof(fc.constantFrom('None', 'High', 'Low', 'high'), fc.jsonValue()),
    groupName: fc.oneof(fc.string(), fc.jsonValue()),
    displayTimeToLive: fc.oneof(fc.integer({ min: -5, max: 3_000_000 }), fc.string(), fc.jsonValue()),
    fallbackPolicy: fc.oneof(
      fc.record({ endpointFallback: fc.record({ platformTypes: fc.array(fc.constantFrom('ios', 'android')), fallbackDelayInSeconds: fc.integer({ min: 0, max: 700 }) }) }),
      fc.jsonValue(),
    ),
  },
  { requiredKeys: [] },
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
      fc.asyncProperty(fc.oneof(fc.jsonValue(), nearlyValid, fc.anything()), async (input) => {
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
    expect(stored).toBeGreaterThan(0);
    for (let page = await h.service.feed.list('alice', { limit: 1000 }); ; ) {
      for (const notification of page.items) expect(() => validateNotification(asRequest(notification), { now: h.clock.now() })).not.toThrow();
      if (page.nextCursor === undefined) break;
      page = await h.service.feed.list('alice', { limit: 1000, cursor: page.nextCursor });
    }
  });
});
