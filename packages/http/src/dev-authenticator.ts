/**
 * An authenticator for development only: `Authorization: Bearer alice` signs in as
 * `alice`, with no check at all. Never use it where anyone else can reach the server.
 */
import type { IncomingMessage } from 'node:http';
import type { HttpCaller } from './exchange.js';

const name = /^[A-Za-z0-9._@+-]{1,128}$/;

/**
 * The `access_token` query parameter of a GET or HEAD (RFC 6750 §2.3), when it is the
 * only one: a browser's `EventSource` cannot send an `Authorization` header, so a page
 * following the feed stream signs in this way. Never for a request that changes
 * anything, so a link cannot act for the user.
 */
function queryToken(request: IncomingMessage): string | undefined {
  const method = (request.method ?? 'GET').toUpperCase();
  if (method !== 'GET' && method !== 'HEAD') return undefined;
  const tokens = new URL(request.url ?? '/', 'http://placeholder').searchParams.getAll('access_token');
  return tokens.length === 1 ? tokens[0] : undefined;
}

/**
 * Signs in `Authorization: Bearer <name>` as `<name>`, and, for a GET or HEAD without an
 * `Authorization` header, `?access_token=<name>` (RFC 6750 §2.3: what a browser's
 * `EventSource` can send). A name is 1–128 of `A-Z a-z 0-9 . _ @ + -`; anything else is
 * refused (401). For development only: it checks nothing, and a token in a URL ends up
 * in logs and histories.
 */
export function developmentAuthenticator(request: IncomingMessage): HttpCaller | undefined {
  const header = request.headers.authorization;
  // A header, even a malformed one, is the caller's choice: the query never overrides it.
  const token = header === undefined ? queryToken(request) : /^Bearer (.*)$/.exec(header)?.[1];
  return token !== undefined && name.test(token) ? { id: token } : undefined;
}
