/**
 * The byte-level reading and writing of snapshots: unsigned varints, little-endian
 * doubles, UTF-8 strings, and tables that let a repeated string or value be written once
 * and referred to after (an app's name, a group, a date, a payload shared by many
 * notifications). Reading back a shared string or value gives one object for all its
 * uses, so a restored store holds them once.
 */

/** Grows a buffer as bytes are written to it. */
export class ByteWriter {
  #buffer: Buffer;
  /** Bytes written. */
  length = 0;
  readonly #strings = new Map<string, number>();
  readonly #values = new Map<string, number>();
  readonly #tableLimit: number;

  constructor(initialBytes = 1 << 20, tableLimit = 1 << 20) {
    this.#buffer = Buffer.allocUnsafe(initialBytes);
    this.#tableLimit = tableLimit;
  }

  /** The bytes written so far (a view, valid until the next write). */
  bytes(): Buffer {
    return this.#buffer.subarray(0, this.length);
  }

  /** Forgets the bytes written (the tables stay: later chunks refer to earlier ones). */
  reset(): void {
    this.length = 0;
  }

  #ensure(extra: number): void {
    if (this.length + extra <= this.#buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.#buffer.length * 2, this.length + extra));
    this.#buffer.copy(grown, 0, 0, this.length);
    this.#buffer = grown;
  }

  /** One byte. */
  u8(value: number): void {
    this.#ensure(1);
    this.#buffer[this.length++] = value;
  }

