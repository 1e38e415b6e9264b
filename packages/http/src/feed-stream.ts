/**
 * `GET /me/notifications/stream`: the user's live feed (`feed.watch`) as Server-Sent
 * Events (WHATWG HTML, "Server-sent events"). Each change is one event: `id` the cursor
 * after it, `event` its type (`created`, `updated`, `stateChanged`, `deleted`), `data`
 * JSON `{"notification": …, "unreadCount": n}` with the notification in Graph's shape (a
 * deleted one as Graph's delta shows it: `{"id", "@removed": {"reason": "deleted"}}`).
 * `Last-Event-ID` (or `?since=`) resumes after a cursor; without one the stream starts
 * with every live notification as `created`.
 *
 * A `resync` event ends the stream when the client must start over: its cursor is older
 * than the change retention (`reason` `cursorExpired`), or it read too slowly (`reason`
 * `slowClient`). It carries an empty `id`, which clears the `EventSource`'s last event
 * id, so its automatic reconnect starts a fresh full sync; the client drops what it held.
 *
 * Memory per stream stays bounded: an event is written only once the previous ones
 * drained to the socket (`write()` backpressure); a client that does not drain within
 * `stallTimeoutMs` gets the `resync` and the connection ends. A comment line every
 * `heartbeatMs` keeps proxies from closing an idle stream and finds dead connections.
 */
import type { ServerResponse } from 'node:http';
import { HeraldError, type FeedWatchChange, type NotificationService } from '@herald/core';
import { me, type Exchange, type HttpCaller } from './exchange.js';
import { changeBody, notificationBody } from './graph-shape.js';

/** The stream's settings, resolved from the handler's `stream` option. */
export interface StreamSettings {
  readonly heartbeatMs: number;
  readonly stallTimeoutMs: number;
  readonly pollIntervalMs: number | undefined;
}

/** One event of the stream, as SSE text. */
function eventText(change: FeedWatchChange): string {
  const notification = change.type === 'deleted' || change.notification === undefined ? changeBody(change) : notificationBody(change.notification);
  return `id: ${change.cursor}\nevent: ${change.type}\ndata: ${JSON.stringify({ notification, unreadCount: change.unreadCount })}\n\n`;
}

/** The last event: start over. An empty `id` clears the client's last event id. */
function resyncText(reason: 'cursorExpired' | 'slowClient', message: string): string {
  return `id\nevent: resync\ndata: ${JSON.stringify({ reason, message })}\n\n`;
}

/** The cursor to resume after: `Last-Event-ID` (an `EventSource` reconnecting), else `?since=`. */
function resumeCursor(exchange: Exchange): string | undefined {
  const header = exchange.request.headers['last-event-id'];
  if (typeof header === 'string' && header.trim() !== '') return header.trim();
  const since = exchange.query.getAll('since');
  if (since.length > 1) throw new HeraldError('INVALID_ARGUMENT', 'give since at most once');
  return since[0] === undefined || since[0] === '' ? undefined : since[0];
}

/** Resolves `true` once `response` drained, `false` after `timeoutMs` or when it closed. */
function drained(response: ServerResponse, timeoutMs: number): Promise<boolean> {
  if (response.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const finish = (result: boolean): void => {
      clearTimeout(timer);
      response.off('drain', onDrain);
      response.off('close', onClose);
      resolve(result);
    };
    const onDrain = (): void => finish(true);
    const onClose = (): void => finish(false);
    const timer = setTimeout(() => finish(false), timeoutMs);
    response.on('drain', onDrain);
    response.on('close', onClose);
  });
}

/** `GET /me/notifications/stream`. */
export async function streamNotifications(exchange: Exchange, service: NotificationService, caller: HttpCaller, settings: StreamSettings): Promise<void> {
  const { request, response } = exchange;
  const since = resumeCursor(exchange);
  const abort = new AbortController();
  // Checks the cursor before anything is written: a bad one is a 400 with Graph's error body.
  const watch = service.feed.watch(me(caller), {
    ...(since === undefined ? {} : { since }),
    signal: abort.signal,
    ...(settings.pollIntervalMs === undefined ? {} : { pollIntervalMs: settings.pollIntervalMs }),
  });
  const headers: Record<string, string> = {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    // A buffering proxy (nginx) would hold events back.
    'x-accel-buffering': 'no',
  };
  if (request.httpVersionMajor < 2) headers['connection'] = 'keep-alive';
  response.writeHead(200, headers);
  if ((request.method ?? 'GET').toUpperCase() === 'HEAD') {
    abort.abort();
    response.end();
    return;
  }
  response.flushHeaders();

  const onClose = (): void => abort.abort();
  response.on('close', onClose);
  const heartbeat = setInterval(() => {
    // Never into a full buffer: a client that is not reading gets nothing more.
    if (!response.writableNeedDrain && !response.destroyed) response.write(': heartbeat\n\n');
  }, settings.heartbeatMs);
  heartbeat.unref();
  let failed = false;
  try {
    for await (const event of watch) {
      if (event.type === 'resync') {
        response.write(resyncText('cursorExpired', event.message));
        break;
      }
      if (response.write(eventText(event))) continue;
      if (!(await drained(response, settings.stallTimeoutMs))) {
        if (!response.destroyed) response.write(resyncText('slowClient', `the client read nothing for ${settings.stallTimeoutMs} ms; start over`));
        break;
      }
    }
  } catch (error) {
    // The handler reports it and cuts the connection: the client reconnects with its last id.
    failed = true;
    throw error;
  } finally {
    clearInterval(heartbeat);
    response.off('close', onClose);
    abort.abort();
    if (!failed && !response.destroyed) {
      response.end();
      // A client that never reads would hold the socket: it goes once the stall time is over.
      const linger = setTimeout(() => response.destroy(), settings.stallTimeoutMs);
      linger.unref();
      response.once('close', () => clearTimeout(linger));
    }
  }
}
