/**
 * The Web Push transport against the tests' own push service over TLS on loopback: what
 * arrives decrypts to what was sent, under a VAPID token the service verifies; the
 * headers follow the notification; every class of answer is reported as its failure.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransportError, type TransportMessage } from '@herald/core/transport';
import { sampleEndpoint, sampleMessage, sampleStoredNotification, useLoopbackOnly } from '@herald/testing';
import { createWebPushTransport, generateVapidKeys, maxMessageBytes, type WebPushBody } from '@herald/transport-webpush';
import { startPushService, type PushService, type Script } from './push-service.js';

useLoopbackOnly();

const vapid = { subject: 'mailto:push@example.com', ...generateVapidKeys() };
let service: PushService;
beforeAll(async () => {
  service = await startPushService();
});
afterAll(async () => {
  await service.close();
});

// Loopback is allowed here only because the push service is the test's own.
const transport = () => createWebPushTransport({ vapid, agent: service.agent, allowedNetworks: ['127.0.0.1'] });

async function push(message: TransportMessage, script?: Script, keys = vapid) {
  const browser = service.subscribe(vapid.publicKey, script);
  const webpush = createWebPushTransport({ vapid: keys, agent: service.agent, allowedNetworks: ['127.0.0.1'] });
  try {
    const before = service.pushes.length;
    const outcome = await webpush.send(message, sampleEndpoint({ address: browser.address }), { signal: new AbortController().signal, now: Date.now() }).then(
      () => undefined,
      (error: unknown) => error,
    );
    return { outcome, arrived: service.pushes.slice(before) };
  } finally {
    await webpush.close?.();
  }
}

describe('the Web Push transport', () => {
  it('sends a message the browser decrypts to the notification, under a VAPID token the service verifies', async () => {
    const message = sampleMessage({ notification: sampleStoredNotification({ groupName: 'chats', payload: { visualContent: { title: 'Bob', body: 'Lunch at noon? 🍜' } } }, Date.now()) }, Date.now());
    const { outcome, arrived } = await push(message);
    expect(outcome).toBeUndefined();
    expect(arrived).toHaveLength(1);
    const [arrival] = arrived;
    const expected: WebPushBody = {
      id: message.notification.id,
      deliveryId: message.deliveryId,
      kind: 'notification',
      app: message.notification.targetHostName,
      appNotificationId: message.notification.appNotificationId,
      title: 'Bob',
      body: 'Lunch at noon? 🍜',
      groupName: 'chats',
    };
    expect(JSON.parse(arrival?.plaintext as string)).toEqual(expected);
    const claims = arrival?.vapid;
    expect(claims).not.toBeInstanceOf(Error);
    expect(claims).toMatchObject({ aud: service.origin, sub: vapid.subject, k: vapid.publicKey });
    expect(arrival?.headers['content-encoding']).toBe('aes128gcm');
    expect(arrival?.headers['content-type']).toBe('application/octet-stream');
  });

  it('carries the raw content of a raw notification', async () => {
    const message = sampleMessage({ notification: sampleStoredNotification({ payload: { rawContent: '{"type":"sync","n":3}' } }, Date.now()) }, Date.now());
    const { arrived } = await push(message);
    expect(JSON.parse(arrived[0]?.plaintext as string)).toMatchObject({ rawContent: '{"type":"sync","n":3}' });
    expect(JSON.parse(arrived[0]?.plaintext as string)).not.toHaveProperty('title');
  });

  it.each([
    ['High', 'high'],
    ['Low', 'low'],
    ['None', 'normal'],
    [undefined, 'normal'],
  ] as const)('sends priority %s as Urgency: %s', async (priority, urgency) => {
    const message = sampleMessage({ notification: sampleStoredNotification({ priority }, Date.now()) }, Date.now());
    const { arrived } = await push(message);
    expect(arrived[0]?.headers['urgency']).toBe(urgency);
  });

  it.each([
    ['the time until expiry', undefined, 3600, 3600],
    ['displayTimeToLive when shorter', 60, 3600, 60],
    ['the time until expiry when shorter than displayTimeToLive', 7200, 600, 600],
    ['0 for an expired notification', undefined, -5, 0],
  ] as const)('sets TTL to %s', async (_case, displayTimeToLive, expiresInSeconds, ttl) => {
    const now = Date.now();
    const expirationDateTime = new Date(now + expiresInSeconds * 1000).toISOString();
    const notification = sampleStoredNotification({ expirationDateTime, displayTimeToLive }, now);
    const browser = service.subscribe(vapid.publicKey);
    const webpush = transport();
    await webpush.send(sampleMessage({ notification }, now), sampleEndpoint({ address: browser.address }), { signal: new AbortController().signal, now });
    await webpush.close?.();
    const ttlSent = Number(service.pushes.at(-1)?.headers['ttl']);
    // expirationDateTime has whole milliseconds: the floor may lose a second at most.
    expect(ttlSent === ttl || ttlSent === ttl - 1).toBe(true);
  });

  it('sends Topic as 32 URL-safe characters from appNotificationId: the same for an update, another for another id', async () => {
    const topics: string[] = [];
    for (const appNotificationId of ['message-1017', 'message-1017', 'message-1018', 'ünïcode and spaces / more than 32 characters long']) {
      const { arrived } = await push(sampleMessage({ notification: sampleStoredNotification({ appNotificationId }, Date.now()) }, Date.now()));
      topics.push(String(arrived[0]?.headers['topic']));
    }
    for (const topic of topics) expect(topic).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(topics[0]).toBe(topics[1]);
    expect(new Set(topics).size).toBe(3);
  });

  it(`fails a message over ${maxMessageBytes} bytes encrypted with MESSAGE_TOO_LARGE, sending nothing`, async () => {
    const withBody = (length: number) => sampleMessage({ notification: sampleStoredNotification({ payload: { visualContent: { title: 'x', body: 'b'.repeat(length) } } }, Date.now()) }, Date.now());
    // The JSON around an empty body, measured on a push: 3993 bytes of JSON fit exactly.
    const empty = await push(withBody(0));
    const overhead = Buffer.byteLength(empty.arrived[0]?.plaintext as string);
    const largest = await push(withBody(maxMessageBytes - 103 - overhead));
    expect(largest.outcome).toBeUndefined();
    expect(largest.arrived[0]?.body.length).toBe(maxMessageBytes);
    const tooLarge = await push(withBody(maxMessageBytes - 103 - overhead + 1));
    expect(tooLarge.outcome).toBeInstanceOf(TransportError);
    expect(tooLarge.outcome).toMatchObject({ failure: 'permanent', code: 'MESSAGE_TOO_LARGE' });
    expect((tooLarge.outcome as Error).message).toMatch(/4097 bytes encrypted, over Web Push's 4096.*never truncated/);
    expect(tooLarge.arrived).toHaveLength(0);
  });

  const inOneHour = () => new Date(Date.now() + 3_600_000).toUTCString();
  it.each([
    ['201', 201, {}, undefined, undefined],
    ['202', 202, {}, undefined, undefined],
    ['404', 404, {}, 'endpointGone', /404.*expired or was unsubscribed/],
    ['410', 410, {}, 'endpointGone', /410/],
    ['413', 413, {}, 'permanent', /413.*too large/],
    ['429 with Retry-After seconds', 429, { 'retry-after': '120' }, 'retryable', /429/],
    ['503 with a Retry-After date', 503, { 'retry-after': 'date' }, 'retryable', /503/],
    ['500 without a hint', 500, {}, 'retryable', /500/],
    ['400', 400, {}, 'permanent', /400.*vapid keys.*vapid\.subject/],
    ['401', 401, {}, 'permanent', /401.*vapid keys/],
    ['403', 403, {}, 'permanent', /403.*vapid keys/],
    ['a redirect', 301, { location: 'https://127.0.0.1/elsewhere' }, 'permanent', /301.*redirects are not followed/],
    ['another 4xx', 418, {}, 'permanent', /418/],
  ] as const)('reads an answer of %s', async (_case, status, headers, failure, message) => {
    const given: Record<string, string> = headers;
    const script: Script = (response) => response.writeHead(status, given['retry-after'] === 'date' ? { 'retry-after': inOneHour() } : given).end();
    const { outcome, arrived } = await push(sampleMessage({}, Date.now()), script);
    expect(arrived).toHaveLength(1);
    if (failure === undefined) return expect(outcome).toBeUndefined();
    expect(outcome).toBeInstanceOf(TransportError);
    expect(outcome).toMatchObject({ failure });
    expect((outcome as Error).message).toMatch(message as RegExp);
    const retryAfterMs = (outcome as TransportError).retryAfterMs;
    if (status === 429) expect(retryAfterMs).toBe(120_000);
    else if (status === 503) expect(retryAfterMs).toBeGreaterThan(3_500_000);
    else expect(retryAfterMs).toBeUndefined();
  });

  it('is refused with 403 when its keys are not the ones the browser subscribed with, and says to check them', async () => {
    const { outcome, arrived } = await push(sampleMessage({}, Date.now()), undefined, { subject: vapid.subject, ...generateVapidKeys() });
    expect(arrived[0]?.vapid).not.toBeInstanceOf(Error);
    expect(outcome).toMatchObject({ failure: 'permanent', code: 'TRANSPORT_PERMANENT' });
    expect((outcome as Error).message).toMatch(/403.*check the transport’s vapid keys/);
  });

  it('refuses to push to loopback unless loopback is allowed', async () => {
    const browser = service.subscribe(vapid.publicKey);
    const webpush = createWebPushTransport({ vapid, agent: service.agent });
    const before = service.pushes.length;
    const error = await webpush.send(sampleMessage({}, Date.now()), sampleEndpoint({ address: browser.address }), { signal: new AbortController().signal, now: Date.now() }).catch((caught: unknown) => caught);
    await webpush.close?.();
    expect(error).toMatchObject({ failure: 'permanent' });
    expect((error as Error).message).toMatch(/127\.0\.0\.1 is a loopback address/);
    expect(service.pushes.length).toBe(before);
  });

  it('gives each push service its own VAPID audience and reuses a token for one', async () => {
    const { arrived: first } = await push(sampleMessage({}, Date.now()));
    const webpush = transport();
    const a = service.subscribe(vapid.publicKey);
    const b = service.subscribe(vapid.publicKey);
    const context = { signal: new AbortController().signal, now: Date.now() };
    await webpush.send(sampleMessage({}, Date.now()), sampleEndpoint({ address: a.address }), context);
    await webpush.send(sampleMessage({}, Date.now()), sampleEndpoint({ address: b.address }), context);
    await webpush.close?.();
    const [x, y] = service.pushes.slice(-2);
    expect(x?.headers.authorization).toBe(y?.headers.authorization);
    expect(first[0]?.vapid).toMatchObject({ aud: service.origin });
  });
});
