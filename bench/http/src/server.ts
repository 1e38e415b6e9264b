/**
 * The server under test, in its own process: Herald's handler delivering in the same
 * process (`herald`), Herald's handler only accepting and storing, as an API tier whose
 * deliveries a worker tier makes (`herald-accept`), a bare node:http handler that parses
 * the same JSON and answers 201 (`bare`), or a Fastify route validating it with the
 * contract's schema and keeping it in a Map (`fastify`). Over its IPC channel it sends
 * the port and the X-UNS-ID to use, and answers `cpu` with its `process.cpuUsage()`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNotificationService } from '@herald/core';
import { createHttpHandler, developmentAuthenticator } from '@herald/http';
import { createMemoryStore } from '@herald/store-memory';
import { fastifyAnchor } from './fastify-route.js';

/** What the server tells the benchmark once it listens. */
export interface ServerReady {
  readonly port: number;
  readonly subscriptionId: string;
}

async function nodeHandler(mode: string): Promise<{ handle: (request: IncomingMessage, response: ServerResponse) => void; subscriptionId: string }> {
  if (mode === 'bare') {
    const handle = (request: IncomingMessage, response: ServerResponse): void => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
        const text = JSON.stringify({ ...body, id: 'x' });
        response.writeHead(201, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
        response.end(text);
      });
    };
    return { handle, subscriptionId: 'none' };
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
  const handler = createHttpHandler(service, { authenticate: developmentAuthenticator });
  return { handle: (request, response) => void handler(request, response), subscriptionId };
}

async function listen(mode: string): Promise<ServerReady> {
  if (mode === 'fastify') {
    const app = fastifyAnchor();
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { port: (app.server.address() as AddressInfo).port, subscriptionId: 'none' };
  }
  if (mode !== 'bare' && mode !== 'herald' && mode !== 'herald-accept') throw new Error(`unknown server mode ${JSON.stringify(mode)}`);
  const { handle, subscriptionId } = await nodeHandler(mode);
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, subscriptionId };
}

const send = (message: unknown): void => void process.send?.(message);
send(await listen(process.argv[2] ?? ''));
process.on('message', (message) => {
  if (message === 'cpu') send(process.cpuUsage());
});
// Exit cleanly when the runner is done (so profilers, `--cpu-prof`, get to write), or gone.
process.on('SIGTERM', () => process.exit(0));
process.on('disconnect', () => process.exit(0));
