/**
 * `createHttpHandler`: Herald's Graph-compatible routes as one `(req, res, next?)`
 * handler, for node:http and as Express middleware.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeraldError, isHeraldError, maxTimerDelayMs, maxWatchPollIntervalMs, messageOfThrown, stackOfThrown, type Logger, type NotificationService } from '@herald/core';
import { checkLogger, checkOptionsObject, optionError, positiveWholeNumberOption, rejectUnknownOptions } from '@herald/core/store';
import type { Exchange, HttpCaller } from './exchange.js';
import { streamNotifications, type StreamSettings } from './feed-stream.js';
import { openApiDocument } from './openapi.js';
import { BodyDeadlines } from './body-deadlines.js';
import type { BodyLimits } from './request-body.js';
import { sendError, sendJson } from './responses.js';
import { routeOf, type Action, type Route } from './routes.js';
import { queryOf } from './query.js';
import { requestTarget, segmentsOf } from './request-target.js';

/** Options of {@link createHttpHandler}. */
export interface HttpHandlerOptions {
  /**
   * Who is calling: reads the request (usually `Authorization: Bearer …`) and returns the
   * caller, or `undefined` (or throws) to answer 401. `userId` is the user `/me` means.
   */
  readonly authenticate: (request: IncomingMessage) => HttpCaller | undefined | Promise<HttpCaller | undefined>;
  /**
   * Where the routes live below the server's root, for node:http (`/graph`). Express
   * and Fastify tell the handler their mount point themselves.
   * @default ''
   */
  readonly basePath?: string;
  /**
   * The absolute URL the API is reached at, for `Location` and OData links.
   * @default built from the request's Host header and mount point
   */
  readonly baseUrl?: string;
  /**
   * Most bytes of a request body on the wire.
   * @default 65_536
   */
  readonly maxBodyBytes?: number;
  /**
   * Most bytes of a gzip or deflate body once decoded.
   * @default 262_144
   */
  readonly maxDecodedBytes?: number;
  /**
   * Longest time a request body may take to arrive, in milliseconds.
   * @default 10_000
   */
  readonly bodyTimeoutMs?: number;
  /**
   * Called with every failure that is not the caller's (answered 500).
   * @default the error is written to stderr, unless a `logger` is given
   */
  readonly onError?: (error: unknown, request: IncomingMessage) => void;
  /**
   * Where the handler logs (a pino logger, or anything with pino's methods; `component`
   * `http` is bound): every failure that is not the caller's (answered 500) as `error`,
   * with `code` (its HeraldError code, or `INTERNAL`), `requestId` (the `request-id`
   * header of the answer), `method`, `path` and `err`. `onError`, when given, hears them too.
   * @default none
   */
  readonly logger?: Logger;
  /** The live feed, `GET /me/notifications/stream` (Server-Sent Events). */
  readonly stream?: StreamOptions;
}

/** Options of the feed stream, `GET /me/notifications/stream`. */
export interface StreamOptions {
  /**
   * Milliseconds between the comment lines that keep an idle stream open through proxies
   * and find dead connections; at most 2_147_483_647 (a Node timer's longest delay).
   * @default 15_000
   */
  readonly heartbeatMs?: number;
  /**
   * Longest time, in milliseconds, a client may leave written events unread (the socket's
   * buffer full): past it the stream ends with a `resync` event (`reason` `slowClient`).
   * At most 2_147_483_647 (a Node timer's longest delay).
   * @default 30_000
   */
  readonly stallTimeoutMs?: number;
  /**
   * Longest wait, in milliseconds, before the feed is read again when no wake-up came
   * (`feed.watch`'s `pollIntervalMs`), from 1 to `maxWatchPollIntervalMs` (one day).
   * A value out of range throws TypeError `INVALID_OPTION` when the handler is created.
   * @default 30_000
   */
  readonly pollIntervalMs?: number;
}

const streamOptionNames = ['heartbeatMs', 'stallTimeoutMs', 'pollIntervalMs'] as const satisfies readonly (keyof StreamOptions)[];

/**
 * A stream option in milliseconds, from 1 to `max`, or `fallback` when absent. Timer
 * options stop at `maxTimerDelayMs`: past it Node fires after 1 ms, so a huge heartbeat
 * would write every millisecond and a huge stall time would cut every client.
 */
function streamMs(name: string, value: unknown, fallback: number, max: number): number {
  const ms = positiveWholeNumberOption('http', `stream.${name}`, value, fallback);
  if (ms > max) throw optionError('http', `stream.${name} must be at most ${max} ms, got ${ms}`);
  return ms;
}

