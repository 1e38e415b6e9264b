/**
 * One request through a handler without a socket, as node:http hands it over: a real
 * `IncomingMessage` and `ServerResponse` on a stream that discards what is written, so the
 * CPU it takes is the handler's and Node's objects' alone (the harness and the A/B).
 */
import { IncomingMessage, ServerResponse } from 'node:http';
import { Duplex } from 'node:stream';

/** A socket that takes writes and drops them (`HARNESS_SHOW` prints them instead). */
class NullSocket extends Duplex {
  override _read(): void {}
  override _write(chunk: unknown, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (process.env['HARNESS_SHOW'] !== undefined) process.stderr.write(String(chunk));
    callback();
  }
}

/** One request through `handle`, as node:http hands it over; resolves with the status once answered. */
export function oneRequest(handle: (request: IncomingMessage, response: ServerResponse) => void, subscriptionId: string, body: Buffer): Promise<number> {
  // A socket per request, as a connection per request: a response done with one ends it.
  const socket = new NullSocket();
  const request = new IncomingMessage(socket as never);
  request.method = 'POST';
  request.url = '/me/notifications';
  request.httpVersionMajor = 1;
  request.httpVersionMinor = 1;
  request.httpVersion = '1.1';
  const headers = ['host', '127.0.0.1:3000', 'authorization', 'Bearer app-server', 'content-type', 'application/json', 'x-uns-id', subscriptionId, 'content-length', String(body.length)];
  // What Node's parser does with the header lines it read (`headers` is built from them on first use).
  (request as unknown as { _addHeaderLines: (lines: string[], count: number) => void })._addHeaderLines(headers, headers.length);
  const response = new ServerResponse(request);
  response.assignSocket(socket as never);
  const done = new Promise<number>((resolve) => response.once('finish', () => resolve(response.statusCode)));
  handle(request, response);
  request.push(body);
  // As Node's parser does at the message's end: else the request's end counts as an abort.
  request.complete = true;
  request.push(null);
  return done;
}

