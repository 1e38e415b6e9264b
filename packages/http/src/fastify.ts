/**
 * A Fastify plugin: the same handler, given the raw request and response. Inside the
 * plugin's scope, bodies are left unparsed so the handler applies its own limits. An
 * app's `preParsing` hook may have read the raw request already (to check a signature,
 * say): the body is then taken from the stream the hook handed on, or the `rawBody` it kept.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { type NotificationService } from '@herald/core';
import { optionError } from '@herald/core/store';
import { handOverBody } from './earlier-body.js';
import { createHttpHandler, type HttpHandlerOptions } from './handler.js';

/** What the plugin needs of a Fastify instance (so Fastify stays an optional peer). */
export interface FastifyInstanceLike {
  readonly prefix: string;
  removeAllContentTypeParsers(): void;
  addContentTypeParser(type: string, parser: (request: unknown, payload: unknown, done: (error: Error | null, body?: unknown) => void) => void): void;
  route(options: {
    method: string[];
    url: string;
    handler: (request: FastifyRequestLike, reply: { raw: ServerResponse; hijack(): void }) => Promise<void>;
  }): unknown;
}

/** What the plugin reads of a Fastify request. */
export interface FastifyRequestLike {
  readonly raw: IncomingMessage;
  /** What the plugin's content-type parser gave: the stream the body is to be read from. */
  readonly body?: unknown;
  /** Raw bytes an app's hook kept (fastify-raw-body and hand-written hooks put them here). */
  readonly rawBody?: unknown;
}

function isReadable(value: unknown): value is Readable {
  return typeof value === 'object' && value !== null && typeof (value as Readable).on === 'function' && typeof (value as Readable).pause === 'function';
}

/**
 * Creates a Fastify plugin serving the routes under the prefix it is registered with:
 * `app.register(heraldFastifyPlugin(service, { authenticate }), { prefix: '/graph' })`.
 */
export function heraldFastifyPlugin(service: NotificationService, options: Omit<HttpHandlerOptions, 'basePath'>): (instance: FastifyInstanceLike) => Promise<void> {
  if (options !== null && typeof options === 'object' && 'basePath' in options) {
    throw optionError('http', 'basePath is not an option of the Fastify plugin: register it with { prefix } instead');
  }
  // Checks every option now, where the app calls it, not later when Fastify boots.
  createHttpHandler(service, options as HttpHandlerOptions);
  return async (instance) => {
    const handle = createHttpHandler(service, { ...options, basePath: instance.prefix });
    instance.removeAllContentTypeParsers();
    // The parser reads nothing: it passes on the payload stream (the raw request, or what a
    // preParsing hook returned in its place) for the handler to read under its own limits.
    instance.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    const handler = async (request: FastifyRequestLike, reply: { raw: ServerResponse; hijack(): void }): Promise<void> => {
      reply.hijack();
      handOverBody(request.raw, { ...(isReadable(request.body) ? { stream: request.body } : {}), rawBody: request.rawBody });
      await handle(request.raw, reply.raw);
    };
    const method = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
    instance.route({ method, url: '/*', handler });
    instance.route({ method, url: '/', handler });
  };
}