  /** A whole number from 0 to 2^53, in 1 to 8 bytes. */
  varuint(value: number): void {
    this.#ensure(10);
    const buffer = this.#buffer;
    while (value >= 0x80) {
      buffer[this.length++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    buffer[this.length++] = value;
  }

  /** A double, 8 bytes. */
  f64(value: number): void {
    this.#ensure(8);
    this.#buffer.writeDoubleLE(value, this.length);
    this.length += 8;
  }

  /** A string written out in full. */
  str(value: string): void {
    if (value.length * 3 < 0x80) {
      // The byte length fits one varint byte: write the text after it and fill it in.
      this.#ensure(1 + value.length * 3);
      const written = this.#buffer.write(value, this.length + 1, 'utf8');
      this.#buffer[this.length] = written;
      this.length += 1 + written;
      return;
    }
    const bytes = Buffer.byteLength(value, 'utf8');
    this.varuint(bytes);
    this.#ensure(bytes);
    this.length += this.#buffer.write(value, this.length, 'utf8');
  }

  /** A string likely to repeat: the first time in full (and remembered), then by reference. */
  shared(value: string): void {
    const index = this.#strings.get(value);
    if (index !== undefined) {
      this.varuint(index + 2);
      return;
    }
    const remember = this.#strings.size < this.#tableLimit;
    if (remember) this.#strings.set(value, this.#strings.size);
    this.varuint(remember ? 1 : 0);
    this.str(value);
  }

  /** A JSON value (null, boolean, number, string, array, object). */
  value(value: unknown): void {
    if (value === null || value === undefined) this.u8(0);
    else if (value === false) this.u8(1);
    else if (value === true) this.u8(2);
    else if (typeof value === 'number') {
      this.u8(3);
      this.f64(value);
    } else if (typeof value === 'string') {
      this.u8(4);
      this.shared(value);
    } else if (Array.isArray(value)) {
      this.u8(5);
      this.varuint(value.length);
      for (const item of value) this.value(item);
    } else if (typeof value === 'object') {
      const entries = Object.entries(value).filter(([, item]) => item !== undefined);
      this.u8(6);
      this.varuint(entries.length);
      for (const [key, item] of entries) {
        this.shared(key);
        this.value(item);
      }
    } else {
      throw new TypeError(`cannot write a ${typeof value} to a snapshot`);
    }
  }

  /** A JSON value likely to repeat (a payload many notifications share): written once, then by reference. */
  sharedValue(value: unknown): void {
    const key = JSON.stringify(value);
    const index = this.#values.get(key);
    if (index !== undefined) {
      this.varuint(index + 2);
      return;
    }
    const remember = this.#values.size < this.#tableLimit;
    if (remember) this.#values.set(key, this.#values.size);
    this.varuint(remember ? 1 : 0);
    this.value(value);
  }
}

/** `buffer.utf8Slice`, where Node has it: `toString('utf8', …)` without its argument checks. */
type SliceableBuffer = Buffer & { utf8Slice?: (start: number, end: number) => string };
const hasUtf8Slice = typeof (Buffer.prototype as SliceableBuffer).utf8Slice === 'function';

/** Freezes an object or array read back (its items are frozen as they are read). */
function frozen<T extends object>(value: T): T {
  return Object.freeze(value);
}

/** Reads what a {@link ByteWriter} wrote; throws a `RangeError` on reading past the end. */
export class ByteReader {
  #buffer: SliceableBuffer = Buffer.alloc(0);
  #view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
  #end = 0;
  /** The read position. */
  position = 0;
  readonly #strings: string[];
  readonly #values: unknown[];
  /** False for a reader of bytes read before, whose shared strings and values are in the tables already. */
  readonly #remembers: boolean;

  constructor(tables?: ByteReader) {
    this.#strings = tables === undefined ? [] : tables.#strings;
    this.#values = tables === undefined ? [] : tables.#values;
    this.#remembers = tables === undefined;
  }

  /**
   * A reader of bytes this one read before (kept aside, read again later): it refers to
   * this one's tables and adds nothing to them, since its shared strings and values are
   * in them already.
   */
  rereader(): ByteReader {
    return new ByteReader(this);
  }

  /** Strings in the table: {@link rewind} goes back to such a count. */
  get stringCount(): number {
    return this.#strings.length;
  }

  /** Values in the table: {@link rewind} goes back to such a count. */
  get valueCount(): number {
    return this.#values.length;
  }

  /** Reads again from `position`, with the tables as they stood when they held `strings` and `values`. */
  rewind(position: number, strings: number, values: number): void {
    this.position = position;
    this.#strings.length = strings;
    this.#values.length = values;
  }

  /**
   * Copies the bytes of the current buffer from `start` to the read position into
   * `target` at `at`; returns how many. No view of them is made: the runs copied are
   * short (a notification's deliveries) and a million views were a tenth of an open.
   */
  copySince(start: number, target: Uint8Array, at: number): number {
    return this.#buffer.copy(target, at, start, this.position);
  }

  /** Reads from `buffer` next (the tables stay: it may refer to earlier chunks). */
  load(buffer: Buffer): void {
    this.#buffer = buffer;
    this.#view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    this.#end = buffer.length;
    this.position = 0;
  }

  /** True when every byte of the current buffer was read. */
  get done(): boolean {
    return this.position >= this.#end;
  }

  #check(bytes: number): void {
    if (this.position + bytes > this.#end) throw new RangeError(`a snapshot item runs past the end of its chunk (at byte ${this.position} of ${this.#end})`);
  }

  /** One byte. */
  u8(): number {
    this.#check(1);
    return this.#buffer[this.position++] as number;
  }

  /** A whole number written by `varuint`. */
  varuint(): number {
    const buffer = this.#buffer;
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      if (this.position >= this.#end) this.#check(1);
      const byte = buffer[this.position++] as number;
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) return result;
      scale *= 0x80;
    }
    throw new RangeError(`a number longer than 8 bytes at byte ${this.position}`);
  }

  /** A double. */
  f64(): number {
    this.#check(8);
    const value = this.#view.getFloat64(this.position, true);
    this.position += 8;
    return value;
  }

  /** A string written out in full. */
  str(): string {
    const bytes = this.varuint();
    this.#check(bytes);
    const start = this.position;
    this.position += bytes;
    return hasUtf8Slice ? (this.#buffer.utf8Slice as (start: number, end: number) => string).call(this.#buffer, start, this.position) : this.#buffer.toString('utf8', start, this.position);
  }

  /** Steps over a string written out in full. */
  skipStr(): void {
    const bytes = this.varuint();
    this.#check(bytes);
    this.position += bytes;
  }

  /** A string written by `shared`. */
  shared(): string {
    const tag = this.varuint();
    if (tag >= 2) {
      const value = this.#strings[tag - 2];
      if (value === undefined) throw new RangeError(`a reference to string ${tag - 2}, which was never written`);
      return value;
    }
    const value = this.str();
    if (tag === 1 && this.#remembers) this.#strings.push(value);
    return value;
  }

  /** A JSON value, deeply frozen. */
  value(): unknown {
    const tag = this.u8();
    switch (tag) {
      case 0:
        return null;
      case 1:
        return false;
      case 2:
        return true;
      case 3:
        return this.f64();
      case 4:
        return this.shared();
      case 5: {
        const length = this.varuint();
        const array: unknown[] = [];
        for (let i = 0; i < length; i++) array.push(this.value());
        return frozen(array);
      }
      case 6: {
        const length = this.varuint();
        const object: Record<string, unknown> = {};
        for (let i = 0; i < length; i++) {
          const key = this.shared();
          // JSON may have an own "__proto__" key: define it, as JSON.parse does, rather than set the prototype.
          if (key === '__proto__') Object.defineProperty(object, key, { value: this.value(), enumerable: true, writable: true, configurable: true });
          else object[key] = this.value();
        }
        return frozen(object);
      }
      default:
        throw new RangeError(`an unknown value tag ${tag} at byte ${this.position - 1}`);
    }
  }

  /** A value written by `sharedValue`: one frozen object for all its uses. */
  sharedValue(): unknown {
    const tag = this.varuint();
    if (tag >= 2) {
      if (tag - 2 >= this.#values.length) throw new RangeError(`a reference to value ${tag - 2}, which was never written`);
      return this.#values[tag - 2];
    }
    const value = this.value();
    if (tag === 1 && this.#remembers) this.#values.push(value);
    return value;
  }
}
