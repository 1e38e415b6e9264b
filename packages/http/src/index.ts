export { createHttpHandler, type HttpHandler, type HttpHandlerOptions, type StreamOptions } from './handler.js';
export { heraldFastifyPlugin, type FastifyInstanceLike, type FastifyRequestLike } from './fastify.js';
export { developmentAuthenticator } from './dev-authenticator.js';
export { openApiDocument } from './openapi.js';
export type { HttpCaller } from './exchange.js';
