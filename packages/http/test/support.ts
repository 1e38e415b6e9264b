/**
 * A real node:http server on loopback with Herald's handler, and a raw HTTP client that
 * can send anything (compressed bodies, odd headers, slow bodies).
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNotificationService, type NotificationService, type NotificationServiceOptions, type Transport } from '@herald/core';
import { createHttpHandler, developmentAuthenticator, type HttpHandlerOptions } from '@herald/http';
import { createMemoryStore } from '@herald/store-memory';
import { sampleRequest, useLoopbackOnly } from '@herald/testing';

// Every test file that uses this support keeps its connections on loopback.
useLoopbackOnly();

export interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  readonly json: () => Record<string, unknown>;
}

export interface CallOptions {
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer | unknown;
  /** Writes the body in pieces with pauses, for slow-body tests. */
  readonly trickle?: { readonly pieces: number; readonly pauseMs: number };
}

export interface Api {
  readonly service: NotificationService;
  readonly server: Server;
  readonly port: number;
  readonly recorded: Array<{ address: string; title: string | undefined }>;
  call(method: string, path: string, options?: CallOptions): Promise<Answer>;
  subscribe(user: string, platformType?: string): Promise<string>;
  close(): Promise<void>;
}

export const app = 'graphnotifications.sample.windows.com';

/** The reference page's example request, expiring two days from now. */
export function referenceBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return sampleRequest(overrides, Date.now()) as unknown as Record<string, unknown>;
}

export function rawCall(port: number, method: string, path: string, options: CallOptions = {}): Promise<Answer> {
  const body =
    options.body === undefined ? undefined : typeof options.body === 'string' || Buffer.isBuffer(options.body) ? options.body : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, method, path, headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: response.statusCode ?? 0, headers: response.headers, text, json: () => JSON.parse(text) as Record<string, unknown> });
      });
      response.on('error', reject);
    });
    request.on('error', reject);
    if (body === undefined) {
      request.end();
    } else if (options.trickle === undefined) {
      request.end(body);
    } else {
      const buffer = Buffer.from(body);
      const size = Math.ceil(buffer.length / options.trickle.pieces);
      let offset = 0;
      const pause = options.trickle.pauseMs;
      const write = (): void => {
        if (request.destroyed) return;
        if (offset >= buffer.length) {
          request.end();
          return;
        }
        request.write(buffer.subarray(offset, offset + size));
        offset += size;
        setTimeout(write, pause);
      };
      write();
    }
  });
}

export async function startApi(options: Partial<HttpHandlerOptions> = {}, serviceOptions: Partial<NotificationServiceOptions> = {}): Promise<Api> {
  const recorded: Array<{ address: string; title: string | undefined }> = [];
  const recorder: Transport = {
    name: 'test',
    async send(message, endpoint) {
      recorded.push({ address: endpoint.address, title: message.notification.payload.visualContent?.title });
    },
  };
  const service = createNotificationService({ store: createMemoryStore(), transports: [recorder], ...serviceOptions });
  const handler = createHttpHandler(service, { authenticate: developmentAuthenticator, onError: () => undefined, ...options });
  const server = createServer((request, response) => void handler(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const api: Api = {
    service,
    server,
    port,
    recorded,
    call: (method, path, callOptions) => rawCall(port, method, path, callOptions),
    async subscribe(user, platformType = 'windows') {
      const answer = await api.call('POST', '/me/notifications/subscriptions', {
        headers: { authorization: `Bearer ${user}` },
        body: { targetHostName: app, platformType, transport: 'test', address: `${platformType}://${user}` },
      });
      return answer.json()['id'] as string;
    },
    async close() {
      await service.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return api;
}
