import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeUriComponent } from '../src/uri-component.js';

describe('encodeUriComponent', () => {
  it('gives what encodeURIComponent gives, for any text that it can encode', () => {
    // Every ASCII character, and the kinds beyond it: 2-, 3- and 4-byte UTF-8.
    const character = fc.oneof(fc.integer({ min: 0, max: 127 }).map((code) => String.fromCharCode(code)), fc.constantFrom('é', '€', '😀', '\u0080', '\uffff'));
    fc.assert(
      fc.property(fc.array(character, { maxLength: 24 }).map((parts) => parts.join('')), (text) => {
        expect(encodeUriComponent(text)).toBe(encodeURIComponent(text));
      }),
      { numRuns: 5000 },
    );
  });

  it('returns an id made of unreserved characters as it is, and throws as the built-in does on a lone surrogate', () => {
    const id = '119081f2-f19d-4fa8-817c-7e01092c0f7d';
    expect(encodeUriComponent(id)).toBe(id);
    expect(encodeUriComponent("a-z_A.Z!~*'()0")).toBe("a-z_A.Z!~*'()0");
    expect(() => encodeUriComponent('x\ud800')).toThrow(URIError);
  });
});
