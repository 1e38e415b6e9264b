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
import type { FsyncMode } from './options.js';
import type { OpenSegment } from './segment-file.js';
import { writeAll } from './write-all.js';

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
  readonly open: (number: number) => Promise<OpenSegment>;
  readonly done: (error: unknown, number?: number) => void;
}

/** Where the writer stands, for the store's decisions. */
export interface LogWriterOptions {
  /** The open segment, positioned for appending at `size`. */
  readonly segment: OpenSegment;
  /** The segment's current length. */
  readonly size: number;
  /** See `FileStoreOptions.fsync`. */
  readonly fsync: FsyncMode;
  /** See `FileStoreOptions.fsyncIntervalMs`. */
  readonly fsyncIntervalMs: number;
  /** Called once, with the error, when a write or fsync fails. */
  readonly onFailure: (error: unknown) => void;
  /**
   * Called with the segment being written before each write and rotation, and again
   * after each write (and its fsync) before the batch is acknowledged; throwing stops the
   * writer (the directory's lock was lost, or the segment is no longer the directory's
   * file). Once per batch: group commit makes the check cheap per record.
   */
  readonly verify?: (segment: OpenSegment) => void;
}

/** The group-committing appender of one store. */
export class LogWriter {
  #segment: OpenSegment;
  #size: number;
  readonly #fsync: FsyncMode;
  readonly #onFailure: (error: unknown) => void;
  readonly #verify: (segment: OpenSegment) => void;
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
    this.#segment = options.segment;
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
   * segment (which is then fsync'ed and closed), later ones to the segment `open` makes,
   * numbered one after the current one. Resolves with that number once the switch is done.
   * If `open` fails (a full disk), nothing switches: the promise rejects, the log goes on
   * in the current segment, and a later rotation asks for the same number again — so the
   * segments stay numbered without a gap.
   */
  rotate(open: (number: number) => Promise<OpenSegment>): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.#queue.push({ open, done: (error, number) => (error === undefined && number !== undefined ? resolve(number) : reject(error)) });
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
      if (this.#failure === undefined && this.#unsynced) await this.#segment.handle.datasync();
    } finally {
      await this.#segment.handle.close();
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
            await this.#segment.handle.datasync();
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
    const segment = this.#segment;
    this.#verify(segment);
    const bytes = batch.frames.length === 1 ? (batch.frames[0] as Buffer) : Buffer.concat(batch.frames, batch.bytes);
    this.#size += await writeAll(segment.handle, [bytes], this.#size, segment.path);
    if (this.#fsync === 'always') await segment.handle.datasync();
    else this.#unsynced = true;
    // The lock, or the file itself, may have been lost while the batch was written: then
    // it is not acknowledged (another writer may have read the log before it, or written
    // over it; a removed or replaced file is read by no one).
    this.#verify(segment);
    this.#durable = batch.lastTicket;
    this.#inFlight = undefined;
    batch.resolve();
  }

  async #rotate(rotation: Rotation): Promise<void> {
    let next: OpenSegment;
    try {
      this.#verify(this.#segment);
    } catch (error) {
      rotation.done(error);
      throw error;
    }
    try {
      next = await rotation.open(this.#segment.number + 1);
    } catch (error) {
      // Nothing switched (createSegment removed what it made): the current segment stays
      // open and takes the next records; only the compaction that asked fails.
      rotation.done(error);
      return;
    }
    try {
      const size = (await next.handle.stat()).size;
      await this.#segment.handle.datasync();
      await this.#segment.handle.close();
      this.#segment = next;
      this.#size = size;
      this.#unsynced = false;
    } catch (error) {
      if (this.#segment !== next) await next.handle.close().catch(() => undefined);
      rotation.done(error);
      throw error;
    }
    rotation.done(undefined, next.number);
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
