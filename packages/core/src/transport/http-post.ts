/**
 * One POST of an HTTP transport (webhook, Web Push) over node:http(s): keep-alive
 * connections, the address guard on every connection, no redirects, a deadline, and a cap
 * on how much of the answer is read.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { AddressGuard } from './address-guard.js';
import { literalHost } from './url-host.js';

/** A refusal by the address guard; never worth a retry. */
export class RefusedAddressError extends Error {
  constructor(reason: string) {
    super(`refused to connect: ${reason}; allow it with allowPrivateNetworks or allowedNetworks if it is yours`);
    this.name = 'RefusedAddressError';
  }
}

/** What came back. */
export interface PostAnswer {
  readonly status: number;
  readonly retryAfter: string | undefined;
  /** The start of the body, for error messages. */
  readonly detail: string;
}

/** Connection pools shared by the requests of one transport. */
export interface Connections {
  readonly http: HttpAgent;
  readonly https: HttpsAgent;
  readonly lookup: LookupFunction;
  readonly guard: AddressGuard;
  /** Closes the pools this created; an agent the application gave stays open (it is theirs). */
  close(): void;
}

/** Options of {@link createConnections}. */
export interface ConnectionOptions {
  /** Most connections at once per host, in the pools created here. */
  readonly maxSockets: number;
  /**
   * The application's own https agent (its TLS trust, proxy-free sockets, limits), used
   * instead of a new pool; the guard still resolves every connection it opens.
   */
  readonly httpsAgent?: HttpsAgent | undefined;
  /** How host names resolve: `dns.lookup`, but in tests of the guard's DNS step. */
  readonly resolve?: typeof dnsLookup;
}

/** Pools whose every new connection resolves through the guard (DNS rebinding included). */
export function createConnections(guard: AddressGuard, options: ConnectionOptions): Connections {
  const { maxSockets, httpsAgent, resolve = dnsLookup } = options;
  const lookup: LookupFunction = (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error !== null) return callback(error, '', 0);
      for (const { address } of addresses) {
        const refusal = guard.refusal(address);
        if (refusal !== undefined) return callback(new RefusedAddressError(`${hostname} resolves where no request may go: ${refusal}`) as NodeJS.ErrnoException, '', 0);
      }
      if (options.all === true) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const [first] = addresses;
      if (first === undefined) return callback(new Error(`${hostname} has no address`) as NodeJS.ErrnoException, '', 0);
      return callback(null, first.address, first.family);
    });
  };
  const http = new HttpAgent({ keepAlive: true, maxSockets });
  const https = httpsAgent ?? new HttpsAgent({ keepAlive: true, maxSockets });
  return {
    http,
    https,
    lookup,
    guard,
    close() {
      http.destroy();
      if (httpsAgent === undefined) https.destroy();
    },
  };
}

/** Reads at most `limit` bytes of the answer, then lets the rest go. */
function readDetail(response: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (): void => resolve(Buffer.concat(chunks).toString('utf8').replace(/\s+/g, ' ').trim().slice(0, 200));
    response.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        // A huge answer is not read: the connection is dropped instead of reused.
        response.destroy();
        finish();
        return;
      }
      chunks.push(chunk);
    });
    response.on('end', finish);
    response.on('error', finish);
    response.on('close', finish);
  });
}

/** POSTs `body` to `url`, resolving with the answer's status, or rejecting on a network error. */
export function post(
  connections: Connections,
  url: URL,
  headers: Record<string, string>,
  body: string | Uint8Array,
  signal: AbortSignal,
  maxResponseBytes: number,
): Promise<PostAnswer> {
  // Literal addresses skip DNS, so the guard sees them here.
  const host = literalHost(url);
  if (host !== undefined) {
    const refusal = connections.guard.refusal(host);
    if (refusal !== undefined) return Promise.reject(new RefusedAddressError(refusal));
  }
  const secure = url.protocol === 'https:';
  return new Promise<PostAnswer>((resolve, reject) => {
    const request = (secure ? httpsRequest : httpRequest)(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      agent: secure ? connections.https : connections.http,
      lookup: connections.lookup,
      signal,
    });
    request.on('response', (response) => {
      const retryAfter = response.headers['retry-after'];
      readDetail(response, maxResponseBytes).then((detail) => {
        resolve({ status: response.statusCode ?? 0, retryAfter, detail });
      }, reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}
