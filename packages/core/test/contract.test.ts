import { describe, expect, it } from 'vitest';
import { contractLimits, HeraldError, notificationSchema, validateNotification, validateSubscription } from '@herald/core';
import { contentFieldNames } from '@herald/core/store';

const now = Date.parse('2026-01-01T00:00:00.000Z');
const inTwoDays = '2026-01-03T00:00:00.000Z';

/** The reference page's example request, with an expiry that is still ahead. */
function referenceExample(): Record<string, unknown> {
  return {
    targetHostName: 'graphnotifications.sample.windows.com',
    appNotificationId: 'testDirectToastNotification',
    expirationDateTime: inTwoDays,
    payload: { visualContent: { title: 'Hello World!', body: 'Notifications are Great!' } },
    targetPolicy: { platformTypes: ['windows', 'ios', 'android'] },
    priority: 'High',
    groupName: 'TestGroup',
    displayTimeToLive: '60',
  };
}

function rejection(input: unknown): HeraldError {
  try {
    validateNotification(input, { now });
  } catch (error) {
    expect(error).toBeInstanceOf(HeraldError);
    return error as HeraldError;
  }
  throw new Error('the input was accepted');
}

describe('the notification contract', () => {
  it('accepts the reference example and normalizes it', () => {
    const content = validateNotification(referenceExample(), { now });
    expect(content).toEqual({
      targetHostName: 'graphnotifications.sample.windows.com',
      appNotificationId: 'testDirectToastNotification',
      expirationDateTime: inTwoDays,
      payload: { visualContent: { title: 'Hello World!', body: 'Notifications are Great!' } },
      targetPolicy: { platformTypes: ['windows', 'ios', 'android'] },
      priority: 'High',
      groupName: 'TestGroup',
      displayTimeToLive: 60,
    });
  });

  it('accepts platform names in any case and stores them lower-case without duplicates', () => {
    const content = validateNotification({ ...referenceExample(), targetPolicy: { platformTypes: ['iOS', 'WINDOWS', 'ios', 'WebPush'] } }, { now });
    expect(content.targetPolicy?.platformTypes).toEqual(['ios', 'windows', 'webpush']);
  });

  it('refuses an unknown platform, naming the field', () => {
    const error = rejection({ ...referenceExample(), targetPolicy: { platformTypes: ['windows', 'symbian'] } });
    expect(error.code).toBe('CONTRACT_MISMATCH');
    expect(error.issues[0]).toMatchObject({ field: 'targetPolicy.platformTypes[1]', rule: 'pattern' });
    expect(error.message).toContain('windows, ios, android, webpush');
  });

  it('applies the documented default expiry of 30 days', () => {
    const { expirationDateTime: _omitted, ...request } = referenceExample();
    const content = validateNotification(request, { now });
    expect(Date.parse(content.expirationDateTime)).toBe(now + contractLimits.defaultExpirationMs);
  });

  it('honours a configured default expiry', () => {
    const { expirationDateTime: _omitted, ...request } = referenceExample();
    const content = validateNotification(request, { now, defaultExpirationMs: 3_600_000 });
    expect(content.expirationDateTime).toBe('2026-01-01T01:00:00.000Z');
  });

  it('normalizes an expiry with an offset to UTC', () => {
    const content = validateNotification({ ...referenceExample(), expirationDateTime: '2026-01-03T02:00:00+02:00' }, { now });
    expect(content.expirationDateTime).toBe(inTwoDays);
  });

  it.each([
    ['in the past', '2019-10-30T23:59:00.000Z', 'minimum'],
    ['more than 30 days ahead', '2026-02-01T00:00:00.001Z', 'maximum'],
    ['not a date-time', 'tomorrow', 'format'],
    ['an impossible date', '2026-02-30T00:00:00Z', 'format'],
  ])('refuses an expiry %s', (_case, expirationDateTime, rule) => {
    const error = rejection({ ...referenceExample(), expirationDateTime });
    expect(error.code).toBe('CONTRACT_MISMATCH');
    expect(error.issues[0]).toMatchObject({ field: 'expirationDateTime', rule });
  });

  it('accepts an expiry of exactly 30 days', () => {
    expect(() => validateNotification({ ...referenceExample(), expirationDateTime: '2026-01-31T00:00:00.000Z' }, { now })).not.toThrow();
  });

  it('answers an array body with ARRAY_BODY', () => {
    const error = rejection([referenceExample()]);
    expect(error.code).toBe('ARRAY_BODY');
    expect(error.status).toBe(400);
  });

  it.each([null, 'text', 42, true])('answers a body that is not an object (%s) with CONTRACT_MISMATCH', (body) => {
    expect(rejection(body).code).toBe('CONTRACT_MISMATCH');
  });

  it('names every missing required field', () => {
    const error = rejection({});
    expect(error.code).toBe('CONTRACT_MISMATCH');
    expect(error.issues.map((issue) => issue.field).sort()).toEqual(['appNotificationId', 'payload', 'targetHostName']);
    expect(error.issues.every((issue) => issue.rule === 'required')).toBe(true);
    expect(error.message).toMatch(/is required \(and 2 more problems\)$/);
  });

  it('refuses a field the contract does not have', () => {
    const error = rejection({ ...referenceExample(), colour: 'red' });
    expect(error.code).toBe('CONTRACT_MISMATCH');
    expect(error.issues[0]).toMatchObject({ field: 'colour', rule: 'additionalProperties' });
  });

  it('refuses a wrong type outside the payload as a contract mismatch', () => {
    const error = rejection({ ...referenceExample(), priority: 5 });
    expect(error.code).toBe('CONTRACT_MISMATCH');
    expect(error.issues[0]).toMatchObject({ field: 'priority', rule: 'type' });
  });

  it('refuses an unknown priority, listing the allowed ones', () => {
    const error = rejection({ ...referenceExample(), priority: 'Urgent' });
    expect(error.issues[0]).toMatchObject({ field: 'priority', rule: 'enum' });
    expect(error.message).toBe('priority must be one of None, High, Low');
  });

  it('answers a wrong data type inside the payload with the 401 row', () => {
    const error = rejection({ ...referenceExample(), payload: { visualContent: { title: 42 } } });
    expect(error.code).toBe('INVALID_PAYLOAD_DATA_TYPE');
    expect(error.status).toBe(401);
    expect(error.issues[0]).toEqual({ field: 'payload.visualContent.title', rule: 'type', message: 'payload.visualContent.title must be a string' });
  });

  it.each([
    ['an empty payload', {}, 'payload', 'minProperties'],
    ['an empty visual content', { visualContent: {} }, 'payload.visualContent', 'minProperties'],
    ['an empty title', { visualContent: { title: '' } }, 'payload.visualContent.title', 'minLength'],
    ['a title that is too long', { visualContent: { title: 'x'.repeat(contractLimits.titleLength + 1) } }, 'payload.visualContent.title', 'maxLength'],
    ['raw content that is too long', { rawContent: 'x'.repeat(contractLimits.rawContentLength + 1) }, 'payload.rawContent', 'maxLength'],
    ['an unknown payload field', { html: '<b>hi</b>' }, 'payload.html', 'additionalProperties'],
  ])('answers %s with INVALID_PAYLOAD', (_case, payload, field, rule) => {
    const error = rejection({ ...referenceExample(), payload });
    expect(error.code).toBe('INVALID_PAYLOAD');
    expect(error.issues[0]).toMatchObject({ field, rule });
  });

  it('answers a payload that is not an object with INVALID_PAYLOAD', () => {
    expect(rejection({ ...referenceExample(), payload: 'hello' }).code).toBe('INVALID_PAYLOAD');
  });

  it('limits the whole payload in bytes, counting multi-byte characters', () => {
    const payload = { visualContent: { body: '€'.repeat(4000) }, rawContent: '€'.repeat(4000) };
    const error = rejection({ ...referenceExample(), payload });
    expect(error.code).toBe('INVALID_PAYLOAD');
    expect(error.issues[0]).toMatchObject({ field: 'payload', rule: 'maxBytes' });
  });

  it('accepts displayTimeToLive as a number or a string of digits, and refuses others', () => {
    expect(validateNotification({ ...referenceExample(), displayTimeToLive: 59 }, { now }).displayTimeToLive).toBe(59);
    for (const displayTimeToLive of [-1, 1.5, '60s', '', 'sixty', contractLimits.displayTimeToLiveSeconds + 1, '9999999']) {
      const error = rejection({ ...referenceExample(), displayTimeToLive });
      expect(error.code).toBe('CONTRACT_MISMATCH');
      expect(error.issues).toHaveLength(1);
      expect(error.issues[0]?.field).toBe('displayTimeToLive');
    }
  });

  it('refuses control characters in ids and bad host names', () => {
    expect(rejection({ ...referenceExample(), appNotificationId: 'a\nb' }).issues[0]).toMatchObject({ field: 'appNotificationId', rule: 'pattern' });
    expect(rejection({ ...referenceExample(), targetHostName: 'has space.example' }).issues[0]).toMatchObject({ field: 'targetHostName', rule: 'pattern' });
  });

  describe('fallbackPolicy', () => {
    const raw = (): Record<string, unknown> => ({
      ...referenceExample(),
      payload: { rawContent: '{"kind":"chat"}' },
      targetPolicy: { platformTypes: ['iOS', 'android'] },
      fallbackPolicy: { endpointFallback: { platformTypes: ['iOS'], fallbackDelayInSeconds: 120, visualContent: { title: 'New message' } } },
    });

    it('is validated and stored, normalized', () => {
      const content = validateNotification(raw(), { now });
      expect(content.fallbackPolicy).toEqual({
        endpointFallback: { platformTypes: ['ios'], fallbackDelayInSeconds: 120, visualContent: { title: 'New message' } },
      });
    });

    it.each([59, 601, 1.5])('refuses a delay of %s seconds', (fallbackDelayInSeconds) => {
      const request = raw();
      (request['fallbackPolicy'] as { endpointFallback: Record<string, unknown> }).endpointFallback['fallbackDelayInSeconds'] = fallbackDelayInSeconds;
      expect(rejection(request).issues[0]?.field).toBe('fallbackPolicy.endpointFallback.fallbackDelayInSeconds');
    });

    it('refuses a fallback platform that is not targeted', () => {
      const error = rejection({ ...raw(), targetPolicy: { platformTypes: ['android'] } });
      expect(error.code).toBe('CONTRACT_MISMATCH');
      expect(error.message).toContain('ios');
    });

    it('needs raw content and some visual content', () => {
      expect(rejection({ ...raw(), payload: { visualContent: { title: 't' } } }).issues[0]).toMatchObject({ field: 'payload.rawContent', rule: 'required' });
      const noVisual = raw();
      delete (noVisual['fallbackPolicy'] as { endpointFallback: Record<string, unknown> }).endpointFallback['visualContent'];
      expect(rejection(noVisual).code).toBe('INVALID_PAYLOAD');
    });
  });

  describe('hostile input', () => {
    it('refuses __proto__ and constructor keys without touching prototypes', () => {
      const body = JSON.parse('{"__proto__": {"polluted": true}, "targetHostName": "a.b", "appNotificationId": "x", "payload": {"rawContent": "r"}}') as unknown;
      const error = rejection(body);
      expect(error.issues[0]).toMatchObject({ field: '__proto__', rule: 'additionalProperties' });
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
      const nested = JSON.parse('{"targetHostName": "a.b", "appNotificationId": "x", "payload": {"rawContent": "r", "constructor": {"prototype": {}}}}') as unknown;
      expect(rejection(nested).code).toBe('INVALID_PAYLOAD');
    });

    it('survives deep nesting', () => {
      let deep: unknown = 'bottom';
      for (let i = 0; i < 10_000; i += 1) deep = { nested: deep };
      expect(rejection({ ...referenceExample(), payload: { rawContent: deep } }).code).toBe('INVALID_PAYLOAD_DATA_TYPE');
      expect(rejection(deep).code).toBe('CONTRACT_MISMATCH');
    });

    it('reports at most 20 issues for thousands of problems, and quotes long keys briefly', () => {
      const body: Record<string, unknown> = {};
      for (let i = 0; i < 5000; i += 1) body[`k${i}${'x'.repeat(1000)}`] = i;
      const error = rejection(body);
      expect(error.issues.length).toBeLessThanOrEqual(20);
      expect(error.message.length).toBeLessThan(300);
    });

    it('refuses huge strings by their limit', () => {
      const error = rejection({ ...referenceExample(), appNotificationId: 'x'.repeat(10_000_000) });
      expect(error.issues[0]).toMatchObject({ field: 'appNotificationId', rule: 'maxLength' });
    });
  });

  it("publishes a JSON Schema whose properties are the contract fields: the reference's, and the field table's", () => {
    expect(notificationSchema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    const properties = Object.keys(notificationSchema.properties);
    const reference = ['appNotificationId', 'displayTimeToLive', 'expirationDateTime', 'fallbackPolicy', 'groupName', 'payload', 'priority', 'targetHostName', 'targetPolicy'];
    expect(properties, 'every field of the reference is accepted').toEqual(expect.arrayContaining(reference));
    expect([...properties].sort(), 'a field the schema accepts is one the stores keep').toEqual([...contentFieldNames].sort());
  });
});

describe('the subscription contract', () => {
  const request = { targetHostName: 'app.example', platformType: 'Android', transport: 'webhook', address: 'https://device.example/hook' };

  it('accepts a request and lower-cases the platform', () => {
    expect(validateSubscription(request)).toEqual({ ...request, platformType: 'android' });
  });

  it('parses an expiry and keeps a secret', () => {
    const content = validateSubscription({ ...request, expirationDateTime: inTwoDays, secret: 'whsec_abc' });
    expect(content.expiresAt).toBe(Date.parse(inTwoDays));
    expect(content.secret).toBe('whsec_abc');
  });

  it.each([
    [{ ...request, platformType: 'palm' }, 'platformType'],
    [{ ...request, transport: '' }, 'transport'],
    [{ ...request, address: 'x'.repeat(3000) }, 'address'],
    [{ ...request, extra: 1 }, 'extra'],
    [{ targetHostName: 'app.example' }, 'platformType'],
  ])('refuses a bad request, naming the field', (body, field) => {
    try {
      validateSubscription(body);
      throw new Error('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(HeraldError);
      expect((error as HeraldError).code).toBe('CONTRACT_MISMATCH');
      expect((error as HeraldError).issues.map((issue) => issue.field)).toContain(field);
    }
  });
});
