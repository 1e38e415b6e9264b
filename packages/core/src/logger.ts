/**
 * Logging: the shape of the logger every Herald package writes to (pino's: fields first,
 * then the message), its check, and the default used when none is given — process
 * warnings, as Herald has always reported what went wrong in the background, with the
 * repeats of one failure folded so that an outage is a few lines, not a flood.
 */
import { systemClock, type Clock } from './clock.js';
import { isHeraldError } from './errors.js';
import { optionError } from './errors.js';
import { checkOptionsObject, wholeNumberOption } from './option-checks.js';
import { RepeatedWarnings } from './repeated-warnings.js';
import { lineOfThrown, stackOfThrown } from './thrown-text.js';

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

// A record's `err` may be anything thrown: thrown-text.ts reads it without throwing, so the
// report of a failure never becomes a failure of its own (a send that was stored rejecting).

/** A failure's one line, `: Name: message`, or nothing when the record has no `err`. */
function headOf(error: unknown): string {
  return error === undefined ? '' : `: ${lineOfThrown(error)}`;
}

/** A failure in full, `: ` and its stack, or nothing when the record has no `err`. */
function detail(error: unknown): string {
  return error === undefined ? '' : `: ${stackOfThrown(error, lineOfThrown)}`;
}

const ignore = (): void => undefined;

/** Options of {@link processWarningLogger}. */
export interface ProcessWarningOptions {
  /**
   * The shortest time between two warnings about the same failure, in ms: its repeats in
   * between are counted, not printed; 0 prints every record in full.
   * @default 60_000
   */
  readonly repeatWindowMs?: number;
  /**
   * The time source and timers of the window (the service passes its own, so a fake clock
   * drives it in tests).
   * @default systemClock
   */
  readonly clock?: Clock;
}

const processWarningOptionNames = ['repeatWindowMs', 'clock'] as const satisfies readonly (keyof ProcessWarningOptions)[];

/**
 * A {@link Logger} that turns `warn` and `error` records into process warnings — what
 * Herald does when no logger is given — and drops `debug` and `info`, except an `info` with
 * `code` `CONNECTION_RESTORED` (a store's connection back). The warning's text is `prefix`,
 * the message and, when the record has an `err`, its stack; its code is `warningCode`.
 * Fields other than `err` are not shown — no ids, so two deliveries failing with the same
 * message count as one failure: give a real logger to keep them.
 *
 * One failure is reported once, not once per occurrence: a record with the same
 * `component` (from `child`), `code`, message and `err` name and message as one reported
 * less than `repeatWindowMs` ago is counted instead of printed. Its first line (with the
 * stack) ends `(repeats are counted: a count follows every 60 s while it lasts)`. When it
 * recurs after the window, one line without the stack says how many times it occurred since
 * (`[herald] dispatcher failed: HeraldError: … — 59 more times since 2026-11-30T12:00:00.000Z
 * (…)`); when it has not recurred for twice the window, a last line says it is over, with
 * the count not yet printed and when it was last seen. A `CONNECTION_RESTORED` record ends
 * at once every failure followed for the same `component`, each with a line `… — back after
 * 75 s, 76 failures in all, the last at …`. A failure that comes back after that is reported
 * in full again; a failure that occurred once gets no last line (unless its part is back).
 * Only this logger folds repeats: a logger you give Herald receives every record.
 *
 * @param prefix - What each warning starts with. @default '[herald]'
 * @param warningCode - The warning's `code`. @default 'HERALD_BACKGROUND_ERROR'
 * @param options - The window and its clock: {@link ProcessWarningOptions}.
 * @throws TypeError (`code` `INVALID_OPTION`) for an unknown option, a `repeatWindowMs`
 *   that is not a whole number of ms of at least 0, or a `clock` without `now`, `setTimer`
 *   and `clearTimer`.
 */
export function processWarningLogger(prefix = '[herald]', warningCode = 'HERALD_BACKGROUND_ERROR', options: ProcessWarningOptions = {}): Logger {
  checkOptionsObject(undefined, 'processWarningLogger\'s options', options, processWarningOptionNames);
  const windowMs = wholeNumberOption(undefined, 'repeatWindowMs', options.repeatWindowMs, { min: 0, unit: 'milliseconds', absent: 'absent for 60_000' }) ?? 60_000;
  const clock: unknown = options.clock === undefined ? systemClock : options.clock;
  if (clock === null || typeof clock !== 'object' || (['now', 'setTimer', 'clearTimer'] as const).some((method) => typeof (clock as Record<string, unknown>)[method] !== 'function')) {
    throw optionError(undefined, 'option clock of processWarningLogger must have now(), setTimer(callback, delayMs, purpose) and clearTimer(timer), such as systemClock');
  }
  const warnings = new RepeatedWarnings(windowMs, clock as Clock, (text) => process.emitWarning(text, { code: warningCode }));
  const bound = (bindings: LogFields): Logger => {
    const componentOf = (fields: LogFields): string | undefined => {
      const component = bindings['component'] ?? fields['component'];
      return typeof component === 'string' ? component : undefined;
    };
    const report = (fields: LogFields, message: string): void => {
      const head = `${prefix} ${message}${headOf(fields['err'])}`;
      const component = componentOf(fields);
      const key = JSON.stringify([component, fields['code'], head]);
      warnings.report(key, component, head, `${prefix} ${message}${detail(fields['err'])}`);
    };
    // Of the info records, only a part's "back" is printed: it ends that part's outage.
    const info = (fields: LogFields, message: string): void => {
      if (fields['code'] === 'CONNECTION_RESTORED') warnings.back(componentOf(fields), `${prefix} ${message}`);
    };
    return { debug: ignore, info, warn: report, error: report, child: (more) => bound({ ...bindings, ...more }) };
  };
  return bound({});
}
