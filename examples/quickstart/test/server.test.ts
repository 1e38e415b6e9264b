import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { generateWebhookSecret, verifyWebhook } from '@herald/transport-webhook';
import { startRedisServer } from '../../../packages/store-redis/test/redis-server.js';
import { startQuickstartServer, type QuickstartServer } from '../src/server.js';
import { useLoopbackOnly } from '@herald/testing';

// Every connection these tests open must stay on loopback.
useLoopbackOnly();

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function call(base: string, method: string, path: string, user: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${user}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (response.status === 204 ? undefined : await response.json()) as Record<string, unknown> };
}

/** Subscribes a console endpoint and a webhook endpoint, sends the reference request, reads the feed. */
async function exercise(server: QuickstartServer): Promise<void> {
  const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
  const receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => receiver.close(() => resolve())));
  const secret = generateWebhookSecret();

  const console = await call(server.url, 'POST', '/me/notifications/subscriptions', 'alice', { targetHostName: 'graphnotifications.sample.windows.com', platformType: 'windows', transport: 'console', address: 'alice-pc' });
  expect(console.status).toBe(201);
  const hook = await call(server.url, 'POST', '/me/notifications/subscriptions', 'alice', {
    targetHostName: 'graphnotifications.sample.windows.com',
    platformType: 'webpush',
    transport: 'webhook',
    address: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
    secret,
  });
  expect(hook.status).toBe(201);
  const sent = await call(server.url, 'POST', '/me/notifications', 'app-server', {
    targetHostName: 'graphnotifications.sample.windows.com',
    appNotificationId: 'testDirectToastNotification',
    payload: { visualContent: { title: 'Hello World!', body: 'Notifications are Great!' } },
    groupName: 'TestGroup',
    displayTimeToLive: '60',
  }, { 'x-uns-id': console.body['id'] as string });
  expect(sent.status).toBe(201);
  await server.service.drain();
  expect(received).toHaveLength(1);
  expect(verifyWebhook(secret, received[0]?.headers ?? {}, received[0]?.body ?? '').payload).toMatchObject({ type: 'notification.created', data: { id: sent.body['id'] } });
  const feed = await call(server.url, 'GET', '/me/notifications', 'alice');
  expect((feed.body['value'] as unknown[]).length).toBe(1);
}

describe('the quickstart server', () => {
  it('serves the API on the memory store, with console and loopback webhook delivery', async () => {
    const output = new PassThrough();
    let printed = '';
    output.on('data', (chunk: Buffer) => (printed += chunk.toString('utf8')));
    const server = await startQuickstartServer({ port: 0, store: 'memory', output });
    cleanups.push(() => server.close());
    await exercise(server);
    expect(printed).toContain('windows endpoint of alice (alice-pc): “Hello World!”');
  });

  it('serves the API on the file store, keeping the feed across restarts', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'herald-quickstart-'));
    cleanups.push(() => rm(directory, { recursive: true, force: true }));
    const first = await startQuickstartServer({ port: 0, store: 'file', dataDirectory: directory, output: new PassThrough() });
    await exercise(first);
    await first.close();
    const second = await startQuickstartServer({ port: 0, store: 'file', dataDirectory: directory, output: new PassThrough() });
    cleanups.push(() => second.close());
    const feed = await call(second.url, 'GET', '/me/notifications', 'alice');
    expect((feed.body['value'] as unknown[]).length).toBe(1);
  });

  it('serves the API on the Redis store', async () => {
    const redis = await startRedisServer();
    cleanups.push(() => redis.destroy());
    const server = await startQuickstartServer({ port: 0, store: 'redis', redisUrl: redis.url, output: new PassThrough() });
    cleanups.push(() => server.close());
    await exercise(server);
  });
});
