import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StoredNotification } from '@herald/core';
import { TransportError, type Endpoint, type TransportMessage } from '@herald/core/transport';
import { createWebhookTransport, generateWebhookSecret, verifyWebhook, type WebhookBody } from '@herald/transport-webhook';
import { useLoopbackOnly } from '@herald/testing';
import { startReceiver, type Receiver } from './receiver.js';

// Every connection of these tests must stay on loopback, whatever the guard decides.
useLoopbackOnly();

const secret = generateWebhookSecret();
let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver.close();
});

const notification: StoredNotification = {
  id: 'n-1',
  userId: 'alice',
  targetHostName: 'chat.example.com',
  appNotificationId: 'm-1',
  payload: { visualContent: { title: 'Hello', body: 'World' } },
  expirationDateTime: '2026-01-03T00:00:00.000Z',
  createdDateTime: '2026-01-01T00:00:00.000Z',
  lastModifiedDateTime: '2026-01-01T00:00:00.000Z',
  readState: 'unread',
  userActionState: 'noInteraction',
  sequence: 1,
};

function message(deliveryId = 'd-1', attempt = 1): TransportMessage {
  return { deliveryId, attempt, kind: 'notification', notification };
}

function endpoint(path: string, endpointSecret: string | null = secret): Endpoint {
  const base = { subscriptionId: 's-1', userId: 'alice', targetHostName: 'chat.example.com', platformType: 'webpush' as const, address: receiver.url(path) };
  return endpointSecret === null ? base : { ...base, secret: endpointSecret };
}

const loopback = createWebhookTransport({ allowedNetworks: ['127.0.0.0/8'], timeoutMs: 1000, maxResponseBytes: 1024 });
const context = () => ({ signal: new AbortController().signal, now: Date.now() });

async function failure(path: string, transport = loopback): Promise<TransportError> {
  try {
    await transport.send(message(), endpoint(path), context());
  } catch (error) {
    expect(error).toBeInstanceOf(TransportError);
    return error as TransportError;
  }
  throw new Error('delivered');
}

