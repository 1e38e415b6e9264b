import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createNotificationService, type NotificationService } from '@herald/core';
import { createHttpHandler, developmentAuthenticator, heraldFastifyPlugin } from '@herald/http';
import { createMemoryStore } from '@herald/store-memory';
import { rawCall, referenceBody } from './support.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()?.();
});

function newService(): NotificationService {
  const service = createNotificationService({ store: createMemoryStore(), transports: [{ name: 'test', send: async () => undefined }] });
  closers.push(() => service.close());
  return service;
}

function closeServer(server: Server): () => Promise<void> {
  return async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
}

/** Subscribes alice, sends the reference request through the mounted API, reads it back, sets a preference and explains. */
async function roundTrip(port: number, mount: string): Promise<void> {
  const subscribed = await rawCall(port, 'POST', `${mount}/me/notifications/subscriptions`, {
    headers: { authorization: 'Bearer alice' },
    body: { targetHostName: 'graphnotifications.sample.windows.com', platformType: 'windows', transport: 'test', address: 'pc' },
  });
  expect(subscribed.status).toBe(201);
  const created = await rawCall(port, 'POST', `${mount}/me/notifications`, {
    headers: { authorization: 'Bearer server', 'x-uns-id': subscribed.json()['id'] as string },
    body: referenceBody(),
  });
  expect(created.status).toBe(201);
  expect(created.headers.location).toBe(`http://127.0.0.1:${port}${mount}/me/notifications/${String(created.json()['id'])}`);
  const feed = await rawCall(port, 'GET', `${mount}/me/notifications`, { headers: { authorization: 'Bearer alice' } });
  expect((feed.json()['value'] as Array<{ id: string }>)[0]?.id).toBe(created.json()['id']);
  // Preferences and explain answer under the mount point as the other routes do.
  const patched = await rawCall(port, 'PATCH', `${mount}/me/notifications/preferences`, {
    headers: { authorization: 'Bearer alice', 'content-type': 'application/merge-patch+json' },
    body: { groups: { TestGroup: 'optOut' } },
  });
  expect(patched.json()).toEqual({ groups: { TestGroup: 'optOut' } });
  expect((await rawCall(port, 'GET', `${mount}/me/notifications/preferences`, { headers: { authorization: 'Bearer alice' } })).json()).toEqual({ groups: { TestGroup: 'optOut' } });
  const explained = await rawCall(port, 'GET', `${mount}/me/notifications/${String(created.json()['id'])}/explain`, { headers: { authorization: 'Bearer alice' } });
  expect(explained.json()['notificationId']).toBe(created.json()['id']);
  const dryRun = await rawCall(port, 'POST', `${mount}/me/notifications/explain`, { headers: { authorization: 'Bearer server', 'x-uns-id': subscribed.json()['id'] as string }, body: referenceBody() });
  expect(dryRun.json()).toMatchObject({ accepted: true, decisions: [{ outcome: 'skipped', rule: { kind: 'preference', level: 'group', key: 'TestGroup' } }] });
  const wrongMethod = await rawCall(port, 'PUT', `${mount}/me/notifications`, { headers: { authorization: 'Bearer alice' } });
  expect(wrongMethod.status).toBe(405);
  expect(wrongMethod.headers['request-id']).toBeDefined();
}

describe('embedding', () => {
  it('works as a node:http handler under a basePath', async () => {
    const handler = createHttpHandler(newService(), { authenticate: developmentAuthenticator, basePath: '/graph/beta' });
    const server = createServer((request, response) => {
      if (request.url === '/health') return void response.end('ok');
      void handler(request, response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(closeServer(server));
    const { port } = server.address() as AddressInfo;
    await roundTrip(port, '/graph/beta');
    expect((await rawCall(port, 'GET', '/health')).text).toBe('ok');
  });

  it('works as Express middleware, passing unknown paths on to the app', async () => {
    const app = express();
    app.use('/graph', createHttpHandler(newService(), { authenticate: developmentAuthenticator }));
    app.get('/graph/status', (_request, response) => void response.json({ up: true }));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    closers.push(closeServer(server));
    const { port } = server.address() as AddressInfo;
    await roundTrip(port, '/graph');
    const passedOn = await rawCall(port, 'GET', '/graph/status');
    expect(passedOn.json()).toEqual({ up: true });
    expect(passedOn.headers['request-id']).toBeUndefined(); // the app's own answers stay the app's
  });

  it('works as a Fastify plugin under a prefix, beside the app’s own routes and parsers', async () => {
    const app = Fastify();
    app.get('/status', async () => ({ up: true }));
    app.post('/echo', async (request) => request.body);
    await app.register(heraldFastifyPlugin(newService(), { authenticate: developmentAuthenticator }), { prefix: '/graph' });
    await app.listen({ port: 0, host: '127.0.0.1' });
    closers.push(() => app.close());
    const { port } = app.server.address() as AddressInfo;
    await roundTrip(port, '/graph');
    expect((await rawCall(port, 'GET', '/status')).json()).toEqual({ up: true });
    expect((await rawCall(port, 'POST', '/echo', { body: { a: 1 } })).json()).toEqual({ a: 1 });
  });
});
