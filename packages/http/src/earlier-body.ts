/**
 * A request body that another part of the server may have read before Herald: a body
 * parser mounted in front of it (Express's `express.json()`, body-parser, koa-body with
 * `patchNode`), a handler that kept the raw bytes (`req.rawBody`), or a Fastify
 * `preParsing` hook. A read stream never ends again, so Herald must take the body from
 * where the reader left it, or say at once that nothing is left, instead of waiting for
 * data that will never come.
 */
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { HeraldError } from '@herald/core';

/** Where Herald finds a request's body. */
export type BodySource =
  /** A stream still to be read: the request itself, or the stream a Fastify hook handed on. */
  | { readonly kind: 'stream'; readonly stream: Readable }
  /** Bytes a reader kept (`req.rawBody`, or `express.raw()`'s `req.body`). */
  | { readonly kind: 'bytes'; readonly bytes: Buffer }
  /** Text a reader kept (`express.text()`'s `req.body`, or a string `req.rawBody`). */
  | { readonly kind: 'text'; readonly text: string }
  /** A value a body parser made (`express.json()`'s `req.body`). */
  | { readonly kind: 'parsed'; readonly value: unknown };

/** What an adapter (the Fastify plugin) knows about the body beyond the raw request. */
export interface HandedOverBody {
  /** The stream the body is still to be read from, when it is not the raw request. */
  readonly stream?: Readable;
  /** The raw body a framework hook kept, if any. */
  readonly rawBody?: unknown;
}

const handedOver = new WeakMap<IncomingMessage, HandedOverBody>();

/** Tells the handler where a request's body is, for adapters whose framework read it. */
export function handOverBody(request: IncomingMessage, body: HandedOverBody): void {
  handedOver.set(request, body);
}

/**
 * True once anyone has started reading the request: its data went somewhere else and the
 * stream will not give it again.
 */
function streamWasRead(request: IncomingMessage): boolean {
  return request.readableEnded || request.readableDidRead || request.readableFlowing === true;
}

function keptBody(value: unknown): BodySource | undefined {
  if (Buffer.isBuffer(value)) return { kind: 'bytes', bytes: value };
  if (value instanceof Uint8Array) return { kind: 'bytes', bytes: Buffer.from(value.buffer, value.byteOffset, value.byteLength) };
  if (typeof value === 'string') return { kind: 'text', text: value };
  return undefined;
}

/**
 * Where this request's body is. The request's own stream wins while nobody has read it:
 * some frameworks set a placeholder `req.body` (`{}`) even when their parser skipped the
 * request. Once it was read, the exact bytes are preferred (`req.rawBody`) so that Herald's
 * own UTF-8 and JSON checks apply, then what the parser made (`req.body`).
 */
export function bodySourceOf(request: IncomingMessage): BodySource {
  const adapter = handedOver.get(request);
  if (adapter?.stream !== undefined && adapter.stream !== request) return { kind: 'stream', stream: adapter.stream };
  if (!streamWasRead(request)) return { kind: 'stream', stream: request };
  const kept = request as IncomingMessage & { rawBody?: unknown; body?: unknown };
  const raw = keptBody(adapter?.rawBody) ?? keptBody(kept.rawBody);
  if (raw !== undefined) return raw;
  if (kept.body !== undefined) return keptBody(kept.body) ?? { kind: 'parsed', value: kept.body };
  // The server's set-up, not the caller's request, is at fault: a 500 that says what to do.
  throw new HeraldError(
    'BODY_ALREADY_READ',
    'the request body was read by another part of this server before Herald (a body parser mounted in front of it?) and nothing usable was kept: ' +
      'mount Herald before the body parser, or leave the parsed body in req.body or the raw bytes in req.rawBody',
  );
}
