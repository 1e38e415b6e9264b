/**
 * A real HTTP receiver on loopback for the tests: it records what arrives and answers as
 * each path's script says.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

interface Received {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly socket: Socket;
}

type Script = (response: ServerResponse, received: Received, index: number) => void;

export interface Receiver {
  readonly url: (path: string) => string;
  readonly received: Received[];
  readonly connections: () => number;
  on(path: string, script: Script): void;
  close(): Promise<void>;
}

export async function startReceiver(host = '127.0.0.1'): Promise<Receiver> {
  const received: Received[] = [];
  const scripts = new Map<string, Script>();
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = request.url ?? '/';
      const entry = { path, headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), socket: request.socket };
      received.push(entry);
      const script = scripts.get(path) ?? ((res: ServerResponse) => res.writeHead(204).end());
      script(response, entry, received.filter((r) => r.path === path).length - 1);
    });
  });
  server.on('connection', (socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  const base = host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`;
  return {
    url: (path) => `${base}${path}`,
    received,
    connections: () => connections,
    on(path, script) {
      scripts.set(path, script);
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
