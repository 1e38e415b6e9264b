/**
 * Reading a JSON body safely: the declared and the actual size are limited, gzip and
 * deflate are decoded under a limit of their own (no decompression bombs), the body must
 * arrive in time, be UTF-8 and be JSON. Any other encoding or type is refused first. A
 * body another part of the server read first goes through the same limits and checks.
 */
import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { gunzip, inflate, inflateRaw } from 'node:zlib';
import { HeraldError } from '@herald/core';
import type { BodyDeadlines } from './body-deadlines.js';
import { bodySourceOf, type BodySource } from './earlier-body.js';

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);
const inflateRawAsync = promisify(inflateRaw);

/** Limits on a request body. */
export interface BodyLimits {
  /** Most bytes on the wire. */
  readonly maxBodyBytes: number;
  /** Most bytes after gzip or deflate decoding. */
  readonly maxDecodedBytes: number;
  /** The reads under way and their deadlines: `timeoutMs`, the longest time a whole body may take to arrive. */
  readonly deadlines: BodyDeadlines;
}

type Encoding = 'identity' | 'gzip' | 'deflate';

/** The body's encoding, or a 415 for anything but gzip, deflate or none. */
export function contentEncoding(request: IncomingMessage): Encoding {
  const header = request.headers['content-encoding'];
  if (header === undefined || header.trim() === '') return 'identity';
  const codings = header.split(',').map((coding) => coding.trim().toLowerCase()).filter((coding) => coding !== 'identity');
  if (codings.length === 0) return 'identity';
  const [coding] = codings;
  if (codings.length === 1 && (coding === 'gzip' || coding === 'x-gzip')) return 'gzip';
  if (codings.length === 1 && coding === 'deflate') return 'deflate';
  throw new HeraldError('UNSUPPORTED_CONTENT_ENCODING', `Content-Encoding ${JSON.stringify(header.slice(0, 64))} is not supported; send gzip, deflate or no encoding`);
}

/**
 * A 415 unless the body is declared as JSON (in UTF-8): `application/json`, or one of
 * `types` when a route takes another JSON media type (`application/merge-patch+json`).
 */
export function checkJsonContentType(request: IncomingMessage, types: readonly string[] = ['application/json']): void {
  const header = request.headers['content-type'];
  // What nearly every client sends, answered without splitting and lower-casing it.
  if (header === 'application/json' || header === 'application/json; charset=utf-8') return;
  const [type = '', ...parameters] = (header ?? '').split(';').map((part) => part.trim().toLowerCase());
  const charset = parameters.find((parameter) => parameter.startsWith('charset='))?.slice('charset='.length).replace(/"/g, '');
  if (!types.includes(type) || (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8')) {
    throw new HeraldError('UNSUPPORTED_MEDIA_TYPE', `the body must be JSON: send Content-Type: ${types.join(' or ')} (UTF-8)`);
  }
}

function tooLarge(what: string, limit: number): HeraldError {
  return new HeraldError('PAYLOAD_TOO_LARGE', `the ${what} is larger than ${limit} bytes`);
}

/**
 * Collects the raw body, within the size and time limits, and settles with what `then`
 * makes of it: one promise for the whole read, not one for the bytes and another for the body.
 */
function collect(request: Readable, limits: BodyLimits, then: (raw: Buffer) => unknown): Promise<unknown> {
  return new Promise<unknown>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (error: HeraldError | undefined): void => {
      if (settled) return;
      settled = true;
      limits.deadlines.end(wait);
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.off('close', onClose);
      if (error === undefined) {
        try {
          // A body of one chunk (most are) is used as it is, not copied.
          resolve(then(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size)));
        } catch (failure) {
          reject(failure);
        }
        return;
      }
      // Stop reading what is left; the answer closes the connection.
      request.pause();
      reject(error);
    };
    const onData = (data: Buffer | string): void => {
      // A stream a framework hook handed on may carry text rather than bytes.
      const chunk = typeof data === 'string' ? Buffer.from(data) : data;
      size += chunk.length;
      if (size > limits.maxBodyBytes) finish(tooLarge('body', limits.maxBodyBytes));
      else chunks.push(chunk);
    };
    const onEnd = (): void => finish(undefined);
    const onError = (): void => finish(new HeraldError('MALFORMED_JSON', 'the body could not be read to its end'));
    // Closed before its end (an aborted request, a stream someone destroyed): no end will come.
    const onClose = (): void => finish(new HeraldError('MALFORMED_JSON', 'the body could not be read to its end'));
    const wait = limits.deadlines.start(() => finish(new HeraldError('REQUEST_TIMEOUT', `the body did not arrive within ${limits.deadlines.timeoutMs} ms`)));
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
    request.on('close', onClose);
  });
}

