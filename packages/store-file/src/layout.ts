/**
 * What a store directory holds and what each file starts with.
 *
 * ```
 * <directory>/
 *   lock/                           the writer's lock (see lock.ts)
 *   writer.json                     the writer's second record of itself (see lock.ts)
 *   snapshot-0000000007.herald      the state as of the start of log segment 7
 *   log-0000000007.herald           log segments, replayed in order over the snapshot
 *   log-0000000008.herald
 *   snapshot-0000000009.herald.tmp  a compaction in progress (or interrupted: removed on open)
 * ```
 *
 * Snapshot N holds everything in the segments before N. Every file starts with a
 * 16-byte header: an 8-byte magic that says what it is, the format version (u32 LE) and
 * its number (u32 LE), so a file that is not ours, or is from a newer Herald, is refused
 * before anything is overwritten.
 */
import { join } from 'node:path';
import { storeError } from './errors.js';

/** The version of the on-disk format this code writes and reads. */
const formatVersion = 1;

/** Bytes of every file's header. */
export const fileHeaderBytes = 16;

/** The kinds of file a store keeps. */
export type StoreFileKind = 'log' | 'snapshot';

const magics: Record<StoreFileKind, Buffer> = {
  log: Buffer.from('HRLDLOG\n', 'latin1'),
  snapshot: Buffer.from('HRLDSNP\n', 'latin1'),
};

/** The name of the lock directory. */
export const lockName = 'lock';

/** The name of the writer's record beside the data (see lock.ts). */
export const writerName = 'writer.json';

const namePattern = /^(log|snapshot)-(\d{10})\.herald(\.tmp)?$/;

/** The file name of segment or snapshot `number`. */
export function fileName(kind: StoreFileKind, number: number): string {
  return `${kind}-${String(number).padStart(10, '0')}.herald`;
}

/** The temp file a snapshot is written to before it is renamed into place. */
export function tempName(number: number): string {
  return `${fileName('snapshot', number)}.tmp`;
}

/** What a directory entry is to the store, or `undefined` for a name that is not the store's. */
export function parseName(name: string): { readonly kind: StoreFileKind; readonly number: number; readonly temp: boolean } | undefined {
  const match = namePattern.exec(name);
  if (match === null) return undefined;
  return { kind: match[1] as StoreFileKind, number: Number(match[2]), temp: match[3] !== undefined };
}

/** The header of a file of `kind` number `number`. */
export function fileHeader(kind: StoreFileKind, number: number): Buffer {
  const header = Buffer.alloc(fileHeaderBytes);
  magics[kind].copy(header, 0);
  header.writeUInt32LE(formatVersion, 8);
  header.writeUInt32LE(number, 12);
  return header;
}

/**
 * Checks that `bytes` start with the header of a file of `kind` number `number`;
 * throws STORE_CORRUPT for a file that is not ours, STORE_VERSION_MISMATCH for a newer format.
 */
export function checkFileHeader(bytes: Buffer, kind: StoreFileKind, number: number, directory: string, name: string): void {
  const path = join(directory, name);
  if (bytes.length < fileHeaderBytes || !bytes.subarray(0, 8).equals(magics[kind])) {
    throw storeError('STORE_CORRUPT', `${path} is not a Herald ${kind} file (its first bytes are not the ${kind} header); nothing was changed. Move it out of the store directory, or point the store at another directory`);
  }
  const version = bytes.readUInt32LE(8);
  if (version > formatVersion) {
    throw storeError('STORE_VERSION_MISMATCH', `${path} was written in store format ${version}, newer than this version of @herald/store-file reads (${formatVersion}); upgrade @herald/store-file. Nothing was changed`);
  }
  if (version < 1 || bytes.readUInt32LE(12) !== number) {
    throw storeError('STORE_CORRUPT', `${path} has a damaged header (version ${version}, number ${bytes.readUInt32LE(12)}, expected number ${number}); nothing was changed`);
  }
}

/** True when `bytes` are a (possibly empty) beginning of the header of a file of `kind` number `number`: a file created but cut short by a crash. */
export function isTornHeader(bytes: Buffer, kind: StoreFileKind, number: number): boolean {
  return bytes.length < fileHeaderBytes && fileHeader(kind, number).subarray(0, bytes.length).equals(bytes);
}
