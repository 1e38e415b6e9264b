import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { app, referenceBody, startApi, type Api, type Answer } from './support.js';

let api: Api;
let unsId: string;
beforeAll(async () => {
  api = await startApi({}, { policies: { blockedCallers: ['mallory'], authorize: (caller) => caller?.id !== 'eve', throttle: { perCaller: { ratePerSecond: 0.01, burst: 2 } } } });
  unsId = await api.subscribe('alice');
  await api.subscribe('alice', 'ios');
});
afterAll(async () => {
  await api.close();
});

const post = (body: unknown, headers: Record<string, string> = {}, caller = 'app-server'): Promise<Answer> =>
  api.call('POST', '/me/notifications', { headers: { authorization: `Bearer ${caller}`, 'x-uns-id': unsId, ...headers }, body });

let callers = 0;
/** A fresh caller per request, so the per-caller throttle only bites where a test wants it. */
const fresh = (): string => `server-${(callers += 1)}`;

function expectError(answer: Answer, status: number, code: string): Record<string, unknown> {
  expect(answer.status).toBe(status);
  expect(answer.headers['request-id']).toMatch(/^[0-9a-f-]{36}$/);
  const error = answer.json()['error'] as Record<string, unknown>;
  expect(error['code']).toBe(code);
  expect(typeof error['message']).toBe('string');
  expect(error['innerError']).toMatchObject({ 'request-id': answer.headers['request-id'] });
  return error;
}

async function notificationCount(): Promise<number> {
  return api.service.feed.unreadCount('alice');
}

