/**
 * Access loggers (pino-http, morgan's `:res[name]`) read an answer's headers with
 * `getHeader`/`getHeaders` once it has finished: every header Herald writes must be
 * there, on every kind of answer — a notification created, a page of the feed, an empty
 * 204, an error with `Retry-After` or `WWW-Authenticate`, a 405 with `Allow` — exactly as
 * they went on the wire (Node's own `Date`, `Connection` and `Keep-Alive` aside).
 */
import { createServer, type OutgoingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotificationService } from '@herald/core';
import { createHttpHandler, developmentAuthenticator } from '@herald/http';
import { createMemoryStore } from '@herald/store-memory';
import { useLoopbackOnly } from '@herald/testing';
import { app, rawCall, referenceBody, type CallOptions } from './support.js';

useLoopbackOnly();

const service = createNotificationService({ store: createMemoryStore(), transports: [{ name: 'test', send: async () => undefined }] });
const handler = createHttpHandler(service, { authenticate: developmentAuthenticator, onError: () => undefined });
/** What `getHeaders()` said of each answer once it had finished, by its request id. */
const logged = new Map<string, OutgoingHttpHeaders>();
const server = createServer((request, response) => {
  response.on('finish', () => logged.set(String(response.getHeader('request-id')), response.getHeaders()));
  void handler(request, response);
});
let port = 0;
let unsId = '';
let notificationId = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  const subscription = await rawCall(port, 'POST', '/me/notifications/subscriptions', {
    headers: { authorization: 'Bearer alice' },
    body: { targetHostName: app, platformType: 'windows', transport: 'test', address: 'windows://alice' },
  });
  unsId = subscription.json()['id'] as string;
  const created = await rawCall(port, 'POST', '/me/notifications', { headers: { authorization: 'Bearer app', 'x-uns-id': unsId }, body: referenceBody({ appNotificationId: 'kept' }) });
  notificationId = created.json()['id'] as string;
});
afterAll(async () => {
  await service.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

interface Row {
  readonly name: string;
  readonly method: string;
  readonly path: () => string;
  readonly options: () => CallOptions;
  readonly status: number;
}

const signedIn = { authorization: 'Bearer alice' };
const rows: readonly Row[] = [
  { name: 'a notification created (201, Location)', method: 'POST', path: () => '/me/notifications', options: () => ({ headers: { authorization: 'Bearer app', 'x-uns-id': unsId }, body: referenceBody({ appNotificationId: 'new' }) }), status: 201 },
  { name: 'the same notification updated (200)', method: 'POST', path: () => '/me/notifications', options: () => ({ headers: { authorization: 'Bearer app', 'x-uns-id': unsId }, body: referenceBody({ appNotificationId: 'kept' }) }), status: 200 },
  { name: 'with client-request-id echoed', method: 'POST', path: () => '/me/notifications', options: () => ({ headers: { authorization: 'Bearer app', 'x-uns-id': unsId, 'client-request-id': 'trace-1' }, body: referenceBody({ appNotificationId: 'traced' }) }), status: 201 },
  { name: 'a page of the feed', method: 'GET', path: () => '/me/notifications?$top=1', options: () => ({ headers: signedIn }), status: 200 },
  { name: 'one notification, HEAD', method: 'HEAD', path: () => `/me/notifications/${notificationId}`, options: () => ({ headers: signedIn }), status: 200 },
  { name: 'a delete (204)', method: 'DELETE', path: () => `/me/notifications/${notificationId}`, options: () => ({ headers: signedIn }), status: 204 },
  { name: 'an error with details (400)', method: 'POST', path: () => '/me/notifications', options: () => ({ headers: { authorization: 'Bearer app', 'x-uns-id': unsId }, body: { targetHostName: app } }), status: 400 },
  { name: 'unauthenticated (401, WWW-Authenticate)', method: 'GET', path: () => '/me/notifications', options: () => ({}), status: 401 },
  { name: 'another method (405, Allow)', method: 'PUT', path: () => '/me/notifications', options: () => ({ headers: signedIn, body: {} }), status: 405 },
  { name: 'no such route (404)', method: 'GET', path: () => '/nowhere', options: () => ({ headers: signedIn }), status: 404 },
];

/** Headers as the wire showed them, without those Node adds to every answer itself. */
function ownHeaders(headers: Record<string, unknown>): Record<string, string> {
  const own: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name !== 'date' && name !== 'connection' && name !== 'keep-alive' && name !== 'transfer-encoding') own[name] = String(value);
  }
  return own;
}

describe('every header of an answer is there for getHeader once it finished', () => {
  it.each(rows)('$name', async (row) => {
    const answer = await rawCall(port, row.method, row.path(), row.options());
    expect(answer.status).toBe(row.status);
    const requestId = answer.headers['request-id'];
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const seen = logged.get(String(requestId));
    expect(seen).toBeDefined();
    expect(ownHeaders(seen ?? {})).toEqual(ownHeaders(answer.headers));
  });
});
