/**
 * A custom transport: Server-Sent Events. Each subscription's `address` names a browser
 * tab; while the tab holds an open `GET /events?address=…` stream, deliveries are written
 * to it as SSE events. A tab that is not connected makes the delivery fail retryably, so
 * the dispatcher tries again later with backoff, and the tab catches up when it returns.
 *
 * A transport is a plain object: a `name` and a `send`. Herald owns retries, timeouts,
 * leases and bookkeeping; the transport only says how an attempt went.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TransportError, type Transport } from '@herald/core/transport';

/** The SSE transport and the HTTP handler browsers connect to. */
export interface SseTransport extends Transport {
  /** Serves `GET /events?address=…`: keeps the stream open and registers it. */
  connect(request: IncomingMessage, response: ServerResponse): void;
  /** How many streams are open. */
  readonly connections: number;
}

export function createSseTransport(name = 'sse'): SseTransport {
  const streams = new Map<string, ServerResponse>();
  return {
    name,
    get connections() {
      return streams.size;
    },
    connect(request, response) {
      const address = new URL(request.url ?? '/', 'http://localhost').searchParams.get('address');
      if (address === null || address === '') {
        response.writeHead(400).end('address is required');
        return;
      }
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      response.write(': connected\n\n');
      streams.set(address, response);
      request.on('close', () => {
        if (streams.get(address) === response) streams.delete(address);
      });
    },
    async send(message, endpoint, context) {
      const stream = streams.get(endpoint.address);
      if (stream === undefined || stream.destroyed) {
        throw TransportError.retryable(`${endpoint.address} is not connected`, { retryAfterMs: 5000 });
      }
      if (context.signal.aborted) throw context.signal.reason;
      // The delivery id as the SSE event id: a browser that reconnects sends it back as
      // Last-Event-ID, and a page can drop an event it has already shown.
      stream.write(`id: ${message.deliveryId}\nevent: notification\ndata: ${JSON.stringify(message.notification)}\n\n`);
    },
    close() {
      for (const stream of streams.values()) stream.end();
      streams.clear();
    },
  };
}
