/**
 * The file store's options, checked when the store is created: a wrong option is a
 * `TypeError` naming it, before any file is touched.
 */
import { checkLogger, optionError, rejectUnknownOptions, wholeNumberOption, type Logger } from '@herald/core/store';
import { errorSource } from './errors.js';

/** How hard the store works to keep acknowledged writes through a crash. */
export const fsyncModes = ['always', 'interval', 'never'] as const;
/** See {@link FileStoreOptions.fsync}. */
export type FsyncMode = (typeof fsyncModes)[number];

/** Something the store recovered from without failing, that an operator should hear of. */
export interface FileStoreWarning {
  /** A stable code: `TORN_TAIL` (a damaged end of the log was cut off), `STALE_LOCK` (a dead holder's lock was taken over), `LEFTOVER_FILE` (an interrupted compaction's temp file was removed), `COMPACTION_FAILED`. */
  readonly code: 'TORN_TAIL' | 'STALE_LOCK' | 'LEFTOVER_FILE' | 'COMPACTION_FAILED';
  /** What happened, starting `[herald] [store-file]`. */
  readonly message: string;
  /** The file concerned. */
  readonly file?: string;
  /** The byte offset concerned, for `TORN_TAIL`. */
  readonly offset?: number;
}

/** Options of `createFileStore`. */
export interface FileStoreOptions {
  /** The directory that holds the store; created if missing. One process at a time may open it. */
  readonly directory: string;
  /**
   * When a write is acknowledged: `'always'` after its log record is on disk (fsync; survives
   * power loss), `'interval'` once the OS has it (survives `kill -9`; a power loss may take
   * the last `fsyncIntervalMs`), `'never'` the same but the store never fsyncs the log itself.
   * @default 'always'
   */
  readonly fsync?: FsyncMode | undefined;
  /**
   * With `fsync: 'interval'`, how often the log is flushed to disk, in milliseconds.
   * @default 1000
   */
  readonly fsyncIntervalMs?: number | undefined;
  /**
   * Log bytes written since the last snapshot that start a compaction in the background.
   * Replay time on open is bounded by it.
   * @default 67108864 (64 MiB)
   */
  readonly compactAfterBytes?: number | undefined;
  /**
   * A lock not refreshed for this many milliseconds is stale and may be taken over (so is
   * one whose process is gone). The holder refreshes it every third of this.
   * @default 10000
   */
  readonly staleLockMs?: number | undefined;
  /**
   * Hears what the store recovered from: a torn log tail cut off, a stale lock taken over.
   * @default process.emitWarning (`HERALD_STORE_FILE_<code>`), unless a `logger` is given
   */
  readonly onWarning?: ((warning: FileStoreWarning) => void) | undefined;
  /**
   * Where the store logs (a pino logger, or anything with pino's methods; `component`
   * `store-file` and `directory` are bound): each warning as `warn` with its `code`
   * (`TORN_TAIL`, `STALE_LOCK`, `LEFTOVER_FILE`, `COMPACTION_FAILED`), `file` and
   * `offset`; the failure that stops the store (`STORE_UNAVAILABLE`, `STORE_LOCKED`) as
   * `error` with `code` and `err`. With a logger, warnings are no longer process warnings.
   * @default none
   */
  readonly logger?: Logger | undefined;
}

/** The options with every default filled in. */
export interface CheckedFileStoreOptions {
  /** See {@link FileStoreOptions.directory}. */
  readonly directory: string;
  /** See {@link FileStoreOptions.fsync}. */
  readonly fsync: FsyncMode;
  /** See {@link FileStoreOptions.fsyncIntervalMs}. */
  readonly fsyncIntervalMs: number;
  /** See {@link FileStoreOptions.compactAfterBytes}. */
  readonly compactAfterBytes: number;
  /** See {@link FileStoreOptions.staleLockMs}. */
  readonly staleLockMs: number;
  /** See {@link FileStoreOptions.onWarning}: absent when a logger hears the warnings instead. */
  readonly onWarning: ((warning: FileStoreWarning) => void) | undefined;
  /** See {@link FileStoreOptions.logger}. */
  readonly logger: Logger | undefined;
}

const optionNames: readonly (keyof FileStoreOptions)[] = ['directory', 'fsync', 'fsyncIntervalMs', 'compactAfterBytes', 'staleLockMs', 'onWarning', 'logger'];

function emitWarning(warning: FileStoreWarning): void {
  process.emitWarning(warning.message, { code: `HERALD_STORE_FILE_${warning.code}` });
}

function wholeNumber(given: Record<string, unknown>, name: keyof FileStoreOptions, fallback: number, min: number): number {
  return wholeNumberOption(errorSource, name, given[name], { min }) ?? fallback;
}

/** Checks the options of `createFileStore` and fills in defaults; throws a `TypeError` naming a bad one. */
export function checkFileStoreOptions(options: unknown): CheckedFileStoreOptions {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw optionError(errorSource, 'createFileStore needs an options object with at least { directory }');
  }
  const given = options as Record<string, unknown>;
  rejectUnknownOptions(errorSource, given, optionNames);
  const { directory, fsync, onWarning } = given;
  // A lone surrogate has no UTF-8 form: two such names would be one directory on disk.
  if (typeof directory !== 'string' || directory.length === 0 || directory.includes('\0') || !directory.isWellFormed()) {
    throw optionError(errorSource, `option directory must be a non-empty path of well-formed text (got ${JSON.stringify(directory) ?? String(directory)})`);
  }
  if (fsync !== undefined && !(fsyncModes as readonly unknown[]).includes(fsync)) {
    throw optionError(errorSource, `option fsync must be one of ${fsyncModes.map((mode) => `'${mode}'`).join(', ')} (got ${JSON.stringify(fsync) ?? String(fsync)})`);
  }
  if (onWarning !== undefined && typeof onWarning !== 'function') {
    throw optionError(errorSource, `option onWarning must be a function (got ${typeof onWarning})`);
  }
  const logger = checkLogger(errorSource, 'option logger', given['logger']);
  return {
    directory,
    fsync: (fsync as FsyncMode | undefined) ?? 'always',
    fsyncIntervalMs: wholeNumber(given, 'fsyncIntervalMs', 1000, 1),
    compactAfterBytes: wholeNumber(given, 'compactAfterBytes', 64 * 1024 * 1024, 1),
    staleLockMs: wholeNumber(given, 'staleLockMs', 10_000, 100),
    onWarning: (onWarning as ((warning: FileStoreWarning) => void) | undefined) ?? (logger === undefined ? emitWarning : undefined),
    logger,
  };
}