describe('POST /me/notifications', () => {
  it('answers the reference request with 201, the Graph shape and a Location', async () => {
    const answer = await post(referenceBody({ appNotificationId: 'created' }), {}, fresh());
    expect(answer.status).toBe(201);
    const body = answer.json();
    expect(body['@odata.context']).toBe(`http://127.0.0.1:${api.port}/$metadata#users('alice')/notifications/$entity`);
    expect(body).toMatchObject({ targetHostName: app, appNotificationId: 'created', displayTimeToLive: 60, priority: 'High', groupName: 'TestGroup', payload: { visualContent: { title: 'Hello World!' } } });
    expect(body['id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(body['userId']).toBeUndefined();
    expect(answer.headers.location).toBe(`http://127.0.0.1:${api.port}/me/notifications/${String(body['id'])}`);
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    await api.service.drain();
    expect(api.recorded.filter((r) => r.title === 'Hello World!').length).toBeGreaterThanOrEqual(2);
  });

  it('answers 200 when the appNotificationId updated an existing notification', async () => {
    const first = await post(referenceBody({ appNotificationId: 'same' }), {}, fresh());
    const second = await post(referenceBody({ appNotificationId: 'same', groupName: 'Other' }), {}, fresh());
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.json()['id']).toBe(first.json()['id']);
  });

  it('echoes client-request-id', async () => {
    const answer = await post(referenceBody({ appNotificationId: 'echo' }), { 'client-request-id': 'trace-42' }, fresh());
    expect(answer.headers['client-request-id']).toBe('trace-42');
  });

  describe('the reference error table', () => {
    it('400 for an array body', async () => {
      const before = await notificationCount();
      expectError(await post([referenceBody()], {}, fresh()), 400, 'ARRAY_BODY');
      expect(await notificationCount()).toBe(before);
    });

    it('400 for a body that does not match the contract, with details', async () => {
      const error = expectError(await post({ ...referenceBody(), colour: 'red', priority: 'Urgent' }, {}, fresh()), 400, 'CONTRACT_MISMATCH');
      expect(error['details']).toEqual(expect.arrayContaining([expect.objectContaining({ target: 'colour', code: 'additionalProperties' }), expect.objectContaining({ target: 'priority', code: 'enum' })]));
    });

    it('403 for a blocked caller', async () => {
      expectError(await post(referenceBody(), {}, 'mallory'), 403, 'CALLER_BLOCKED');
    });

    it('405 for another method, with Allow', async () => {
      for (const method of ['PUT', 'DELETE', 'PATCH']) {
        const answer = await api.call(method, '/me/notifications', { headers: { authorization: 'Bearer alice' } });
        expectError(answer, 405, 'METHOD_NOT_ALLOWED');
        expect(answer.headers.allow).toBe('GET, HEAD, POST');
      }
    });

    it.each(['If-Modified-Since', 'If-Range'])('400 for the unsupported header %s', async (header) => {
      expectError(await post(referenceBody(), { [header]: 'Wed, 21 Oct 2015 07:28:00 GMT' }, fresh()), 400, 'UNSUPPORTED_HEADER');
    });

    it.each(['br', 'compress', 'zstd', 'gzip, br'])('415 for Content-Encoding %s', async (encoding) => {
      expectError(await post(referenceBody(), { 'content-encoding': encoding }, fresh()), 415, 'UNSUPPORTED_CONTENT_ENCODING');
    });

    it('400 for an invalid payload', async () => {
      expectError(await post(referenceBody({ payload: {} }), {}, fresh()), 400, 'INVALID_PAYLOAD');
    });

    it('403 for a caller not authorized for the user', async () => {
      expectError(await post(referenceBody(), {}, 'eve'), 403, 'CALLER_UNAUTHORIZED');
    });

    it('401 for invalid data types in the payload, as the table says', async () => {
      const answer = await post(referenceBody({ payload: { visualContent: { title: 7 } } }), {}, fresh());
      expectError(answer, 401, 'INVALID_PAYLOAD_DATA_TYPE');
      expect(answer.headers['www-authenticate']).toBeUndefined();
    });

    it('406 when throttled, with Retry-After', async () => {
      const caller = fresh();
      expect((await post(referenceBody({ appNotificationId: 't1' }), {}, caller)).status).toBe(201);
      expect((await post(referenceBody({ appNotificationId: 't2' }), {}, caller)).status).toBe(201);
      const answer = await post(referenceBody({ appNotificationId: 't3' }), {}, caller);
      expectError(answer, 406, 'THROTTLED');
      expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
    });
  });

  describe('encodings and transport-level errors', () => {
    it.each([
      ['gzip', 'gzip', gzipSync],
      ['deflate', 'zlib deflate', deflateSync],
      ['deflate', 'raw deflate', deflateRawSync],
    ] as const)('decodes a %s body (%s)', async (encoding, form, compress) => {
      const body = compress(Buffer.from(JSON.stringify(referenceBody({ appNotificationId: `encoded as ${form}` }))));
      const answer = await post(body, { 'content-encoding': encoding }, fresh());
      expect(answer.status).toBe(201);
    });

    it('413 for a decompression bomb, and for a body over the limit', async () => {
      const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x20));
      expect(bomb.length).toBeLessThan(65_536);
      expectError(await post(bomb, { 'content-encoding': 'gzip' }, fresh()), 413, 'PAYLOAD_TOO_LARGE');
      expectError(await post(JSON.stringify({ ...referenceBody(), padding: 'x'.repeat(100_000) }), {}, fresh()), 413, 'PAYLOAD_TOO_LARGE');
    });

    it('400 for a corrupt gzip body', async () => {
      expectError(await post(Buffer.from('not gzip at all'), { 'content-encoding': 'gzip' }, fresh()), 400, 'MALFORMED_JSON');
    });

    it('400 for malformed JSON, an empty body and invalid UTF-8', async () => {
      expectError(await post('{"targetHostName": ', {}, fresh()), 400, 'MALFORMED_JSON');
      expectError(await post('', {}, fresh()), 400, 'MALFORMED_JSON');
      expectError(await post(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), {}, fresh()), 400, 'MALFORMED_JSON');
    });

    it.each(['text/plain', 'application/xml', 'application/json; charset=latin1'])('415 for Content-Type %s', async (type) => {
      expectError(await post(JSON.stringify(referenceBody()), { 'content-type': type }, fresh()), 415, 'UNSUPPORTED_MEDIA_TYPE');
    });

    it('400 without X-UNS-ID, 404 for an unknown one', async () => {
      const without = await api.call('POST', '/me/notifications', { headers: { authorization: 'Bearer app' }, body: referenceBody() });
      expectError(without, 400, 'INVALID_ARGUMENT');
      expectError(await post(referenceBody(), { 'x-uns-id': 'no-such-subscription' }, fresh()), 404, 'SUBSCRIPTION_NOT_FOUND');
    });

    it('401 without credentials', async () => {
      const answer = await api.call('POST', '/me/notifications', { headers: { 'x-uns-id': unsId }, body: referenceBody() });
      expectError(answer, 401, 'UNAUTHENTICATED');
      expect(answer.headers['www-authenticate']).toBe('Bearer');
    });
  });

  describe('hostile input, with nothing stored', () => {
    it('deep nesting', async () => {
      const before = await notificationCount();
      const deep = `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`;
      const answer = await post(deep, {}, fresh());
      expect([400, 413]).toContain(answer.status);
      const nested = `{"targetHostName":"a.b","appNotificationId":"x","payload":{"rawContent":${'['.repeat(5000)}${']'.repeat(5000)}}}`;
      expectError(await post(nested, {}, fresh()), 401, 'INVALID_PAYLOAD_DATA_TYPE');
      expect(await notificationCount()).toBe(before);
    });

    it('huge strings', async () => {
      const answer = await post(referenceBody({ appNotificationId: 'x'.repeat(60_000) }), {}, fresh());
      expectError(answer, 400, 'CONTRACT_MISMATCH');
    });

    it('prototype keys', async () => {
      const before = await notificationCount();
      expectError(await post('{"__proto__":{"admin":true},"targetHostName":"a.b","appNotificationId":"p","payload":{"rawContent":"r"}}', {}, fresh()), 400, 'CONTRACT_MISMATCH');
      expectError(await post(JSON.stringify(referenceBody({ payload: JSON.parse('{"rawContent":"r","constructor":{"prototype":{"x":1}}}') as unknown })), {}, fresh()), 400, 'INVALID_PAYLOAD');
      expect(({} as Record<string, unknown>)['admin']).toBeUndefined();
      expect(await notificationCount()).toBe(before);
    });

    it('a body that arrives too slowly', async () => {
      const slow = await startApi({ bodyTimeoutMs: 200 });
      try {
        const id = await slow.subscribe('alice');
        const answer = await slow.call('POST', '/me/notifications', {
          headers: { authorization: 'Bearer app', 'x-uns-id': id },
          body: referenceBody(),
          trickle: { pieces: 10, pauseMs: 100 },
        });
        expectError(answer, 408, 'REQUEST_TIMEOUT');
        expect(await slow.service.feed.unreadCount('alice')).toBe(0);
      } finally {
        await slow.close();
      }
    });
  });
});
