/**
 * A body's bytes become text exactly as a fatal WHATWG `TextDecoder` makes them: the same
 * text for UTF-8 (a leading BOM dropped, a BOM elsewhere kept), a refusal for anything
 * else — encoded surrogates, overlong forms, code points past U+10FFFF, cut sequences,
 * stray continuation bytes — whatever bytes come.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isHeraldError } from '@herald/core';
import { decodeUtf8 } from '../src/request-body.js';

const reference = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

function decoded(decode: (bytes: Buffer) => string, bytes: Buffer): string | 'refused' {
  try {
    return decode(bytes);
  } catch (error) {
    if (decode === decodeUtf8) expect(isHeraldError(error) && error.code === 'MALFORMED_JSON').toBe(true);
    return 'refused';
  }
}

// Pieces that matter to a UTF-8 validator, and text of every length of sequence.
const pieces = [
  [0xef, 0xbb, 0xbf], // BOM
  [0xed, 0xa0, 0x80], // an encoded lone surrogate (U+D800)
  [0xed, 0x9f, 0xbf], // U+D7FF, the last before the surrogates
  [0xc0, 0xaf], // an overlong '/'
  [0xe0, 0x80, 0xaf], // another overlong
  [0xf4, 0x90, 0x80, 0x80], // past U+10FFFF
  [0xf4, 0x8f, 0xbf, 0xbf], // U+10FFFF
  [0x80], // a stray continuation byte
  [0xe2, 0x82], // a cut sequence
  [0xff],
  [0x7b, 0x22, 0x61, 0x22, 0x7d], // {"a"}
];
const bytes = fc.oneof(
  fc.uint8Array({ maxLength: 24 }).map((array) => Buffer.from(array)),
  fc.array(fc.oneof(fc.constantFrom(...pieces), fc.string({ unit: 'grapheme', maxLength: 4 }).map((text) => [...Buffer.from(text)])), { maxLength: 8 }).map((parts) => Buffer.from(parts.flat())),
);

describe('decodeUtf8', () => {
  it('agrees with a fatal TextDecoder on any bytes', () => {
    fc.assert(
      fc.property(bytes, (value) => {
        expect(decoded(decodeUtf8, value)).toEqual(decoded((input) => reference.decode(input), value));
      }),
      { numRuns: 20_000 },
    );
  });
});
