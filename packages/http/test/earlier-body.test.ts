/**
 * Every way an app may read a request body before Herald: Express's body parsers, a
 * node:http handler that kept (or dropped) the bytes, Fastify hooks and Fastify's own
 * parser. Herald must take the body from where the reader left it, with its own limits,
 * contract and error table, or answer at once when nothing is left; never wait for it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import express, { type RequestHandler } from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createNotificationService, type NotificationService } from '@herald/core';
import { createHttpHandler, developmentAuthenticator, heraldFastifyPlugin, type HttpHandlerOptions } from '@herald/http';
import { createMemoryStore } from '@herald/store-memory';
import { app, rawCall, referenceBody, type Answer } from './support.js';

/** Long enough that a test waiting for it fails on its status, short enough to fail fast. */
const bodyTimeoutMs = 3_000;
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()?.();
});

interface Mounted {
  readonly port: number;
  readonly unsId: string;
  readonly service: NotificationService;
  readonly reported: unknown[];
}

async function serviceWithSubscription(): Promise<{ service: NotificationService; unsId: string }> {
  const service = createNotificationService({ store: createMemoryStore(), transports: [{ name: 'test', send: async () => undefined }] });
  closers.push(() => service.close());
  const subscription = await service.subscriptions.create('alice', { targetHostName: app, platformType: 'windows', transport: 'test', address: 'pc' });
  return { service, unsId: subscription.id };
}

function handlerOptions(reported: unknown[], options: Partial<HttpHandlerOptions>): HttpHandlerOptions {
  return { authenticate: developmentAuthenticator, bodyTimeoutMs, onError: (error) => void reported.push(error), ...options };
}

async function listening(server: ReturnType<typeof createServer>): Promise<number> {
  if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return (server.address() as AddressInfo).port;
}

/** An Express app with `middleware` in front of Herald, mounted at /graph. */
async function expressApp(middleware: RequestHandler[], options: Partial<HttpHandlerOptions> = {}): Promise<Mounted> {
  const { service, unsId } = await serviceWithSubscription();
  const reported: unknown[] = [];
  const application = express();
  for (const step of middleware) application.use(step);
  application.use('/graph', createHttpHandler(service, handlerOptions(reported, options)));
  const port = await listening(createServer(application));
  return { port, unsId, service, reported };
}

/** A node:http server whose own code sees the request first, then hands it to Herald. */
async function nodeApp(before: (request: IncomingMessage & { rawBody?: unknown }) => Promise<void>): Promise<Mounted> {
  const { service, unsId } = await serviceWithSubscription();
  const reported: unknown[] = [];
  const handler = createHttpHandler(service, handlerOptions(reported, { basePath: '/graph' }));
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    void before(request).then(() => handler(request, response));
  });
  return { port: await listening(server), unsId, service, reported };
}

async function fastifyApp(setUp: (instance: FastifyInstance, handler: ReturnType<typeof createHttpHandler>) => void, plugin: boolean): Promise<Mounted> {
  const { service, unsId } = await serviceWithSubscription();
  const reported: unknown[] = [];
  const instance = Fastify();
  setUp(instance, createHttpHandler(service, handlerOptions(reported, { basePath: '/graph' })));
  if (plugin) await instance.register(heraldFastifyPlugin(service, handlerOptions(reported, {})), { prefix: '/graph' });
  await instance.listen({ port: 0, host: '127.0.0.1' });
  closers.push(() => instance.close());
  return { port: (instance.server.address() as AddressInfo).port, unsId, service, reported };
}

