/**
 * Appends records to the current log segment with group commit: records appended while
 * a write (and its fsync) is in progress wait together and go out in the next write,
 * with one fsync for all of them. So durability costs one disk flush per batch, not per
 * notification, and the more concurrent writers, the bigger the batches.
 *
 * Callers append synchronously (so records land in the order the engine applied them)
 * and get a ticket; `whenDurable(ticket)` resolves once that record is as durable as the
 * fsync mode promises:
 * - `always`: written and fdatasync'ed.
 * - `interval`: written (the OS has it); fdatasync'ed every `fsyncIntervalMs`.
 * - `never`: written; fdatasync'ed only when a segment is closed.
 *
 * After a failed write or fsync, nothing more is acknowledged: the records in memory may
 * not be on disk, and after a failed fsync a retry cannot be trusted to tell (the kernel
 * may have dropped the dirty pages). The store stops and must be reopened.
 */
import type { FileHandle } from 'node:fs/promises';
import type { FsyncMode } from './options.js';

/** Records waiting to be written together. */
class Batch {
  readonly frames: Buffer[] = [];
  bytes = 0;
  lastTicket = 0;
  readonly done: Promise<void>;
  resolve!: () => void;
  reject!: (error: unknown) => void;

  constructor() {
    this.done = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // Nobody may be waiting (a lease renewal does not wait): an unheard rejection is not a crash.
    this.done.catch(() => undefined);
  }
}

/** A switch to a new segment at this point of the record sequence. */
interface Rotation {
  readonly open: () => Promise<FileHandle>;
  readonly done: (error?: unknown) => void;
}

/** Where the writer stands, for the store's decisions. */
export interface LogWriterOptions {
  /** The open segment, positioned for appending at `size`. */
  readonly handle: FileHandle;
  /** The segment's current length. */
  readonly size: number;
  /** See `FileStoreOptions.fsync`. */
  readonly fsync: FsyncMode;
  /** See `FileStoreOptions.fsyncIntervalMs`. */
  readonly fsyncIntervalMs: number;
  /** Called once, with the error, when a write or fsync fails. */
  readonly onFailure: (error: unknown) => void;
  /**
   * Called before each write and rotation, and again after each write (and its fsync)
   * before the batch is acknowledged; throwing stops the writer (the directory's lock
   * was lost). Once per batch: group commit makes the check cheap per record.
   */
  readonly verify?: () => void;
}

/** The group-committing appender of one store. */
export class LogWriter {
  #handle: FileHandle;
  #size: number;
  readonly #fsync: FsyncMode;
  readonly #onFailure: (error: unknown) => void;
  readonly #verify: () => void;
  /** Batches and rotations waiting to be written, in order; the last batch takes new records. */
  readonly #queue: (Batch | Rotation)[] = [];
  #current = new Batch();
  #appended = 0;
  #durable = 0;
  #running = false;
  #failure: unknown = undefined;
  #unsynced = false;
  #syncRequested = false;
  #idle: (() => void)[] = [];
  readonly #timer: NodeJS.Timeout | undefined;
  /** Bytes appended to the log since the last rotation, queued ones included. */
  bytesSinceRotation = 0;

