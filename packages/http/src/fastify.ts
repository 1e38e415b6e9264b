/**
 * A Fastify plugin: the same handler, given the raw request and response. Inside the
 * plugin's scope, bodies are left unparsed so the handler applies its own limits.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NotificationService } from '@herald/core';
import { createHttpHandler, type HttpHandlerOptions } from './handler.js';

/** What the plugin needs of a Fastify instance (so Fastify stays an optional peer). */
export interface FastifyInstanceLike {
  readonly prefix: string;
  removeAllContentTypeParsers(): void;
  addContentTypeParser(type: string, parser: (request: unknown, payload: unknown, done: (error: Error | null, body?: unknown) => void) => void): void;
  route(options: {
    method: string[];
    url: string;
    handler: (request: { raw: IncomingMessage }, reply: { raw: ServerResponse; hijack(): void }) => Promise<void>;
  }): unknown;
}

/**
 * Creates a Fastify plugin serving the routes under the prefix it is registered with:
 * `app.register(heraldFastifyPlugin(service, { authenticate }), { prefix: '/graph' })`.
 */
export function heraldFastifyPlugin(service: NotificationService, options: Omit<HttpHandlerOptions, 'basePath'>): (instance: FastifyInstanceLike) => Promise<void> {
  return async (instance) => {
    const handle = createHttpHandler(service, { ...options, basePath: instance.prefix });
    instance.removeAllContentTypeParsers();
    instance.addContentTypeParser('*', (_request, _payload, done) => done(null));
    const handler = async (request: { raw: IncomingMessage }, reply: { raw: ServerResponse; hijack(): void }): Promise<void> => {
      reply.hijack();
      await handle(request.raw, reply.raw);
    };
    const method = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
    instance.route({ method, url: '/*', handler });
    instance.route({ method, url: '/', handler });
  };
}