async function decode(raw: Buffer, encoding: Encoding, limit: number): Promise<Buffer> {
  if (encoding === 'identity') return raw;
  const options = { maxOutputLength: limit };
  try {
    if (encoding === 'gzip') return await gunzipAsync(raw, options);
    // "deflate" is meant to be zlib-wrapped, but raw deflate is common: accept both.
    return await inflateAsync(raw, options).catch(async (error: unknown) => {
      if (error instanceof RangeError) throw error;
      return inflateRawAsync(raw, options);
    });
  } catch (error) {
    if (error instanceof RangeError || (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge('decoded body', limit);
    throw new HeraldError('MALFORMED_JSON', `the body is not valid ${encoding}`, { cause: error });
  }
}


/** What may begin a JSON text: whitespace or a BOM, then a value's first character. */
const jsonStart = /^(?:\xef\xbb\xbf)?[\t\n\r ]*[{["\-0-9tfn]/;

/**
 * Kept bytes are usually decoded already (body parsers decode gzip and deflate before they
 * hand a body on); bytes kept off the wire are not. JSON text cannot begin like a gzip or
 * zlib stream, so a compressed request's kept bytes that do not begin like JSON are decoded.
 */
function keptBytesAreEncoded(bytes: Buffer, encoding: Encoding): boolean {
  return encoding !== 'identity' && !jsonStart.test(bytes.subarray(0, 16).toString('latin1'));
}

function parseText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    // Only a body that failed is looked at again, to say why in the caller's terms.
    if (text.trim() === '') throw new HeraldError('MALFORMED_JSON', 'the body is empty: send a JSON object');
    throw new HeraldError('MALFORMED_JSON', `the body is not JSON: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * The body's text, from UTF-8 bytes, as a fatal `TextDecoder` gives it (a leading BOM
 * dropped, anything that is not UTF-8 refused), by the runtime's validator and `toString`:
 * the decoder's own checks of its state and options cost more than either on every request.
 */
export function decodeUtf8(bytes: Buffer): string {
  if (!isUtf8(bytes)) throw new HeraldError('MALFORMED_JSON', 'the body is not valid UTF-8');
  const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  // `toString()` without arguments is Buffer's own fast path to UTF-8 text.
  return bom ? bytes.toString('utf8', 3) : bytes.toString();
}

/** The JSON text of a value a body parser made, so it meets the same checks as a body Herald read. */
function textOf(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new HeraldError('MALFORMED_JSON', 'the body the server parsed before Herald is not JSON data', { cause: error });
  }
  if (text === undefined) throw new HeraldError('MALFORMED_JSON', 'the body the server parsed before Herald is not JSON data');
  return text;
}

const parseBytes = (bytes: Buffer): unknown => parseText(decodeUtf8(bytes));

/**
 * Reads, decodes and parses a JSON body. The encoding and type must be checked first.
 * Every failure, the declared size's included, is a rejection.
 */
export function readJsonBody(request: IncomingMessage, encoding: Encoding, limits: BodyLimits): Promise<unknown> {
  try {
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > limits.maxBodyBytes) throw tooLarge('body', limits.maxBodyBytes);
    const source = bodySourceOf(request);
    if (source.kind !== 'stream') return readKeptBody(source, encoding, limits);
    return collect(source.stream, limits, encoding === 'identity' ? parseBytes : async (raw) => parseBytes(await decode(raw, encoding, limits.maxDecodedBytes)));
  } catch (error) {
    return Promise.reject(error);
  }
}

/** A body another part of the server read first (see `earlier-body.ts`), under the same limits and checks. */
async function readKeptBody(source: Exclude<BodySource, { kind: 'stream' }>, encoding: Encoding, limits: BodyLimits): Promise<unknown> {
  // A body already decoded counts against the limit its decoded form has on the wire path.
  const decodedLimit = encoding === 'identity' ? limits.maxBodyBytes : limits.maxDecodedBytes;
  const decodedWithin = (size: number): void => {
    if (size > decodedLimit) throw tooLarge(encoding === 'identity' ? 'body' : 'decoded body', decodedLimit);
  };
  switch (source.kind) {
    case 'bytes':
      if (keptBytesAreEncoded(source.bytes, encoding)) {
        if (source.bytes.length > limits.maxBodyBytes) throw tooLarge('body', limits.maxBodyBytes);
        return parseBytes(await decode(source.bytes, encoding, limits.maxDecodedBytes));
      }
      decodedWithin(source.bytes.length);
      return parseBytes(source.bytes);
    case 'text':
      decodedWithin(Buffer.byteLength(source.text));
      return parseText(source.text);
    case 'parsed': {
      const text = textOf(source.value);
      decodedWithin(Buffer.byteLength(text));
      return parseText(text);
    }
  }
}
