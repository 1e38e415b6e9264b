/**
 * A TCP proxy in front of the tests' PostgreSQL that ends connections the way a server going
 * down does: a FATAL ErrorResponse (57P01, as a backend sends when its postmaster dies) and
 * the socket closed. It can do it at a chosen point of every new connection — in the same
 * write as the connection's k-th ReadyForQuery, so the client parses both in one turn — or
 * to every open connection at once. Everything else passes through unchanged.
 *
 * Backend messages are framed as the protocol defines them: a type byte, then a 32-bit
 * length that counts itself and the body (PostgreSQL docs, "Message Formats").
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

const host = '127.0.0.1';

/** An ErrorResponse: severity, code and message fields, each a type byte and a C string. */
function fatalMessage(): Buffer {
  const fields = [['S', 'FATAL'], ['V', 'FATAL'], ['C', '57P01'], ['M', 'terminating connection due to unexpected postmaster exit (injected by the test proxy)']];
  const body = Buffer.concat([...fields.map(([type, text]) => Buffer.from(`${type}${text}\0`, 'utf8')), Buffer.from([0])]);
  const head = Buffer.alloc(5);
  head.write('E', 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

/** The proxy: a connection string to it, and its faults. */
export interface FaultProxy {
  /** `connectionString` of the real server, with the proxy's port. */
  readonly connectionString: string;
  /** From now on, each new connection fails right after its `k`-th ReadyForQuery (1: the one that ends the start-up); `undefined` stops it. */
  failAfterReady(k: number | undefined): void;
  /** Fails every open connection now; returns how many there were. */
  failOpenConnections(): number;
  /** Connections made through the proxy so far. */
  readonly connections: number;
  close(): Promise<void>;
}

interface Pair {
  readonly client: Socket;
  readonly upstream: Socket;
}

function fail(pair: Pair, before: Buffer): void {
  // One write: the client receives what came before and the FATAL in the same packet.
  pair.client.end(Buffer.concat([before, fatalMessage()]));
  pair.upstream.destroy();
}

/** Starts a proxy on a free loopback port in front of the server at `connectionString`. */
export async function startFaultProxy(connectionString: string): Promise<FaultProxy> {
  const target = new URL(connectionString);
  const open = new Set<Pair>();
  let failAt: number | undefined;
  let connections = 0;

  const server: Server = createServer((client) => {
    connections += 1;
    const upstream = createConnection({ host: target.hostname, port: Number(target.port) });
    const pair: Pair = { client, upstream };
    open.add(pair);
    const armedAt = failAt;
    let readies = 0;
    let pending: Buffer = Buffer.alloc(0);
    const forget = (): void => {
      open.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', forget).on('close', forget);
    upstream.on('error', forget).on('close', forget);
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      let offset = 0;
      // Whole messages only, so a fault lands between two of them.
      while (pending.length - offset >= 5) {
        const end = offset + 1 + pending.readInt32BE(offset + 1);
        if (end > pending.length) break;
        const type = String.fromCharCode(pending[offset] as number);
        offset = end;
        if (type === 'Z' && armedAt !== undefined && (readies += 1) === armedAt) {
          open.delete(pair);
          fail(pair, pending.subarray(0, offset));
          return;
        }
      }
      if (offset > 0) client.write(pending.subarray(0, offset));
      pending = pending.subarray(offset);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('[store-postgres tests] the fault proxy has no port');
  const proxied = new URL(connectionString);
  proxied.hostname = host;
  proxied.port = String(address.port);

  return {
    connectionString: proxied.toString(),
    get connections() {
      return connections;
    },
    failAfterReady(k) {
      failAt = k;
    },
    failOpenConnections() {
      const pairs = [...open];
      open.clear();
      for (const pair of pairs) fail(pair, Buffer.alloc(0));
      return pairs.length;
    },
    async close() {
      for (const pair of open) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      open.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
