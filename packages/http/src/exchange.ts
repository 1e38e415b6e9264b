/**
 * One request and its answer, with what every route needs: the path below the mount
 * point, the query, the request id, the absolute base URL and the signed-in caller.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Caller } from '@herald/core';
import type { RequestQuery } from './query.js';

/** Who `authenticate` says is calling. `userId` is the signed-in user (`/me`); it defaults to `id`. */
export interface HttpCaller extends Caller {
  /** The user the `/me` routes act for. */
  readonly userId?: string;
}

/** A request being answered. */
export interface Exchange {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  /** The path below where the API is mounted, split on `/`, still percent-encoded. */
  readonly segments: readonly string[];
  /** The query string's parameters, to read (copy them to change them). */
  readonly query: RequestQuery;
  /** This request's id, also in the `request-id` header. */
  readonly requestId: string;
  /** The absolute URL the API is mounted at, without a trailing slash. */
  readonly baseUrl: string;
}

/** The user the `/me` routes act for. */
export function me(caller: HttpCaller): string {
  return caller.userId ?? caller.id;
}
