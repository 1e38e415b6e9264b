/**
 * The console transport: writes each delivery to a stream, for development, demos and
 * logs. It never fails an endpoint; only a broken stream fails a delivery (retryably).
 */
import { optionError, checkOptionsObject, messageOfThrown, TransportError, type Transport } from '@herald/core/transport';
import { consoleFormats, formatJson, formatSyncJson, formatSyncText, formatText, type ConsoleFormat } from './format.js';

/** The transport's name unless another is given. */
export const NAME = 'console';

/** Every option of {@link ConsoleTransportOptions}, for refusing unknown ones. */
export const consoleOptionNames = ['name', 'stream', 'format'] as const;

/** Options of {@link createConsoleTransport}. */
export interface ConsoleTransportOptions {
  /**
   * The name subscriptions use to pick this transport.
   * @default 'console'
   */
  readonly name?: string;
  /**
   * Where lines go.
   * @default process.stdout
   */
  readonly stream?: NodeJS.WritableStream;
  /**
   * `text` for a readable line per delivery, `json` for a JSON line.
   * @default 'text'
   */
  readonly format?: ConsoleFormat;
}

function write(stream: NodeJS.WritableStream, line: string, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const fail = (error: unknown): void => {
      cleanup();
      reject(TransportError.retryable(`the console stream failed: ${messageOfThrown(error)}`, { cause: error }));
    };
    const aborted = (): void => {
      cleanup();
      reject(signal.reason);
    };
    const drained = (): void => {
      cleanup();
      resolve();
    };
    const cleanup = (): void => {
      stream.off('error', fail);
      stream.off('drain', drained);
      signal.removeEventListener('abort', aborted);
    };
    stream.on('error', fail);
    signal.addEventListener('abort', aborted, { once: true });
    try {
      // Honour backpressure: a slow terminal or pipe makes the dispatcher wait, not buffer.
      if (stream.write(line)) drained();
      else stream.on('drain', drained);
    } catch (error) {
      fail(error);
    }
  });
}

/**
 * Creates a console transport. It is `AsyncDisposable`: `await using console =
 * createConsoleTransport()` closes it when the block ends (later sends fail retryably).
 *
 * ```ts
 * const service = createNotificationService({ store, transports: [createConsoleTransport()] });
 * ```
 *
 * It has no `checkEndpoint`: an endpoint's `address` is free text that only labels its
 * lines (`alice-phone`), so every address the contract accepts is a good one.
 * @throws TypeError (`code` `INVALID_OPTION`) for an unknown option ("did you mean
 *   format?") or a wrong value.
 */
export function createConsoleTransport(options: ConsoleTransportOptions = {}): Transport & AsyncDisposable {
  checkOptionsObject('transport-console', 'the options', options, consoleOptionNames);
  const { name = NAME, stream = process.stdout, format = 'text' } = options;
  if (typeof name !== 'string' || !/^\S(.*\S)?$/.test(name)) {
    throw optionError('transport-console', `name must be a non-empty name without leading or trailing spaces, got ${JSON.stringify(name)}`);
  }
  if (!consoleFormats.includes(format)) throw optionError('transport-console', `format must be one of ${consoleFormats.join(', ')}, got ${JSON.stringify(format)}`);
  if (stream === null || typeof stream !== 'object' || typeof stream.write !== 'function' || typeof stream.on !== 'function') {
    throw optionError('transport-console', 'stream must be a writable stream such as process.stdout');
  }
  const render = format === 'json' ? formatJson : formatText;
  const renderSync = format === 'json' ? formatSyncJson : formatSyncText;
  let closed = false;
  const writeLine = async (line: () => string, signal: AbortSignal): Promise<void> => {
    if (closed) throw TransportError.retryable('[herald] [transport-console] the transport is closed');
    if (signal.aborted) throw signal.reason;
    await write(stream, line(), signal);
  };
  return {
    name,
    async send(message, endpoint, context) {
      await writeLine(() => render(message, endpoint, context.now), context.signal);
    },
    // Sync messages (another endpoint changed a notification's state) get a line too.
    async sendSync(message, endpoint, context) {
      await writeLine(() => renderSync(message, endpoint, context.now), context.signal);
    },
    close() {
      closed = true;
    },
    async [Symbol.asyncDispose]() {
      closed = true;
    },
  };
}
