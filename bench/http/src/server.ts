/**
 * The server under test, in its own process: Herald's handler delivering in the same
 * process (`herald`), Herald's handler only accepting and storing, as an API tier whose
 * deliveries a worker tier makes (`herald-accept`), or a bare node:http handler that
 * parses the same JSON and answers 201 (`bare`). It prints the port and the X-UNS-ID to
 * use, then serves until killed.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNotificationService } from '@herald/core';
import { createHttpHandler, developmentAuthenticator } from '@herald/http';
import { createMemoryStore } from '@herald/store-memory';

const mode = process.argv[2];
let handle: (request: IncomingMessage, response: ServerResponse) => void;
let subscriptionId = 'none';

if (mode === 'herald' || mode === 'herald-accept') {
  const service = createNotificationService({
    store: createMemoryStore(),
    transports: [{ name: 'noop', send: async () => undefined }],
    dispatcher: { autoStart: mode === 'herald' },
  });
  for (const platformType of ['windows', 'ios', 'android']) {
    const subscription = await service.subscriptions.create('alice', { targetHostName: 'graphnotifications.sample.windows.com', platformType, transport: 'noop', address: platformType });
    subscriptionId = subscription.id;
  }
  const handler = createHttpHandler(service, { authenticate: developmentAuthenticator });
  handle = (request, response) => void handler(request, response);
} else {
  handle = (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      const text = JSON.stringify({ ...body, id: 'x' });
      response.writeHead(201, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
      response.end(text);
    });
  };
}

const server = createServer(handle);
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port, subscriptionId })}\n`);
});

// Exit cleanly when the runner is done, so profilers (`--cpu-prof`) get to write.
process.on('SIGTERM', () => process.exit(0));
