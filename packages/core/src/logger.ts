/**
 * Logging: the shape of the logger every Herald package writes to (pino's: fields first,
 * then the message), its check, and the default used when none is given — process
 * warnings, as Herald has always reported what went wrong in the background.
 */
import { isHeraldError } from './errors.js';
import { optionError } from './errors.js';

/**
 * The fields of one log record. Herald's records carry `code` (a stable code: a
 * `HeraldError` code such as `STORE_UNAVAILABLE`, or a warning's own such as
 * `COMPACTION_FAILED`), `component` (bound by child loggers: `service`, `dispatcher`,
 * `store-file`, …), the ids concerned (`deliveryId`, `notificationId`, `subscriptionId`)
 * and, for a failure, `err` (the error, which pino serializes with its stack). User ids
 * are never logged: they may be personal data; the other ids find the user in the store.
 */
export type LogFields = Readonly<Record<string, unknown>>;

/**
 * A logger Herald writes to, shaped like pino's (and bunyan's): the fields first, then the
 * message — `logger.warn({ code: 'COMPACTION_FAILED', file }, '…')`. A pino logger fits as
 * it is; anything else fits with a few lines of adapter:
 *
 * ```ts
 * const consoleLogger: Logger = {
 *   debug: (fields, message) => console.debug(message, fields),
 *   info: (fields, message) => console.info(message, fields),
 *   warn: (fields, message) => console.warn(message, fields),
 *   error: (fields, message) => console.error(message, fields),
 *   child: () => consoleLogger,
 * };
 * ```
 *
 * Herald calls `child` once per part it creates (binding `component`), never per call.
 */
export interface Logger {
  /** Detail useful while debugging (nothing Herald logs at this level is needed in production). */
  debug(fields: LogFields, message: string): void;
  /** A normal event worth a line: a subscription deactivated, a stale lock taken over. */
  info(fields: LogFields, message: string): void;
  /** Something recovered from, or a failed attempt that will be retried. */
  warn(fields: LogFields, message: string): void;
  /** A failure: a background task failed, a delivery died. */
  error(fields: LogFields, message: string): void;
  /** A logger whose records all carry `bindings` too. */
  child(bindings: LogFields): Logger;
}

const loggerMethods = ['debug', 'info', 'warn', 'error', 'child'] as const satisfies readonly (keyof Logger)[];

/**
 * Checks a `logger` option: `undefined`, or an object with every method of {@link Logger}.
 * @throws TypeError (`code` `INVALID_OPTION`) naming the option and the methods it lacks.
 */
export function checkLogger(source: string | undefined, name: string, value: unknown): Logger | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object') {
    throw optionError(source, `${name} must be a logger with debug, info, warn, error and child methods, such as a pino logger (got ${value === null ? 'null' : typeof value})`);
  }
  const missing = loggerMethods.filter((method) => typeof (value as Record<string, unknown>)[method] !== 'function');
  if (missing.length > 0) {
    throw optionError(source, `${name} must be a logger with debug, info, warn, error and child methods, such as a pino logger; it lacks ${missing.join(', ')}`);
  }
  return value as Logger;
}

/** The stable code of a failure, for a record's `code` field: its HeraldError code, else `INTERNAL`. */
export function codeOf(error: unknown): string {
  return isHeraldError(error) ? error.code : 'INTERNAL';
}

function detail(error: unknown): string {
  if (error === undefined) return '';
  if (error instanceof Error) return `: ${error.stack ?? error.message}`;
  return `: ${String(error)}`;
}

const ignore = (): void => undefined;

/**
 * A {@link Logger} that turns `warn` and `error` records into process warnings — what
 * Herald does when no logger is given — and drops `debug` and `info`. The warning's text
 * is `prefix`, the message and, when the record has an `err`, its stack; its code is
 * `warningCode`. Fields other than `err` are not shown: give a real logger to keep them.
 *
 * @param prefix - What each warning starts with. @default '[herald]'
 * @param warningCode - The warning's `code`. @default 'HERALD_BACKGROUND_ERROR'
 */
export function processWarningLogger(prefix = '[herald]', warningCode = 'HERALD_BACKGROUND_ERROR'): Logger {
  const report = (fields: LogFields, message: string): void => {
    process.emitWarning(`${prefix} ${message}${detail(fields['err'])}`, { code: warningCode });
  };
  const logger: Logger = { debug: ignore, info: ignore, warn: report, error: report, child: () => logger };
  return logger;
}
