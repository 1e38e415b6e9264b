/**
 * The receivers, in a process of their own so their work does not share the senders'
 * event loop: a push service over TLS (a self-signed certificate made here) and a
 * webhook receiver over plain HTTP, both on loopback, both reading the whole body and
 * answering at once (201, as push services do; 204). It prints the ports and the
 * certificate, then serves until killed.
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';

const answer = (status: number) => (request: IncomingMessage, response: ServerResponse) => {
  request.on('data', () => undefined);
  request.on('end', () => response.writeHead(status).end());
};

const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
  keyType: 'ec',
  algorithm: 'sha256',
  extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
});
const push = createHttpsServer({ key: pems.private, cert: pems.cert }, answer(201));
const hooks = createHttpServer(answer(204));
const listening = (server: typeof push | typeof hooks) => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
const [pushPort, hookPort] = await Promise.all([listening(push), listening(hooks)]);
process.stdout.write(`${JSON.stringify({ pushPort, hookPort, cert: pems.cert })}\n`);

process.on('SIGTERM', () => process.exit(0));
