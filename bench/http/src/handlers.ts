/**
 * The request handlers under test, as node:http request listeners: Herald's handler
 * delivering in the same process (`herald`), Herald's handler only accepting and storing,
 * as an API tier whose deliveries a worker tier makes (`herald-accept`), a bare node:http
 * handler that parses the same JSON and answers 201 (`bare`), or a Fastify route
 * validating it with the contract's schema and keeping it in a Map (`fastify`). For the
 * CPU harness only, `herald-http` prices the path around the send: Herald's handler over
 * a service whose `send` answers at once with the record of what it was given (no
 * validation, no store).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createNotificationService, type NotificationRequest, type NotificationService, type SendResult } from '@herald/core';
import { createHttpHandler, developmentAuthenticator } from '@herald/http';
import { createMemoryStore } from '@herald/store-memory';
import type { FastifyInstance } from 'fastify';
import { fastifyAnchor } from './fastify-route.js';

/** The servers the benchmark knows. */
export const modes = ['bare', 'fastify', 'herald-accept', 'herald', 'herald-http'] as const;
/** One of {@link modes}. */
export type Mode = (typeof modes)[number];

/** A request listener, the X-UNS-ID its requests carry, and the Fastify app behind it, if any. */
export interface Handler {
  readonly handle: (request: IncomingMessage, response: ServerResponse) => void;
  readonly subscriptionId: string;
  readonly fastify?: FastifyInstance;
}

function bareHandler(request: IncomingMessage, response: ServerResponse): void {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    const text = JSON.stringify({ ...body, id: 'x' });
    response.writeHead(201, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
    response.end(text);
  });
}

/** `service` with a `send` that answers at once with the record of the request (no checks, no store). */
function answeringAtOnce(service: NotificationService): NotificationService {
  const send = async (request: NotificationRequest): Promise<SendResult> => {
    const now = new Date().toISOString();
    const notification = {
      targetHostName: request.targetHostName,
      appNotificationId: request.appNotificationId,
      payload: request.payload,
      expirationDateTime: request.expirationDateTime ?? now,
      id: randomUUID(),
      userId: 'alice',
      createdDateTime: now,
      lastModifiedDateTime: now,
      readState: 'unread',
      userActionState: 'noInteraction',
      sequence: 1,
    } as const;
    return { notification, created: true, replayed: false, deliveries: [] };
  };
  return { ...service, send };
}

/** `mode`'s handler, ready to take requests. */
export async function handlerOf(mode: Mode): Promise<Handler> {
  if (!modes.includes(mode)) throw new Error(`unknown server mode ${JSON.stringify(mode)}`);
  if (mode === 'bare') return { handle: bareHandler, subscriptionId: 'none' };
  if (mode === 'fastify') {
    const app = fastifyAnchor();
    await app.ready();
    return { handle: (request, response) => app.server.emit('request', request, response), subscriptionId: 'none', fastify: app };
  }
  const service = createNotificationService({
    store: createMemoryStore(),
    transports: [{ name: 'noop', send: async () => undefined }],
    dispatcher: { autoStart: mode === 'herald' },
  });
  let subscriptionId = 'none';
  for (const platformType of ['windows', 'ios', 'android']) {
    const subscription = await service.subscriptions.create('alice', { targetHostName: 'graphnotifications.sample.windows.com', platformType, transport: 'noop', address: platformType });
    subscriptionId = subscription.id;
  }
  const handler = createHttpHandler(mode === 'herald-http' ? answeringAtOnce(service) : service, { authenticate: developmentAuthenticator });
  return { handle: (request, response) => void handler(request, response), subscriptionId };
}
