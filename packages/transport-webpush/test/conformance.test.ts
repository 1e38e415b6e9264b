import { afterAll, beforeAll } from 'vitest';
import { runTransportConformance, sampleEndpoint, useLoopbackOnly } from '@herald/testing';
import { createWebPushTransport, generateVapidKeys, type WebPushBody } from '@herald/transport-webpush';
import { startPushService, type PushService } from './push-service.js';

// Every connection of these tests must stay on loopback, whatever the guard decides.
useLoopbackOnly();

const vapid = { subject: 'mailto:push@example.com', ...generateVapidKeys() };
let service: PushService;
let ok = '';
let busy = '';
let bad = '';
let gone = '';
let hang = '';
beforeAll(async () => {
  service = await startPushService();
  ok = service.subscribe(vapid.publicKey).address;
  busy = service.subscribe(vapid.publicKey, (response) => response.writeHead(503, { 'retry-after': '5' }).end()).address;
  bad = service.subscribe(vapid.publicKey, (response) => response.writeHead(400).end('bad request')).address;
  gone = service.subscribe(vapid.publicKey, (response) => response.writeHead(410).end()).address;
  hang = service.subscribe(vapid.publicKey, () => undefined).address;
});
afterAll(async () => {
  await service.close();
});

const at = (address: () => string) => () => sampleEndpoint({ address: address(), platformType: 'webpush' });
const okPath = () => new URL((JSON.parse(ok) as { endpoint: string }).endpoint).pathname;

runTransportConformance({
  name: 'webpush',
  // Loopback is allowed here only because the push service is the test's own.
  createTransport: () => createWebPushTransport({ vapid, agent: service.agent, allowedNetworks: ['127.0.0.1'], timeoutMs: 30_000 }),
  endpoint: at(() => ok),
  // What the browser decrypted: the delivery id is inside the encrypted body.
  received: () =>
    service.pushes
      .filter((push) => push.path === okPath() && typeof push.plaintext === 'string')
      .map((push) => ({ deliveryId: (JSON.parse(push.plaintext as string) as WebPushBody).deliveryId })),
  failingEndpoints: { retryable: at(() => busy), permanent: at(() => bad), gone: at(() => gone), hanging: at(() => hang) },
});
