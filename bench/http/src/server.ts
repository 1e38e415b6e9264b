/**
 * The server under test, in its own process: one of the handlers of `handlers.ts` on
 * node:http (the Fastify anchor on its own server). Over its IPC channel it sends the
 * port and the X-UNS-ID to use, and answers `cpu` with its `process.cpuUsage()`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handlerOf, type Mode } from './handlers.js';

/** What the server tells the benchmark once it listens. */
export interface ServerReady {
  readonly port: number;
  readonly subscriptionId: string;
}

async function listen(mode: Mode): Promise<ServerReady> {
  const { handle, subscriptionId, fastify } = await handlerOf(mode);
  if (fastify !== undefined) {
    await fastify.listen({ port: 0, host: '127.0.0.1' });
    return { port: (fastify.server.address() as AddressInfo).port, subscriptionId };
  }
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, subscriptionId };
}

const send = (message: unknown): void => void process.send?.(message);
send(await listen((process.argv[2] ?? '') as Mode));
process.on('message', (message) => {
  if (message === 'cpu') send(process.cpuUsage());
});
// Exit cleanly when the runner is done (so profilers, `--cpu-prof`, get to write), or gone.
process.on('SIGTERM', () => process.exit(0));
process.on('disconnect', () => process.exit(0));
