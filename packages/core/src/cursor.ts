/**
 * Opaque cursors for feed pages and the change feed. They wrap a store position so a
 * client cannot confuse one kind for the other, and a forged cursor is refused early.
 */
import { HeraldError } from './errors.js';

/** Which list a cursor belongs to. */
export type CursorKind = 'feed' | 'changes';

const prefixes: Record<CursorKind, string> = { feed: 'f1', changes: 'c1' };
const maxCursorLength = 64;

/** Encodes a store position as an opaque cursor string. */
export function encodeCursor(kind: CursorKind, position: number): string {
  return Buffer.from(`${prefixes[kind]}:${position.toString(36)}`, 'utf8').toString('base64url');
}

/**
 * Decodes a cursor issued by {@link encodeCursor}.
 * @throws HeraldError `INVALID_CURSOR` when the text is not a cursor of this kind.
 */
export function decodeCursor(kind: CursorKind, cursor: string): number {
  const invalid = (): never => {
    throw new HeraldError('INVALID_CURSOR', `the ${kind === 'feed' ? 'feed' : 'change'} cursor is not one Herald issued; start again without a cursor`);
  };
  if (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > maxCursorLength || !/^[A-Za-z0-9_-]+$/.test(cursor)) {
    return invalid();
  }
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^([a-z]\d):([0-9a-z]{1,11})$/.exec(text);
  if (match === null || match[1] !== prefixes[kind]) return invalid();
  const position = parseInt(match[2] as string, 36);
  if (!Number.isSafeInteger(position) || position < 0) return invalid();
  return position;
}
