/**
 * What serves the stream in the benchmark: Herald's handler over a service (the memory
 * store, or Redis), or the anchor — a bare node:http handler that writes one SSE event to
 * its open responses whenever `push` is called, with no store in between.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NotificationService } from '@herald/core';
import { createHttpHandler, developmentAuthenticator } from '@herald/http';

export interface StreamServer {
  readonly url: string;
  close(): Promise<void>;
}

async function listen(server: ReturnType<typeof createServer>, path: string): Promise<StreamServer> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Herald's `GET /me/notifications/stream`. */
export function heraldStream(service: NotificationService): Promise<StreamServer> {
  const handler = createHttpHandler(service, { authenticate: developmentAuthenticator });
  return listen(createServer((request, response) => void handler(request, response)), '/me/notifications/stream');
}

/** The anchor: an SSE response that `push(data)` writes an event to at once. */
export async function bareStream(): Promise<StreamServer & { push(data: string): void }> {
  const open = new Set<ServerResponse>();
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    response.flushHeaders();
    open.add(response);
    response.on('close', () => open.delete(response));
  });
  const started = await listen(server, '/stream');
  return {
    ...started,
    push(data) {
      for (const response of open) response.write(`event: created\ndata: ${data}\n\n`);
    },
  };
}
