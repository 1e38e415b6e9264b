/**
 * How one record sits in a log segment: a marker, the payload's length, a CRC-32 of
 * both, then the payload (the operation as UTF-8 JSON).
 *
 * ```
 * 0xFF 0x48 | length: u32 LE | crc32(marker, length, payload): u32 LE | payload
 * ```
 *
 * The checksum tells a record cut short by a crash (or damaged on disk) from a whole
 * one. The marker lets a reader look for whole records after a damaged one, to tell a
 * torn tail (nothing whole follows) from damage in the middle (something does): JSON in
 * UTF-8 never holds the byte 0xFF, so the marker only shows up at record starts, in
 * binary length and checksum fields, and in damage.
 */
import { crc32 } from 'node:zlib';

/** The two bytes every record starts with. */
const marker0 = 0xff;
const marker1 = 0x48;

/** Bytes before the payload. */
const recordHeaderBytes = 10;

/** The largest payload a reader accepts: a longer length field is damage, not a record. */
const maxRecordPayloadBytes = 256 * 1024 * 1024;

/** The checksum of a record: over its marker and length, then its payload. */
function checksum(buffer: Uint8Array, start: number, payloadLength: number): number {
  const head = crc32(buffer.subarray(start, start + 6));
  return crc32(buffer.subarray(start + recordHeaderBytes, start + recordHeaderBytes + payloadLength), head);
}

/** A record of `payload` (JSON text), framed and checksummed, ready to append. */
export function frameRecord(payload: string): Buffer {
  const length = Buffer.byteLength(payload);
  const frame = Buffer.allocUnsafe(recordHeaderBytes + length);
  frame[0] = marker0;
  frame[1] = marker1;
  frame.writeUInt32LE(length, 2);
  frame.write(payload, recordHeaderBytes, 'utf8');
  frame.writeUInt32LE(checksum(frame, 0, length), 6);
  return frame;
}

/** What {@link readRecord} found at an offset. */
export type RecordRead =
  | { readonly kind: 'record'; readonly payload: Buffer; readonly next: number }
  | { readonly kind: 'end' }
  | { readonly kind: 'damaged'; readonly reason: string };

/** Reads the record at `offset` of `buffer`, checking its frame and checksum. */
export function readRecord(buffer: Buffer, offset: number): RecordRead {
  if (offset === buffer.length) return { kind: 'end' };
  if (buffer.length - offset < recordHeaderBytes) return { kind: 'damaged', reason: `${buffer.length - offset} bytes, too few for a record header` };
  if (buffer[offset] !== marker0 || buffer[offset + 1] !== marker1) return { kind: 'damaged', reason: 'no record marker' };
  const length = buffer.readUInt32LE(offset + 2);
  if (length > maxRecordPayloadBytes) return { kind: 'damaged', reason: `a record length of ${length} bytes` };
  const end = offset + recordHeaderBytes + length;
  if (end > buffer.length) return { kind: 'damaged', reason: `a record of ${length} bytes that runs past the end of the file` };
  if (buffer.readUInt32LE(offset + 6) !== checksum(buffer, offset, length)) return { kind: 'damaged', reason: 'a checksum mismatch' };
  return { kind: 'record', payload: buffer.subarray(offset + recordHeaderBytes, end), next: end };
}

/** The offset of the first whole, valid record after `from`, or -1 when none follows. */
export function findNextRecord(buffer: Buffer, from: number): number {
  const marker = Buffer.from([marker0, marker1]);
  for (let at = buffer.indexOf(marker, from + 1); at !== -1; at = buffer.indexOf(marker, at + 1)) {
    if (readRecord(buffer, at).kind === 'record') return at;
  }
  return -1;
}