describe('the webhook transport', () => {
  it('POSTs a signed Standard Webhooks request that verifyWebhook accepts', async () => {
    receiver.on('/ok', (response) => response.writeHead(200).end('thanks'));
    await loopback.send(message('d-ok'), endpoint('/ok'), context());
    const request = receiver.received.find((r) => r.path === '/ok');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['webhook-id']).toBe('d-ok');
    const verified = verifyWebhook<WebhookBody>(secret, request?.headers ?? {}, request?.body ?? '');
    expect(verified.payload).toEqual({ type: 'notification.created', timestamp: notification.lastModifiedDateTime, data: notification });
  });

  it.each([
    [200, undefined],
    [201, undefined],
    [204, undefined],
    [410, 'endpointGone'],
    [408, 'retryable'],
    [425, 'retryable'],
    [429, 'retryable'],
    [500, 'retryable'],
    [502, 'retryable'],
    [503, 'retryable'],
    [400, 'permanent'],
    [401, 'permanent'],
    [404, 'permanent'],
    [422, 'permanent'],
    [301, 'permanent'],
  ])('classifies %i as %s', async (status, expected) => {
    receiver.on(`/status/${status}`, (response) => response.writeHead(status, status === 301 ? { location: '/ok' } : {}).end('no'));
    if (expected === undefined) {
      await expect(loopback.send(message(), endpoint(`/status/${status}`), context())).resolves.toBeUndefined();
      return;
    }
    const error = await failure(`/status/${status}`);
    expect(error.failure).toBe(expected);
    expect(error.message).toContain(`answered ${status}`);
  });

  it('does not follow redirects', async () => {
    const before = receiver.received.filter((r) => r.path === '/ok').length;
    receiver.on('/moved', (response) => response.writeHead(307, { location: receiver.url('/ok') }).end());
    const error = await failure('/moved');
    expect(error.message).toContain('redirects are not followed');
    expect(receiver.received.filter((r) => r.path === '/ok')).toHaveLength(before);
  });

  it('passes Retry-After on, in seconds and as an HTTP date', async () => {
    receiver.on('/busy-seconds', (response) => response.writeHead(429, { 'retry-after': '120' }).end());
    expect((await failure('/busy-seconds')).retryAfterMs).toBe(120_000);
    const inOneHour = new Date(Math.ceil(Date.now() / 1000) * 1000 + 3_600_000).toUTCString();
    receiver.on('/busy-date', (response) => response.writeHead(503, { 'retry-after': inOneHour }).end());
    const retryAfterMs = (await failure('/busy-date')).retryAfterMs ?? 0;
    expect(retryAfterMs).toBeGreaterThan(3_595_000);
    expect(retryAfterMs).toBeLessThanOrEqual(3_601_000);
    receiver.on('/busy-nonsense', (response) => response.writeHead(503, { 'retry-after': 'later' }).end());
    expect((await failure('/busy-nonsense')).retryAfterMs).toBeUndefined();
  });

  it('times out a receiver that does not answer', async () => {
    receiver.on('/slow', () => undefined); // never answers
    const started = Date.now();
    const error = await failure('/slow');
    expect(error.failure).toBe('timeout');
    // The 1 s timeout, not the test's own 20 s one, ended it; the bound is loose so a
    // loaded machine cannot fail it.
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('stops at once when the dispatcher aborts the attempt', async () => {
    receiver.on('/hang', () => undefined);
    const controller = new AbortController();
    const attempt = loopback.send(message(), endpoint('/hang'), { signal: controller.signal, now: Date.now() });
    setTimeout(() => controller.abort(new TransportError('timeout', 'dispatcher timeout')), 50);
    await expect(attempt).rejects.toMatchObject({ message: 'dispatcher timeout' });
  });

  it('reads at most maxResponseBytes of a huge answer', async () => {
    receiver.on('/huge', (response) => {
      response.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024, 'x');
      let sent = 0;
      const pump = (): void => {
        while (sent < 200 && response.write(chunk)) sent += 1;
        if (sent < 200) response.once('drain', pump);
        else response.end();
      };
      pump();
    });
    await expect(loopback.send(message(), endpoint('/huge'), context())).resolves.toBeUndefined();
  });

  it('reuses connections (keep-alive)', async () => {
    const before = receiver.connections();
    for (let i = 0; i < 5; i += 1) await loopback.send(message(`keep-${i}`), endpoint('/ok'), context());
    expect(receiver.connections() - before).toBeLessThanOrEqual(1);
  });

  it('signs with every secret of a rotating subscription, or those a resolver gives', async () => {
    const next = generateWebhookSecret();
    await loopback.send(message('rot'), endpoint('/ok', `${next} ${secret}`), context());
    const request = receiver.received.find((r) => r.headers['webhook-id'] === 'rot');
    expect(String(request?.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verifyWebhook(next, request?.headers ?? {}, request?.body ?? '').id).toBe('rot');
    expect(verifyWebhook(secret, request?.headers ?? {}, request?.body ?? '').id).toBe('rot');

    const resolved = createWebhookTransport({ allowedNetworks: ['127.0.0.1'], secrets: async () => [next] });
    await resolved.send(message('resolved'), endpoint('/ok', null), context());
    const sent = receiver.received.find((r) => r.headers['webhook-id'] === 'resolved');
    expect(verifyWebhook(next, sent?.headers ?? {}, sent?.body ?? '').id).toBe('resolved');
    await resolved.close?.();
  });

  it('refuses permanently without a secret, with a bad secret, or with a URL that is not http(s)', async () => {
    await expect(loopback.send(message(), endpoint('/ok', null), context())).rejects.toMatchObject({ failure: 'permanent', message: expect.stringContaining('no signing secret') });
    await expect(loopback.send(message(), endpoint('/ok', 'whsec_short'), context())).rejects.toMatchObject({ failure: 'permanent' });
    for (const address of ['ftp://example.com/x', 'not a url', 'file:///etc/passwd', 'http://user:pass@example.com/']) {
      await expect(loopback.send(message(), { ...endpoint('/ok'), address }, context())).rejects.toMatchObject({ failure: 'permanent' });
    }
  });

  it('lets a receiver deduplicate retries on webhook-id', async () => {
    const processed = new Set<string>();
    let deliveries = 0;
    receiver.on('/dedupe', (response, received, index) => {
      const id = String(received.headers['webhook-id']);
      if (!processed.has(id)) {
        processed.add(id);
        deliveries += 1;
      }
      // The first answer is lost on the way back: the sender must retry, with the same id.
      if (index === 0) response.writeHead(503).end();
      else response.writeHead(200).end();
    });
    await expect(loopback.send(message('dup', 1), endpoint('/dedupe'), context())).rejects.toMatchObject({ failure: 'retryable' });
    await loopback.send(message('dup', 2), endpoint('/dedupe'), context());
    expect(receiver.received.filter((r) => r.path === '/dedupe').map((r) => r.headers['webhook-id'])).toEqual(['dup', 'dup']);
    expect(deliveries).toBe(1);
  });

  it('fails retryably on a refused connection, and once closed', async () => {
    const closedReceiver = await startReceiver();
    const url = closedReceiver.url('/gone');
    await closedReceiver.close();
    await expect(loopback.send(message(), { ...endpoint('/ok'), address: url }, context())).rejects.toMatchObject({ failure: 'retryable', message: expect.stringContaining('ECONNREFUSED') });
    const transport = createWebhookTransport({ allowPrivateNetworks: true });
    transport.close?.();
    transport.close?.();
    await expect(transport.send(message(), endpoint('/ok'), context())).rejects.toMatchObject({ failure: 'retryable' });
  });

  it('refuses wrong options with a TypeError naming them', () => {
    expect(() => createWebhookTransport({ timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() => createWebhookTransport({ allowedNetworks: ['10.0.0.0/33'] })).toThrow(/allowedNetworks/);
    expect(() => createWebhookTransport({ secrets: 'whsec_x' as never })).toThrow(/secrets must be a function/);
  });
});
