/**
 * A Server-Sent Events reader over node:http, for the stream tests: it parses the
 * `text/event-stream` format as a browser does (fields `id`, `event`, `data`, comment
 * lines) and hands out events one by one.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';

/** One event, or a comment line. */
export interface SseEvent {
  readonly id: string | undefined;
  readonly event: string;
  readonly data: string;
  readonly comment?: string;
}

export interface SseStream {
  readonly status: number;
  readonly response: IncomingMessage;
  /** The next event (comments included), or `undefined` once the stream ended. */
  next(timeoutMs?: number): Promise<SseEvent | undefined>;
  /** The next event that is not a comment. */
  nextEvent(timeoutMs?: number): Promise<SseEvent | undefined>;
  /** The whole body, for an answer that is not a stream. */
  text(): Promise<string>;
  close(): void;
}

/** Opens `path` on loopback and reads it as an event stream. */
export function openStream(port: number, path: string, headers: Record<string, string> = {}): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, path, headers: { accept: 'text/event-stream', ...headers } }, (response) => {
      const queue: (SseEvent | undefined)[] = [];
      const waiting: ((event: SseEvent | undefined) => void)[] = [];
      const push = (event: SseEvent | undefined): void => {
        const waiter = waiting.shift();
        if (waiter !== undefined) waiter(event);
        else queue.push(event);
      };
      let buffer = '';
      let fields: { id?: string; event?: string; data: string[] } = { data: [] };
      const chunks: string[] = [];
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        chunks.push(chunk);
        buffer += chunk;
        for (let end = buffer.indexOf('\n'); end !== -1; end = buffer.indexOf('\n')) {
          const line = buffer.slice(0, end);
          buffer = buffer.slice(end + 1);
          if (line === '') {
            if (fields.data.length > 0 || fields.event !== undefined || fields.id !== undefined) {
              push({ id: fields.id, event: fields.event ?? 'message', data: fields.data.join('\n') });
            }
            fields = { data: [] };
          } else if (line.startsWith(':')) {
            push({ id: undefined, event: '', data: '', comment: line.slice(1).trim() });
          } else {
            const colon = line.indexOf(':');
            const name = colon === -1 ? line : line.slice(0, colon);
            const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (name === 'id') fields.id = value;
            else if (name === 'event') fields.event = value;
            else if (name === 'data') fields.data.push(value);
          }
        }
      });
      const ended = new Promise<void>((done) => {
        response.on('end', done);
        response.on('close', done);
      });
      void ended.then(() => push(undefined));
      const next = (timeoutMs = 10_000): Promise<SseEvent | undefined> => {
        if (queue.length > 0) return Promise.resolve(queue.shift());
        return new Promise((resolveNext, rejectNext) => {
          const timer = setTimeout(() => rejectNext(new Error(`no event within ${timeoutMs} ms`)), timeoutMs);
          waiting.push((event) => {
            clearTimeout(timer);
            resolveNext(event);
          });
        });
      };
      resolve({
        status: response.statusCode ?? 0,
        response,
        next,
        async nextEvent(timeoutMs) {
          for (;;) {
            const event = await next(timeoutMs);
            if (event === undefined || event.comment === undefined) return event;
          }
        },
        async text() {
          await ended;
          return chunks.join('');
        },
        close: () => request.destroy(),
      });
    });
    request.on('error', reject);
    request.end();
  });
}