function readAll(stream: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

const json = (value: unknown): string => JSON.stringify(value);
const keepRawBody = (request: IncomingMessage, _response: ServerResponse, buffer: Buffer): void => {
  (request as IncomingMessage & { rawBody?: Buffer }).rawBody = buffer;
};
const dropBody: RequestHandler = (request, _response, next) => {
  request.on('data', () => undefined);
  request.on('end', () => next());
};

interface Sent {
  readonly body: string | Buffer;
  readonly headers?: Record<string, string>;
}
const plain = (appNotificationId: string): Sent => ({ body: json(referenceBody({ appNotificationId })) });
const gzipped = (appNotificationId: string): Sent => ({ body: gzipSync(json(referenceBody({ appNotificationId }))), headers: { 'content-encoding': 'gzip' } });

async function post(mounted: Mounted, sent: Sent): Promise<{ answer: Answer; elapsedMs: number }> {
  const started = Date.now();
  const answer = await rawCall(mounted.port, 'POST', '/graph/me/notifications', {
    headers: { authorization: 'Bearer app-server', 'x-uns-id': mounted.unsId, 'content-type': 'application/json', ...sent.headers },
    body: sent.body,
  });
  return { answer, elapsedMs: Date.now() - started };
}

function expectGraphError(answer: Answer, status: number, code: string): string {
  expect({ status: answer.status, code: (answer.json()['error'] as { code?: string } | undefined)?.code }).toEqual({ status, code });
  const error = answer.json()['error'] as Record<string, unknown>;
  expect(error['innerError']).toMatchObject({ 'request-id': answer.headers['request-id'] });
  return error['message'] as string;
}

type Case = readonly [name: string, mount: () => Promise<Mounted>, sent: Sent];

const created: Case[] = [
  ['express.json()', () => expressApp([express.json()]), plain('json')],
  ['express.json() with a gzip body (the parser decoded it)', () => expressApp([express.json()]), gzipped('json-gzip')],
  ['express.json() keeping req.rawBody in verify', () => expressApp([express.json({ verify: keepRawBody })]), plain('json-raw')],
  ['express.json() keeping req.rawBody, gzip body', () => expressApp([express.json({ verify: keepRawBody })]), gzipped('json-raw-gzip')],
  ['express.text({ type: application/json })', () => expressApp([express.text({ type: 'application/json' })]), plain('text')],
  ['express.text() (text/plain only: the stream is left unread)', () => expressApp([express.text()]), plain('text-skip')],
  ['express.raw({ type: application/json })', () => expressApp([express.raw({ type: 'application/json' })]), plain('raw')],
  ['express.raw({ type: application/json }), gzip body', () => expressApp([express.raw({ type: 'application/json' })]), gzipped('raw-gzip')],
  ['express.raw() (octet-stream only: the stream is left unread)', () => expressApp([express.raw()]), plain('raw-skip')],
  ['express.urlencoded() with a JSON body', () => expressApp([express.urlencoded({ extended: true })]), plain('urlencoded')],
  ['express.urlencoded() then express.json()', () => expressApp([express.urlencoded({ extended: false }), express.json()]), plain('both')],
  ['node:http: a handler that kept req.rawBody (Buffer)', () => nodeApp(async (request) => void (request.rawBody = await readAll(request))), plain('node-buffer')],
  ['node:http: a handler that kept req.rawBody (string)', () => nodeApp(async (request) => void (request.rawBody = (await readAll(request)).toString('utf8'))), plain('node-string')],
  ['node:http: a handler that kept the gzip bytes off the wire', () => nodeApp(async (request) => void (request.rawBody = await readAll(request))), gzipped('node-gzip')],
  [
    'Fastify plugin: a preParsing hook read the stream and handed on a new one',
    () =>
      fastifyApp((instance) => {
        instance.addHook('preParsing', async (_request, _reply, payload) => Readable.from([await readAll(payload)]));
      }, true),
    plain('fastify-stream'),
  ],
  [
    'Fastify plugin: a preParsing hook kept request.rawBody',
    () =>
      fastifyApp((instance) => {
        instance.addHook('preParsing', async (request, _reply, payload) => {
          (request as unknown as { rawBody: Buffer }).rawBody = await readAll(payload);
          return payload;
        });
      }, true),
    plain('fastify-raw'),
  ],
  [
    "a Fastify route of the app: Fastify's own parser, the body handed over as req.body",
    () =>
      fastifyApp((instance, handler) => {
        instance.post('/graph/me/notifications', async (request, reply) => {
          reply.hijack();
          Object.assign(request.raw, { body: request.body });
          await handler(request.raw, reply.raw);
        });
      }, false),
    plain('fastify-route'),
  ],
];

describe('a body read before Herald', () => {
  it.each(created)('%s: 201, and the notification is stored as sent', async (_name, mount, sent) => {
    const mounted = await mount();
    const { answer } = await post(mounted, sent);
    expect(answer.status).toBe(201);
    const id = answer.json()['id'] as string;
    expect(await mounted.service.feed.get('alice', id)).toMatchObject({ payload: { visualContent: { title: 'Hello World!' } }, groupName: 'TestGroup' });
  });

  const consumed: Case[] = [
    ['Express: a middleware read the stream and kept nothing', () => expressApp([dropBody]), plain('dropped')],
    ['node:http: a handler resumed the stream (discarding it)', () => nodeApp(async (request) => void request.resume()), plain('resumed')],
    ['node:http: a handler read the stream to its end and kept nothing', () => nodeApp(async (request) => void (await readAll(request))), plain('read')],
    [
      'Fastify plugin: an onRequest hook drained the raw request',
      () =>
        fastifyApp((instance) => {
          instance.addHook('onRequest', async (request) => void (await readAll(request.raw)));
        }, true),
      plain('fastify-drained'),
    ],
    [
      "a Fastify route of the app: Fastify's own parser read the body, nothing handed over",
      () =>
        fastifyApp((instance, handler) => {
          instance.post('/graph/me/notifications', async (request, reply) => {
            reply.hijack();
            await handler(request.raw, reply.raw);
          });
        }, false),
      plain('fastify-route-lost'),
    ],
  ];

  it.each(consumed)('%s: answered at once (500, saying why), and reported to onError', async (_name, mount, sent) => {
    const mounted = await mount();
    const { answer, elapsedMs } = await post(mounted, sent);
    // Waiting would end in the body timeout's 408, not this 500; the bound only backs that up.
    expect(elapsedMs).toBeLessThan(bodyTimeoutMs);
    expect(expectGraphError(answer, 500, 'BODY_ALREADY_READ')).toMatch(/read by another part of this server before Herald/);
    expect(mounted.reported).toEqual([expect.objectContaining({ code: 'BODY_ALREADY_READ' })]);
    expect(await mounted.service.feed.unreadCount('alice')).toBe(0);
  });

  const big = json({ ...referenceBody(), padding: 'x'.repeat(70_000) });
  interface Refused {
    readonly name: string;
    readonly middleware: RequestHandler[];
    readonly sent: Sent;
    readonly status: number;
    readonly code: string;
    readonly options?: Partial<HttpHandlerOptions>;
  }
  const row = (name: string, middleware: RequestHandler[], sent: Sent, status: number, code: string, options?: Partial<HttpHandlerOptions>): Refused => ({ name, middleware, sent, status, code, ...(options === undefined ? {} : { options }) });
  const refused: Refused[] = [
    row('an array parsed by express.json()', [express.json()], { body: json([referenceBody()]) }, 400, 'ARRAY_BODY'),
    row('an array kept by express.json() verify', [express.json({ verify: keepRawBody })], { body: json([referenceBody()]) }, 400, 'ARRAY_BODY'),
    row('an array kept by express.text()', [express.text({ type: 'application/json' })], { body: json([referenceBody()]) }, 400, 'ARRAY_BODY'),
    row('a contract mismatch parsed by express.json()', [express.json()], { body: json({ ...referenceBody(), priority: 'Urgent' }) }, 400, 'CONTRACT_MISMATCH'),
    row('an invalid payload parsed by express.json()', [express.json()], { body: json(referenceBody({ payload: {} })) }, 400, 'INVALID_PAYLOAD'),
    row('a payload field of the wrong type parsed by express.json()', [express.json()], { body: json(referenceBody({ payload: { visualContent: { title: 7 } } })) }, 401, 'INVALID_PAYLOAD_DATA_TYPE'),
    row('70 KB parsed by express.json({ limit: 1mb })', [express.json({ limit: '1mb' })], { body: big }, 413, 'PAYLOAD_TOO_LARGE'),
    row('70 KB sent chunked (no Content-Length), parsed by express.json({ limit: 1mb })', [express.json({ limit: '1mb' })], { body: big, headers: { 'transfer-encoding': 'chunked' } }, 413, 'PAYLOAD_TOO_LARGE'),
    row('70 KB kept by express.raw({ limit: 1mb })', [express.raw({ type: 'application/json', limit: '1mb' })], { body: big }, 413, 'PAYLOAD_TOO_LARGE'),
    row('70 KB gzip-decoded by express.json(), over maxDecodedBytes', [express.json({ limit: '1mb' })], { body: gzipSync(big), headers: { 'content-encoding': 'gzip' } }, 413, 'PAYLOAD_TOO_LARGE', { maxDecodedBytes: 65_536 }),
    row('a body over a smaller maxBodyBytes, parsed by express.json()', [express.json()], plain('small-limit'), 413, 'PAYLOAD_TOO_LARGE', { maxBodyBytes: 100 }),
    row('JSON cut short, kept by express.text()', [express.text({ type: 'application/json' })], { body: '{"targetHostName": ' }, 400, 'MALFORMED_JSON'),
    row('invalid UTF-8 kept by express.raw()', [express.raw({ type: 'application/json' })], { body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]) }, 400, 'MALFORMED_JSON'),
    row('text/plain parsed by express.json({ type: */* })', [express.json({ type: '*/*' })], { body: json(referenceBody()), headers: { 'content-type': 'text/plain' } }, 415, 'UNSUPPORTED_MEDIA_TYPE'),
  ];

  it.each(refused)('$name: the error table still applies', async ({ middleware, sent, status, code, options }) => {
    const mounted = await expressApp(middleware, options);
    expectGraphError((await post(mounted, sent)).answer, status, code);
    expect(await mounted.service.feed.unreadCount('alice')).toBe(0);
  });

  it('PATCH and POST subscriptions take a body express.json() parsed too', async () => {
    const mounted = await expressApp([express.json()]);
    const sent = await post(mounted, plain('to-patch'));
    const id = sent.answer.json()['id'] as string;
    const patched = await rawCall(mounted.port, 'PATCH', `/graph/me/notifications/${id}`, { headers: { authorization: 'Bearer alice' }, body: { readState: 'read' } });
    expect({ status: patched.status, readState: patched.json()['readState'] }).toEqual({ status: 200, readState: 'read' });
    const subscribed = await rawCall(mounted.port, 'POST', '/graph/me/notifications/subscriptions', {
      headers: { authorization: 'Bearer bob' },
      body: { targetHostName: app, platformType: 'ios', transport: 'test', address: 'phone' },
    });
    expect(subscribed.status).toBe(201);
  });
});
