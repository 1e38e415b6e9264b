/**
 * `GET /me/notifications/stream`: the live feed as Server-Sent Events, read by a real
 * HTTP client on loopback, on node:http, Express and Fastify.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createNotificationService, type NotificationService, type NotificationStore } from '@herald/core';
import { createHttpHandler, developmentAuthenticator, heraldFastifyPlugin, type HttpHandlerOptions } from '@herald/http';
import { createMemoryStore } from '@herald/store-memory';
import { openStream, type SseEvent, type SseStream } from './sse-client.js';
import { rawCall, referenceBody } from './support.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()?.();
});

const alice = { authorization: 'Bearer alice' };

function newService(store: NotificationStore = createMemoryStore(), options: { changeRetentionMs?: number } = {}): NotificationService {
  const service = createNotificationService({ store, dispatcher: { autoStart: false }, ...options });
  closers.push(() => service.close());
  return service;
}

function track(stream: SseStream): SseStream {
  closers.push(async () => stream.close());
  return stream;
}

type Embedding = (service: NotificationService, options?: Partial<HttpHandlerOptions>) => Promise<{ port: number; mount: string; responses: ServerResponse[] }>;

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return (server.address() as AddressInfo).port;
}

const embeddings: Record<string, Embedding> = {
  'node:http': async (service, options) => {
    const handler = createHttpHandler(service, { authenticate: developmentAuthenticator, onError: () => undefined, ...options });
    const responses: ServerResponse[] = [];
    const server = createServer((request, response) => {
      responses.push(response);
      void handler(request, response);
    });
    return { port: await listen(server), mount: '', responses };
  },
  Express: async (service, options) => {
    const application = express();
    const responses: ServerResponse[] = [];
    application.use((_request, response, next) => {
      responses.push(response);
      next();
    });
    application.use('/graph', createHttpHandler(service, { authenticate: developmentAuthenticator, onError: () => undefined, ...options }));
    return { port: await listen(createServer(application)), mount: '/graph', responses };
  },
  Fastify: async (service, options) => {
    const fastify = Fastify();
    const responses: ServerResponse[] = [];
    fastify.addHook('onRequest', async (_request, reply) => {
      responses.push(reply.raw);
    });
    await fastify.register(heraldFastifyPlugin(service, { authenticate: developmentAuthenticator, onError: () => undefined, ...options }), { prefix: '/graph' });
    await fastify.listen({ port: 0, host: '127.0.0.1' });
    closers.push(() => fastify.close());
    return { port: (fastify.server.address() as AddressInfo).port, mount: '/graph', responses };
  },
};

function data(event: SseEvent | undefined): { notification: Record<string, unknown>; unreadCount: number } {
  if (event === undefined) throw new Error('the stream ended');
  return JSON.parse(event.data) as { notification: Record<string, unknown>; unreadCount: number };
}

async function send(service: NotificationService, appNotificationId: string, overrides: Record<string, unknown> = {}) {
  return (await service.send(referenceBody({ appNotificationId, ...overrides }) as never, { userId: 'alice' })).notification;
}

describe.each(Object.keys(embeddings))('the feed stream on %s', (name) => {
  const embed = embeddings[name] as Embedding;

  it('syncs the feed, then streams each change with its cursor, type, Graph shape and unread count; Last-Event-ID resumes', async () => {
    const service = newService();
    const { port, mount } = await embed(service);
    const first = await send(service, 'first');
    const stream = track(await openStream(port, `${mount}/me/notifications/stream`, alice));
    expect(stream.status).toBe(200);
    expect(stream.response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(stream.response.headers['cache-control']).toBe('no-cache, no-transform');
    const synced = await stream.nextEvent();
    expect(synced).toMatchObject({ event: 'created' });
    expect(data(synced)).toMatchObject({ notification: { id: first.id, appNotificationId: 'first', readState: 'unread' }, unreadCount: 1 });
    expect(data(synced).notification).not.toHaveProperty('userId');

    const second = await send(service, 'second');
    const live = await stream.nextEvent();
    expect(live?.event).toBe('created');
    expect(data(live)).toMatchObject({ notification: { id: second.id }, unreadCount: 2 });

    const patched = await rawCall(port, 'PATCH', `${mount}/me/notifications/${first.id}`, { headers: alice, body: { readState: 'read' } });
    expect(patched.status).toBe(200);
    const state = await stream.nextEvent();
    expect(state?.event).toBe('stateChanged');
    expect(data(state)).toMatchObject({ notification: { id: first.id, readState: 'read' }, unreadCount: 1 });

    expect((await rawCall(port, 'DELETE', `${mount}/me/notifications/${second.id}`, { headers: alice })).status).toBe(204);
    const deleted = await stream.nextEvent();
    expect(deleted?.event).toBe('deleted');
    expect(data(deleted)).toEqual({ notification: { id: second.id, '@removed': { reason: 'deleted' } }, unreadCount: 0 });
    stream.close();

    // Reconnecting after the second event: only what followed it.
    const resumed = track(await openStream(port, `${mount}/me/notifications/stream`, { ...alice, 'last-event-id': live?.id as string }));
    expect((await resumed.nextEvent())?.event).toBe('stateChanged');
    expect((await resumed.nextEvent())?.event).toBe('deleted');
    const bySince = track(await openStream(port, `${mount}/me/notifications/stream?since=${encodeURIComponent(state?.id as string)}`, alice));
    expect((await bySince.nextEvent())?.event).toBe('deleted');
  });

  it('answers 401 without credentials, 400 for a forged Last-Event-ID, 405 for POST, and HEAD with the headers only', async () => {
    const { port, mount } = await embed(newService());
    const path = `${mount}/me/notifications/stream`;
    expect((await rawCall(port, 'GET', path)).status).toBe(401);
    const forged = await rawCall(port, 'GET', path, { headers: { ...alice, 'last-event-id': 'forged' } });
    expect(forged.status).toBe(400);
    expect(forged.json()).toMatchObject({ error: { code: 'INVALID_CURSOR' } });
    expect((await rawCall(port, 'GET', `${path}?since=a&since=b`, { headers: alice })).status).toBe(400);
    const post = await rawCall(port, 'POST', path, { headers: alice, body: {} });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    const head = await rawCall(port, 'HEAD', path, { headers: alice });
    expect(head.status).toBe(200);
    expect(head.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(head.text).toBe('');
  });

  it('sends a comment heartbeat every heartbeatMs', async () => {
    const { port, mount } = await embed(newService(), { stream: { heartbeatMs: 50 } });
    const stream = track(await openStream(port, `${mount}/me/notifications/stream`, alice));
    expect(await stream.next()).toMatchObject({ comment: 'heartbeat' });
    expect(await stream.next()).toMatchObject({ comment: 'heartbeat' });
  });

  it('ends with a resync (empty id) when the cursor is older than the change retention', async () => {
    let now = Date.now();
    const clock = { now: () => now, setTimer: (callback: () => void, ms: number) => setTimeout(callback, ms).unref() as never, clearTimer: (timer: unknown) => clearTimeout(timer as never) };
    const service = createNotificationService({ store: createMemoryStore(), clock, changeRetentionMs: 60_000, dispatcher: { autoStart: false } });
    closers.push(() => service.close());
    const { port, mount } = await embed(service);
    const one = await send(service, 'one');
    await send(service, 'two');
    const stream = track(await openStream(port, `${mount}/me/notifications/stream`, alice));
    await stream.nextEvent();
    const cursor = (await stream.nextEvent())?.id as string;
    stream.close();
    await service.feed.delete('alice', one.id);
    now += 120_000;
    await service.purgeExpired();
    const stale = track(await openStream(port, `${mount}/me/notifications/stream`, { ...alice, 'last-event-id': cursor }));
    const resync = await stale.nextEvent();
    expect(resync).toMatchObject({ event: 'resync', id: '' });
    expect(JSON.parse(resync?.data as string)).toMatchObject({ reason: 'cursorExpired' });
    expect(await stale.nextEvent()).toBeUndefined();
  });

  it('ends when the service closes', async () => {
    const service = newService();
    const { port, mount } = await embed(service);
    const stream = track(await openStream(port, `${mount}/me/notifications/stream`, alice));
    const ended = stream.nextEvent();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await service.close();
    expect(await ended).toBeUndefined();
  });
});

describe('a slow client', () => {
  it('never makes the server buffer more than the socket\'s high-water mark and one event, and gets a resync', async () => {
    const service = newService();
    const { port, responses } = await embeddings['node:http']!(service, { stream: { stallTimeoutMs: 1_000 } });
    const body = 'x'.repeat(4000);
    for (let i = 0; i < 1500; i++) await send(service, `big-${i}`, { payload: { visualContent: { title: `n${i}`, body } } });
    const stream = track(await openStream(port, '/me/notifications/stream', alice));
    stream.response.pause(); // reads nothing: the socket's buffers fill
    const response = responses[0] as ServerResponse;
    let most = 0;
    const sampler = setInterval(() => {
      most = Math.max(most, response.writableLength);
    }, 2);
    // The server gives up on the client after stallTimeoutMs: it ends the response.
    while (!response.writableEnded) await new Promise((resolve) => setTimeout(resolve, 5));
    clearInterval(sampler);
    expect(most).toBeGreaterThan(0); // the socket did push back
    expect(most).toBeLessThan(response.writableHighWaterMark + 2 * (body.length + 2000));
    // Reading what was written (within the stall time the server still waits): the last event says to start over.
    stream.response.resume();
    let last: SseEvent | undefined;
    for (let event = await stream.nextEvent(); event !== undefined; event = await stream.nextEvent()) last = event;
    expect(last).toMatchObject({ event: 'resync', id: '' });
    expect(JSON.parse(last?.data as string)).toMatchObject({ reason: 'slowClient' });
  }, 60_000);
});

it('releases its watch when the client goes away', async () => {
  // A store that hears other processes' announcements: the watch holds one listener while it runs.
  let held = 0;
  const memory = createMemoryStore();
  const announcing = Object.assign(Object.create(memory) as NotificationStore, {
    capabilities: { ...memory.capabilities, feedWakeups: true },
    onFeedChange: () => {
      held += 1;
      return { ready: Promise.resolve(), stop: () => void (held -= 1) };
    },
    feedChanged: async () => undefined,
  });
  const { port } = await embeddings['node:http']!(newService(announcing));
  const stream = await openStream(port, '/me/notifications/stream', alice);
  expect(held).toBe(1);
  stream.close();
  const deadline = Date.now() + 10_000;
  while (held > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(held).toBe(0);
});
