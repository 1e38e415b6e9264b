/**
 * `GET /webpush/vapid-public-key`: the key a browser passes as `applicationServerKey`
 * to `pushManager.subscribe()` (the inbox page fetches it), as `{"publicKey":"…"}`. A
 * server without `--webpush` answers 404, which tells the page Web Push is off.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

const vapidPublicKeyPath = '/webpush/vapid-public-key';

/** Answers a request for the key's path and returns true; false for any other path. */
export function serveVapidPublicKey(request: IncomingMessage, response: ServerResponse, publicKey: string | undefined): boolean {
  if (new URL(request.url ?? '/', 'http://placeholder').pathname !== vapidPublicKeyPath) return false;
  const reply = (status: number, headers: Record<string, string>, body: string): void => {
    response.writeHead(status, { 'content-length': String(Buffer.byteLength(body)), 'cache-control': 'no-cache', ...headers }).end(request.method === 'HEAD' ? undefined : body);
  };
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    reply(405, { 'content-type': 'text/plain; charset=utf-8', allow: 'GET, HEAD' }, 'The VAPID public key answers GET and HEAD.\n');
  } else if (publicKey === undefined) {
    reply(404, { 'content-type': 'text/plain; charset=utf-8' }, 'This server does not send Web Push: start it with --webpush.\n');
  } else {
    reply(200, { 'content-type': 'application/json' }, JSON.stringify({ publicKey }));
  }
  return true;
}