function streamSettings(options: unknown): StreamSettings {
  if (options === undefined) return { heartbeatMs: 15_000, stallTimeoutMs: 30_000, pollIntervalMs: undefined };
  checkOptionsObject('http', 'options.stream', options, streamOptionNames);
  const given = options as StreamOptions;
  return {
    heartbeatMs: streamMs('heartbeatMs', given.heartbeatMs, 15_000, maxTimerDelayMs),
    stallTimeoutMs: streamMs('stallTimeoutMs', given.stallTimeoutMs, 30_000, maxTimerDelayMs),
    // Checked here, not at each request: a bad value is the server's mistake, not the client's 400.
    pollIntervalMs: given.pollIntervalMs === undefined ? undefined : streamMs('pollIntervalMs', given.pollIntervalMs, 30_000, maxWatchPollIntervalMs),
  };
}

/** A request handler for node:http, and Express middleware. */
export type HttpHandler = (request: IncomingMessage, response: ServerResponse, next?: (error?: unknown) => void) => Promise<void>;


function normalizePath(path: unknown): string {
  if (path === undefined || path === '' || path === '/') return '';
  // A path of plain segments: a query, a fragment or an encoded slash would never match a request's path.
  if (typeof path !== 'string' || !/^(?:\/[A-Za-z0-9._~!$&'()*+,;=:@-]+)+\/?$/.test(path)) {
    throw optionError('http', `basePath must be a path such as "/graph" (segments of letters, digits and -._~), got ${JSON.stringify(path) ?? typeof path}`);
  }
  return path.replace(/\/+$/, '');
}

/** `baseUrl`: an absolute http(s) URL without query or fragment, as links are built from it. */
function checkBaseUrl(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.search !== '' || url.hash !== '') {
    throw optionError('http', `baseUrl must be an absolute http(s) URL without a query, such as "https://api.example.com/graph", got ${JSON.stringify(value) ?? typeof value}`);
  }
  return value as string;
}

/** `url` without the slashes it ends with (a regex replace costs more on every request). */
function withoutTrailingSlashes(url: string): string {
  let end = url.length;
  while (end > 0 && url.charCodeAt(end - 1) === 0x2f) end -= 1;
  return end === url.length ? url : url.slice(0, end);
}

/** The absolute URL the API is mounted at, from the request: its Host header and mount point. */
function requestBaseUrl(request: IncomingMessage, basePath: string): string {
  // Express strips its mount point from req.url and keeps it in req.baseUrl.
  const mount = `${(request as IncomingMessage & { baseUrl?: string }).baseUrl ?? ''}${basePath}`;
  const host = request.headers.host ?? 'localhost';
  const secure = (request.socket as { encrypted?: boolean }).encrypted === true;
  return withoutTrailingSlashes(`${secure ? 'https' : 'http'}://${host}${mount}`);
}

/**
 * The methods a route answers, for `Allow`: HEAD wherever GET is (RFC 9110 §9.3.2).
 */
function allowedMethods(route: Route): string[] {
  const methods = Object.keys(route.methods);
  return methods.flatMap((method) => (method === 'GET' && !methods.includes('HEAD') ? ['GET', 'HEAD'] : [method]));
}

/** The action for a method; HEAD is GET's (Node's response leaves the body out of a HEAD answer). */
function actionOf(route: Route, method: string): Action | undefined {
  return route.methods[method] ?? (method === 'HEAD' ? route.methods['GET'] : undefined);
}

/** The request's path without its query, which may carry filters and cursors not worth a log line. */
function pathOf(request: IncomingMessage): string {
  const url = request.url ?? '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

function clientRequestId(request: IncomingMessage): string | undefined {
  const value = request.headers['client-request-id'];
  return typeof value === 'string' && /^[\x21-\x7e]{1,128}$/.test(value) ? value : undefined;
}

const httpHandlerOptionNames = [
  'authenticate', 'basePath', 'baseUrl', 'maxBodyBytes', 'maxDecodedBytes', 'bodyTimeoutMs', 'onError', 'logger', 'stream',
] as const satisfies readonly (keyof HttpHandlerOptions)[];

/** Creates the handler. */
export function createHttpHandler(service: NotificationService, options: HttpHandlerOptions): HttpHandler {
  if (service === null || typeof service !== 'object' || typeof service.send !== 'function') {
    throw optionError('http', 'createHttpHandler needs a notification service as its first argument');
  }
  if (options === null || typeof options !== 'object' || typeof options.authenticate !== 'function') {
    throw optionError('http', 'options.authenticate is required: a function of the request that returns the caller');
  }
  rejectUnknownOptions('http', options, httpHandlerOptionNames);
  if (options.onError !== undefined && typeof options.onError !== 'function') throw optionError('http', 'options.onError must be a function (error, request) => void');
  const basePath = normalizePath(options.basePath);
  const givenBaseUrl = checkBaseUrl(options.baseUrl);
  const limits: BodyLimits = {
    maxBodyBytes: positiveWholeNumberOption('http', 'maxBodyBytes', options.maxBodyBytes, 65_536),
    maxDecodedBytes: positiveWholeNumberOption('http', 'maxDecodedBytes', options.maxDecodedBytes, 262_144),
    deadlines: new BodyDeadlines(positiveWholeNumberOption('http', 'bodyTimeoutMs', options.bodyTimeoutMs, 10_000)),
  };
  const log = checkLogger('http', 'options.logger', options.logger)?.child({ component: 'http' });
  const hook =
    options.onError ??
    (log !== undefined
      ? undefined
      : (error: unknown) => {
          process.stderr.write(`[herald] [http] ${stackOfThrown(error)}\n`);
        });
  const onError = (error: unknown, request: IncomingMessage, requestId: string): void => {
    hook?.(error, request);
    if (log === undefined) return;
    const fields = { code: isHeraldError(error) ? error.code : 'INTERNAL', requestId, method: request.method, path: pathOf(request), err: error };
    log.error(fields, `${request.method ?? 'GET'} ${fields.path} failed: ${messageOfThrown(error)}`);
  };
  const openApi: Action = async (exchange) => {
    sendJson(exchange.response, 200, openApiDocument(exchange.baseUrl));
  };
  const stream = streamSettings(options.stream);
  const feedStream: Action = (exchange, streamService, caller) => streamNotifications(exchange, streamService, caller, stream);

  // Fixed for the handler's life when the app gives it; else built from each request.
  const fixedBaseUrl = givenBaseUrl === undefined ? undefined : withoutTrailingSlashes(givenBaseUrl);

  return async (request, response, next) => {
    const requestId = randomUUID();
    try {
      const target = requestTarget(request.url ?? '/');
      let pathname = target?.pathname ?? '';
      if (basePath !== '' && (pathname === basePath || pathname.startsWith(`${basePath}/`))) pathname = pathname.slice(basePath.length);
      const segments = segmentsOf(pathname);
      const route = target === undefined ? undefined : routeOf(segments, openApi, feedStream);
      // A path that is not Herald's goes on to the app untouched (Express), headers included.
      if (route === undefined && next !== undefined) return next();
      response.setHeader('request-id', requestId);
      const echoed = clientRequestId(request);
      if (echoed !== undefined) response.setHeader('client-request-id', echoed);
      if (route === undefined || target === undefined) {
        throw new HeraldError('NOT_FOUND', `no route answers ${request.method ?? 'GET'} ${target?.pathname ?? request.url ?? '/'}`);
      }
      const method = (request.method ?? 'GET').toUpperCase();
      const action = actionOf(route, method);
      if (action === undefined) {
        const allow = allowedMethods(route).join(', ');
        response.setHeader('allow', allow);
        throw new HeraldError('METHOD_NOT_ALLOWED', `${method} is not supported here; use ${allow}`);
      }
      const baseUrl = fixedBaseUrl ?? requestBaseUrl(request, basePath);
      const exchange: Exchange = { request, response, segments, query: queryOf(target.search), requestId, baseUrl };

      let caller: HttpCaller | undefined;
      if (route.public !== true) {
        try {
          const given = options.authenticate(request);
          // A plain answer is used as it is: awaiting it would cost a turn of the microtask queue.
          caller = typeof (given as PromiseLike<unknown> | undefined)?.then === 'function' ? await given : (given as HttpCaller | undefined);
        } catch (error) {
          if (isHeraldError(error)) throw error;
          throw new HeraldError('UNAUTHENTICATED', 'the credentials were refused', { cause: error });
        }
        if (caller === undefined || caller === null || typeof caller.id !== 'string' || caller.id === '') {
          throw new HeraldError('UNAUTHENTICATED', 'sign in: send Authorization: Bearer <token>');
        }
      }
      await action(exchange, service, caller as HttpCaller, limits);
    } catch (error) {
      if (isHeraldError(error)) {
        // A 500 HeraldError names a fault of the server's set-up: its operator must hear of it.
        if (error.status >= 500) onError(error, request, requestId);
        // A body left unread (too large, too slow) must not be parsed as the next request.
        if (!request.complete) response.setHeader('connection', 'close');
        sendError(response, error, requestId, new Date());
        return;
      }
      onError(error, request, requestId);
      sendError(response, new HeraldError('INTERNAL', 'something went wrong on the server; the request id identifies it in the logs'), requestId, new Date());
    }
  };
}