  constructor(options: LogWriterOptions) {
    this.#handle = options.handle;
    this.#size = options.size;
    this.#fsync = options.fsync;
    this.#onFailure = options.onFailure;
    this.#verify = options.verify ?? (() => undefined);
    if (options.fsync === 'interval') {
      this.#timer = setInterval(() => {
        this.#syncRequested = true;
        this.#schedule();
      }, options.fsyncIntervalMs);
      // The timer alone must not keep the process alive; close() syncs anyway.
      this.#timer.unref();
    }
    this.bytesSinceRotation = options.size;
  }

  /** The ticket of the last record appended. */
  get appended(): number {
    return this.#appended;
  }

  /** The error that stopped the writer, if one did. */
  get failure(): unknown {
    return this.#failure;
  }

  /** Queues a framed record; returns its ticket for {@link whenDurable}. Never blocks. */
  append(frame: Buffer): number {
    if (this.#failure !== undefined) throw this.#failure;
    const batch = this.#current;
    batch.frames.push(frame);
    batch.bytes += frame.length;
    batch.lastTicket = ++this.#appended;
    this.bytesSinceRotation += frame.length;
    if (batch.frames.length === 1) this.#queue.push(batch);
    this.#schedule();
    return this.#appended;
  }

  /**
   * Resolves when record `ticket` (and every record before it) is durable; `undefined`
   * when it already is, so a caller can skip an `await`.
   */
  whenDurable(ticket: number): Promise<void> | undefined {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (ticket <= this.#durable) return undefined;
    for (const step of this.#queue) {
      if (step instanceof Batch && step.lastTicket >= ticket) return step.done;
    }
    // Appended, written, but not yet marked durable: the batch in flight.
    return this.#inFlight?.done;
  }

  #inFlight: Batch | undefined;

  /**
   * Switches to a new segment after the records appended so far: they go to the current
   * segment (which is then fsync'ed and closed), later ones to the segment `open` makes.
   * Resolves when the switch is done.
   */
  rotate(open: () => Promise<FileHandle>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ open, done: (error) => (error === undefined ? resolve() : reject(error)) });
      this.#current = new Batch();
      this.bytesSinceRotation = 0;
      this.#schedule();
    });
  }

  /** Writes and fsyncs everything appended so far, whatever the mode, then closes the segment. */
  async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    await this.#drained();
    try {
      if (this.#failure === undefined && this.#unsynced) await this.#handle.datasync();
    } finally {
      await this.#handle.close();
    }
    if (this.#failure !== undefined) throw this.#failure;
  }

  /** Resolves when nothing is queued or being written. */
  #drained(): Promise<void> {
    if (!this.#running && this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #schedule(): void {
    if (this.#running || this.#failure !== undefined) return;
    this.#running = true;
    // One turn of the event loop lets every call made in it join the first batch.
    setImmediate(() => void this.#run());
  }

  async #run(): Promise<void> {
    try {
      for (;;) {
        const step = this.#queue.shift();
        if (step === undefined) {
          if (this.#syncRequested && this.#unsynced) {
            this.#syncRequested = false;
            this.#unsynced = false;
            await this.#handle.datasync();
            continue;
          }
          break;
        }
        if (step instanceof Batch) await this.#write(step);
        else await this.#rotate(step);
      }
    } catch (error) {
      this.#fail(error);
    }
    this.#running = false;
    if (this.#queue.length > 0 && this.#failure === undefined) this.#schedule();
    else for (const resolve of this.#idle.splice(0)) resolve();
  }

  async #write(batch: Batch): Promise<void> {
    // A new batch takes the records that arrive while this one is written.
    if (batch === this.#current) this.#current = new Batch();
    this.#inFlight = batch;
    // Not into a directory another writer owns now.
    this.#verify();
    const bytes = batch.frames.length === 1 ? (batch.frames[0] as Buffer) : Buffer.concat(batch.frames, batch.bytes);
    let written = 0;
    while (written < bytes.length) {
      const { bytesWritten } = await this.#handle.write(bytes, written, bytes.length - written, this.#size + written);
      written += bytesWritten;
    }
    this.#size += written;
    if (this.#fsync === 'always') await this.#handle.datasync();
    else this.#unsynced = true;
    // The lock may have been lost while the batch was written: then it is not acknowledged
    // (another writer may have read the log before it, or written over it).
    this.#verify();
    this.#durable = batch.lastTicket;
    this.#inFlight = undefined;
    batch.resolve();
  }

  async #rotate(rotation: Rotation): Promise<void> {
    try {
      this.#verify();
      await this.#handle.datasync();
      await this.#handle.close();
      this.#handle = await rotation.open();
      this.#size = (await this.#handle.stat()).size;
      this.#unsynced = false;
    } catch (error) {
      rotation.done(error);
      throw error;
    }
    rotation.done();
  }

  #fail(error: unknown): void {
    if (this.#failure !== undefined) return;
    this.#failure = error;
    this.#inFlight?.reject(error);
    for (const step of this.#queue.splice(0)) {
      if (step instanceof Batch) step.reject(error);
      else step.done(error);
    }
    this.#current.reject(error);
    this.#onFailure(error);
  }
}
