/**
 * A small server: browsers connect to `/events?address=<tab>`, and `POST /send?user=<id>`
 * sends a notification body to a user's subscribed tabs.
 */
import { createServer, type Server } from 'node:http';
import { createNotificationService, isHeraldError, type NotificationService } from '@herald/core';
import { createMemoryStore } from '@herald/store-memory';
import { createSseTransport } from './sse-transport.js';

export interface SseDemo {
  readonly server: Server;
  readonly service: NotificationService;
  close(): Promise<void>;
}

async function readJson(request: import('node:http').IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
}

export function createSseDemo(): SseDemo {
  const sse = createSseTransport();
  const service = createNotificationService({ store: createMemoryStore(), transports: [sse] });
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (request.method === 'GET' && url.pathname === '/events') {
      sse.connect(request, response);
      return;
    }
    if (request.method === 'POST' && (url.pathname === '/subscribe' || url.pathname === '/send')) {
      const user = url.searchParams.get('user') ?? '';
      readJson(request)
        .then(async (body) => {
          const result =
            url.pathname === '/subscribe'
              ? await service.subscriptions.create(user, body as never)
              : await service.send(body as never, { userId: user });
          response.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify(result));
        })
        .catch((error: unknown) => {
          const status = isHeraldError(error) ? error.status : 400;
          response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String((error as Error).message) }));
        });
      return;
    }
    response.writeHead(404).end();
  });
  return {
    server,
    service,
    async close() {
      await service.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
