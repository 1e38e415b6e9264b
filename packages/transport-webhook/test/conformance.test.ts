import { afterAll, beforeAll } from 'vitest';
import { runTransportConformance, sampleEndpoint } from '@herald/testing';
import { createWebhookTransport, generateWebhookSecret } from '@herald/transport-webhook';
import { useLoopbackOnly } from '@herald/testing';
import { startReceiver, type Receiver } from './receiver.js';

// Every connection of these tests must stay on loopback, whatever the guard decides.
useLoopbackOnly();

const secret = generateWebhookSecret();
let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
  receiver.on('/ok', (response) => response.writeHead(204).end());
  receiver.on('/busy', (response) => response.writeHead(503, { 'retry-after': '5' }).end());
  receiver.on('/bad', (response) => response.writeHead(400).end('bad request'));
  receiver.on('/gone', (response) => response.writeHead(410).end());
  receiver.on('/hang', () => undefined);
});
afterAll(async () => {
  await receiver.close();
});

const at = (path: string) => () => sampleEndpoint({ address: receiver.url(path), secret });

runTransportConformance({
  name: 'webhook',
  // Loopback is allowed here only because the receiver is the test's own.
  createTransport: () => createWebhookTransport({ allowedNetworks: ['127.0.0.1'], timeoutMs: 30_000 }),
  endpoint: at('/ok'),
  received: () => receiver.received.filter((r) => r.path === '/ok').map((r) => ({ deliveryId: String(r.headers['webhook-id']) })),
  failingEndpoints: { retryable: at('/busy'), permanent: at('/bad'), gone: at('/gone'), hanging: at('/hang') },
});
