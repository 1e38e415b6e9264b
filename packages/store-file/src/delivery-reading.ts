/**
 * Reading a snapshot's deliveries (written by `writeDelivery` in snapshot-format.ts), and
 * keeping the finished ones packed: a notification whose deliveries are all finished
 * (delivered, dead, expired, cancelled: history, never due again) has their bytes copied
 * into a {@link DeliveryArena} during the open, checked as they would be for a restore,
 * and made into objects only when the engine first asks for them. Opening a store of a
 * million notifications made three million delivery objects, their ids and their times,
 * most of which no call reads soon, and the collector copied each of them.
 */
import { deliveryStatuses, platformTypes } from '@herald/core/store';
import type { DeliveryError, DeliveryKind, DeliveryLease, DeliveryStatus, PlatformType } from '@herald/core/store';
import { FinishedDelivery } from '@herald/store-memory/engine';
import type { FeedEntry, FinishedStatus, PackedDeliveries, StateRestorer, StoredDelivery } from '@herald/store-memory/engine';
import type { ByteReader } from './binary-buffer.js';
import { hasLastError, hasLease, hasNextAttempt, isFallback, isSync, named } from './snapshot-format.js';

/** A delivery's fields as read; one object, refilled for each delivery. */
interface DeliveryFields {
  id: string;
  subscriptionId: string;
  transport: string;
  platformType: PlatformType;
  status: DeliveryStatus;
  attempts: number;
  createdAt: number;
  updatedAt: number;
  nextAttemptAt: number | null;
  lastError: DeliveryError | undefined;
  lease: DeliveryLease | undefined;
  kind: DeliveryKind;
}

const scratch: DeliveryFields = {
  id: '',
  subscriptionId: '',
  transport: '',
  platformType: 'windows',
  status: 'pending',
  attempts: 0,
  createdAt: 0,
  updatedAt: 0,
  nextAttemptAt: null,
  lastError: undefined,
  lease: undefined,
  kind: 'notification',
};

/**
 * Reads one delivery into the scratch fields, checking it (a `RangeError` for an unknown
 * platform, status or string reference). With `check`, its id and lease token are stepped
 * over and its error and lease not made: only what decides where it goes is kept.
 */
function readDeliveryFields(input: ByteReader, check: boolean): DeliveryFields {
  const fields = scratch;
  if (check) input.skipStr();
  else fields.id = input.str();
  fields.subscriptionId = input.shared();
  fields.transport = input.shared();
  fields.platformType = named(platformTypes, input.u8(), 'platform');
  fields.status = named(deliveryStatuses, input.u8(), 'delivery status');
  fields.attempts = input.varuint();
  const flags = input.u8();
  fields.createdAt = input.f64();
  fields.updatedAt = input.f64();
  fields.nextAttemptAt = (flags & hasNextAttempt) !== 0 ? input.f64() : null;
  fields.lastError = undefined;
  if ((flags & hasLastError) !== 0) {
    const code = input.shared();
    const message = input.shared();
    const at = input.f64();
    if (!check) fields.lastError = Object.freeze({ code, message, at });
  }
  fields.lease = undefined;
  if ((flags & hasLease) !== 0) {
    const owner = input.shared();
    const token = check ? (input.skipStr(), '') : input.str();
    const expiresAt = input.f64();
    if (!check) fields.lease = Object.freeze({ owner, token, expiresAt });
  }
  fields.kind = (flags & isSync) !== 0 ? 'sync' : (flags & isFallback) !== 0 ? 'fallback' : 'notification';
  return fields;
}

/** Reads one delivery into `restorer`. */
export function readDelivery<State>(input: ByteReader, restorer: StateRestorer<State>): void {
  const d = readDeliveryFields(input, false);
  restorer.delivery(d.id, d.subscriptionId, d.transport, d.platformType, d.kind, d.status, d.attempts, d.nextAttemptAt, d.createdAt, d.updatedAt, d.lastError, d.lease);
}

/** True for the statuses a delivery is still attempted in (the restorer queues it). */
function isOpen(status: DeliveryStatus): boolean {
  return status === 'pending' || status === 'failed';
}

/** Bytes per slab of the arena; a list longer than this is not packed. */
const slabBytes = 4 * 1024 * 1024;

/**
 * The packed deliveries of one open: the bytes of each list (a varuint count, then the
 * deliveries as the snapshot wrote them), in slabs, read again with the snapshot reader's
 * tables. A list's offset is its slab's number times {@link slabBytes} plus its place in it.
 */
export class DeliveryArena implements PackedDeliveries {
  readonly #slabs: Buffer[] = [];
  #used = slabBytes;
  /** The snapshot's reader, whose tables the packed bytes refer to. */
  readonly #input: ByteReader;
  /** A reader per slab, made on first use (lists of one user are spread over all of them). */
  readonly #readers: (ByteReader | undefined)[] = [];

  constructor(input: ByteReader) {
    this.#input = input;
  }

  /**
   * Reads the `count` deliveries at `input`'s position and, when all are finished, keeps
   * their bytes and returns where; otherwise returns -1 with `input` and its tables as they
   * were, for the caller to read them one by one. Throws what reading them would throw.
   */
  pack(input: ByteReader, count: number): number {
    const start = input.position;
    const strings = input.stringCount;
    const values = input.valueCount;
    let finished = true;
    for (let i = 0; i < count && finished; i++) finished = !isOpen(readDeliveryFields(input, true).status);
    const length = input.position - start;
    if (!finished || length + 10 > slabBytes) {
      input.rewind(start, strings, values);
      return -1;
    }
    if (this.#used + length + 10 > slabBytes) {
      this.#slabs.push(Buffer.allocUnsafeSlow(slabBytes));
      this.#used = 0;
    }
    const slab = this.#slabs.at(-1) as Buffer;
    const offset = (this.#slabs.length - 1) * slabBytes + this.#used;
    let at = this.#used;
    for (let rest = count; ; rest = Math.floor(rest / 0x80)) {
      if (rest < 0x80) {
        slab[at++] = rest;
        break;
      }
      slab[at++] = (rest % 0x80) | 0x80;
    }
    this.#used = at + input.copySince(start, slab, at);
    return offset;
  }

  /** Gives the last slab back its unused end (call once every list is packed). */
  trim(): void {
    const last = this.#slabs.length - 1;
    if (last >= 0) this.#slabs[last] = Buffer.from((this.#slabs[last] as Buffer).subarray(0, this.#used));
    // A list packed after this starts a slab of its own.
    this.#used = slabBytes;
    this.#readers.length = 0;
  }

  unpack(entry: FeedEntry, offset: number): StoredDelivery[] {
    const number = Math.floor(offset / slabBytes);
    let input = this.#readers[number];
    if (input === undefined) {
      input = this.#input.rereader();
      input.load(this.#slabs[number] as Buffer);
      this.#readers[number] = input;
    }
    input.position = offset - number * slabBytes;
    const count = input.varuint();
    const deliveries = new Array<StoredDelivery>(count);
    for (let i = 0; i < count; i++) {
      const d = readDeliveryFields(input, false);
      deliveries[i] = new FinishedDelivery(d.id, entry, d.subscriptionId, d.transport, d.platformType, d.kind, d.status as FinishedStatus, d.attempts, d.createdAt, d.updatedAt, d.lastError);
    }
    return deliveries;
  }
}
