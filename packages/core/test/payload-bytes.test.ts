import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contractLimits, HeraldError, validateNotification } from '@herald/core';

const now = Date.parse('2026-01-01T00:00:00.000Z');

/** Text of the kinds whose JSON form differs in size: ASCII, escaped controls and quotes, 2-, 3- and 4-byte UTF-8. */
const text = (maxLength: number): fc.Arbitrary<string> =>
  fc
    .array(fc.constantFrom('a', '"', '\\', '\u0001', '\n', 'é', '€', '😀', ' '), { minLength: 1, maxLength })
    .map((parts) => parts.join('').slice(0, maxLength))
    // A cut emoji would be a lone surrogate, refused for another reason.
    .filter((value) => value.length > 0 && value.isWellFormed());

/** Whether the contract refuses `payload` for its size, and the size it reports. */
function sizeRefusal(payload: Record<string, unknown>): string | undefined {
  try {
    validateNotification({ targetHostName: 'app.example', appNotificationId: 'n', payload }, { now });
    return undefined;
  } catch (error) {
    if (!(error instanceof HeraldError)) throw error;
    const issue = error.issues.find((found) => found.rule === 'maxBytes');
    return issue?.message;
  }
}

describe('the payload size limit', () => {
  it('refuses a payload exactly when its JSON form is over the limit in UTF-8, and says its exact size', () => {
    const payloads = fc.record(
      { visualContent: fc.record({ title: text(contractLimits.titleLength), body: text(contractLimits.bodyLength) }, { requiredKeys: [] }), rawContent: text(contractLimits.rawContentLength) },
      { requiredKeys: [] },
    ).filter((payload) => Object.keys(payload).length > 0 && (payload.visualContent === undefined || Object.keys(payload.visualContent).length > 0));
    fc.assert(
      fc.property(payloads, (payload) => {
        const bytes = Buffer.byteLength(JSON.stringify(payload), 'utf8');
        const refusal = sizeRefusal(payload);
        if (bytes > contractLimits.payloadBytes) expect(refusal).toBe(`payload is ${bytes} bytes; at most ${contractLimits.payloadBytes} are allowed`);
        else expect(refusal).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it('accepts a payload at the limit to the byte and refuses one byte more', () => {
    // rawContent alone: the JSON is {"rawContent":"…"}, 17 bytes around the text; '€' is 3 bytes.
    const around = JSON.stringify({ rawContent: '' }).length;
    const atLimit = 'a'.repeat(contractLimits.payloadBytes - around - 3 * 5000) + '€'.repeat(5000);
    expect(atLimit.length).toBeLessThan(contractLimits.rawContentLength);
    expect(Buffer.byteLength(JSON.stringify({ rawContent: atLimit }))).toBe(contractLimits.payloadBytes);
    expect(sizeRefusal({ rawContent: atLimit })).toBeUndefined();
    expect(sizeRefusal({ rawContent: `${atLimit}a` })).toBe(`payload is ${contractLimits.payloadBytes + 1} bytes; at most ${contractLimits.payloadBytes} are allowed`);
  });
});
