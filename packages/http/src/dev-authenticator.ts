/**
 * An authenticator for development only: `Authorization: Bearer alice` signs in as
 * `alice`, with no check at all. Never use it where anyone else can reach the server.
 */
import type { IncomingMessage } from 'node:http';
import type { HttpCaller } from './exchange.js';

/** Signs in `Authorization: Bearer <name>` as `<name>`. For development only. */
export function developmentAuthenticator(request: IncomingMessage): HttpCaller | undefined {
  const match = /^Bearer ([A-Za-z0-9._@+-]{1,128})$/.exec(request.headers.authorization ?? '');
  return match?.[1] === undefined ? undefined : { id: match[1] };
}
