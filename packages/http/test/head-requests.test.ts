/**
 * HEAD is served like GET without a body on every route that answers GET (RFC 9110
 * §9.3.2): same status, same headers (Content-Length included), in every embedding; and
 * every 405's Allow lists HEAD wherever GET is allowed.
 */
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpHandler, developmentAuthenticator, heraldFastifyPlugin, openApiDocument } from '@herald/http';
import { rawCall, referenceBody, startApi, type Answer, type Api } from './support.js';

let api: Api;
let notificationId = '';
let subscriptionId = '';
const embeddings: Array<{ name: string; port: number; mount: string }> = [];
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  api = await startApi();
  subscriptionId = await api.subscribe('alice');
  for (let i = 0; i < 3; i += 1) {
    const sent = await api.call('POST', '/me/notifications', { headers: { authorization: 'Bearer server', 'x-uns-id': subscriptionId }, body: referenceBody({ appNotificationId: `head-${i}` }) });
    notificationId = sent.json()['id'] as string;
  }
  embeddings.push({ name: 'node:http', port: api.port, mount: '' });

  // The same service behind Express and Fastify, so every embedding answers alike.
  const application = express();
  application.use('/graph', createHttpHandler(api.service, { authenticate: developmentAuthenticator }));
  const server: Server = application.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  closers.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  embeddings.push({ name: 'Express', port: (server.address() as AddressInfo).port, mount: '/graph' });

  const fastify = Fastify();
  await fastify.register(heraldFastifyPlugin(api.service, { authenticate: developmentAuthenticator }), { prefix: '/graph' });
  await fastify.listen({ port: 0, host: '127.0.0.1' });
  closers.push(() => fastify.close());
  embeddings.push({ name: 'Fastify', port: (fastify.server.address() as AddressInfo).port, mount: '/graph' });
});
afterAll(async () => {
  while (closers.length > 0) await closers.pop()?.();
  await api.close();
});

/** Every path the API documents, plus the document itself: a new route joins the tables by itself. */
function documentedPaths(): Array<{ template: string; methods: string[] }> {
  const paths = openApiDocument('http://placeholder').paths as Record<string, Record<string, unknown>>;
  const documented = Object.entries(paths).map(([template, item]) => ({ template, methods: Object.keys(item).filter((key) => key !== 'parameters') }));
  return [...documented, { template: '/openapi.json', methods: ['get'] }];
}

/** The live stream never ends, so a GET cannot be read whole: feed-stream.test.ts checks its HEAD and 405. */
const streamPaths = new Set(['/me/notifications/stream']);
const getPaths = documentedPaths().filter((path) => path.methods.includes('get') && !streamPaths.has(path.template));

/** Requests of each GET path: found, and the answers around it (errors, paging, no credentials). */
function variants(template: string): Array<{ path: string; headers: Record<string, string> }> {
  const alice = { authorization: 'Bearer alice' };
  const concrete = template.replace('{id}', () => notificationId);
  const list = [
    { path: concrete, headers: alice },
    { path: concrete, headers: {} },
  ];
  if (template.includes('{id}')) list.push({ path: template.replace('{id}', 'no-such-id'), headers: alice });
  if (template === '/me/notifications') list.push({ path: `${concrete}?$top=1`, headers: alice }, { path: `${concrete}?$top=0`, headers: alice });
  if (template === '/me/notifications/delta') list.push({ path: `${concrete}?$top=1`, headers: alice }, { path: `${concrete}?$deltatoken=forged`, headers: alice });
  return list;
}

/** The headers that must agree: all but those that differ between any two answers. */
function comparable(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const { date: _date, 'request-id': _id, ...rest } = headers;
  return rest;
}

function answerShape(answer: Answer, mount: string): Record<string, unknown> {
  const headers = comparable(answer.headers);
  // The body's error id and date differ per request; its length does not.
  return { status: answer.status, headers: { ...headers, location: headers.location?.replace(mount, '') } };
}

describe('HEAD on every GET route', () => {
  const table = getPaths.flatMap(({ template }) => ['node:http', 'Express', 'Fastify'].map((embedding) => [template, embedding] as const));

  it.each(table)('%s through %s: the GET answer without its body', async (template, embeddingName) => {
    const embedding = embeddings.find((candidate) => candidate.name === embeddingName);
    if (embedding === undefined) throw new Error(`no embedding ${embeddingName}`);
    for (const { path, headers } of variants(template)) {
      const got = await rawCall(embedding.port, 'GET', `${embedding.mount}${path}`, { headers });
      const head = await rawCall(embedding.port, 'HEAD', `${embedding.mount}${path}`, { headers });
      expect({ path, ...answerShape(head, embedding.mount) }).toEqual({ path, ...answerShape(got, embedding.mount) });
      expect(head.status).not.toBe(405);
      expect(head.text).toBe('');
      expect(Number(head.headers['content-length'])).toBe(Buffer.byteLength(got.text));
      expect(head.headers['request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});

describe('405 answers', () => {
  it.each(documentedPaths().filter((path) => !streamPaths.has(path.template)).map((path) => [path.template, path.methods] as const))('%s: Allow lists HEAD where GET is, and every listed method is served', async (template, documented) => {
    const path = template.replace('{id}', 'no-such-id');
    const answer = await api.call('PUT', path, { headers: { authorization: 'Bearer alice' } });
    expect(answer.status).toBe(405);
    const allow = String(answer.headers.allow).split(', ');
    expect(allow.includes('HEAD')).toBe(allow.includes('GET'));
    expect(allow.filter((method) => method !== 'HEAD').sort()).toEqual(documented.map((method) => method.toUpperCase()).sort());
    for (const method of allow) {
      expect({ method, status: (await api.call(method, path, { headers: { authorization: 'Bearer alice' } })).status }).not.toEqual({ method, status: 405 });
    }
  });
});
