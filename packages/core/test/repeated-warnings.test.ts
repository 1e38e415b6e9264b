/**
 * The default process-warning logger folds the repeats of one failure: sequences of
 * failures at given times, on a fake clock, against the lines a user reads — a table of
 * named cases with their exact lines, and a property over any sequence.
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HeraldError } from '@herald/core';
import { processWarningLogger, type Logger } from '@herald/core/store';
import { createFakeClock, type FakeClock } from '@herald/testing';

const code = 'HERALD_TEST_REPEATS';
const windowMs = 60_000;
const start = Date.parse('2026-11-30T12:00:00.000Z');
const at = (ms: number): string => new Date(start + ms).toISOString();

/** This file's process warnings, in order, each with the fake clock's time when it was emitted. */
let lines: { text: string; at: number }[] = [];
let clock: FakeClock = createFakeClock({ start });
const listen = (warning: Error & { code?: string }): void => {
  if (warning.code === code) lines.push({ text: warning.message, at: clock.now() - start });
};
beforeEach(() => {
  lines = [];
  clock = createFakeClock({ start, settleTurns: 2 });
  process.on('warning', listen);
});
afterEach(() => {
  process.off('warning', listen);
});

/** Process warnings are emitted on the next tick. */
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The failures a sequence is made of: each differs from the first by one part of what identifies a failure. */
const failures = {
  down: { component: 'service', code: 'STORE_UNAVAILABLE', message: 'dispatcher failed', error: 'the store is down' },
  otherMessage: { component: 'service', code: 'STORE_UNAVAILABLE', message: 'purge failed', error: 'the store is down' },
  otherError: { component: 'service', code: 'STORE_UNAVAILABLE', message: 'dispatcher failed', error: 'the store timed out' },
  otherCode: { component: 'service', code: 'INTERNAL', message: 'dispatcher failed', error: 'the store is down' },
  otherComponent: { component: 'store-postgres', code: 'STORE_UNAVAILABLE', message: 'dispatcher failed', error: 'the store is down' },
} as const;
type FailureName = keyof typeof failures;
const head = (name: FailureName): string => `[test] ${failures[name].message}: HeraldError: ${failures[name].error}`;

/** One occurrence: a failure, `afterMs` after the one before. */
interface Occurrence {
  readonly afterMs: number;
  readonly failure: FailureName;
}

/** Logs `occurrences` through a default logger on a fresh fake clock, then lets `thenMs` pass; returns the lines. */
async function run(occurrences: readonly Occurrence[], thenMs: number, options: { repeatWindowMs?: number } = {}): Promise<string[]> {
  lines = [];
  clock = createFakeClock({ start, settleTurns: 2 });
  const root = processWarningLogger('[test]', code, { clock, repeatWindowMs: windowMs, ...options });
  const loggers = new Map<string, Logger>();
  for (const { afterMs, failure } of occurrences) {
    await clock.advance(afterMs);
    const { component, code: errorCode, message, error } = failures[failure];
    if (!loggers.has(component)) loggers.set(component, root.child({ component }));
    loggers.get(component)?.error({ code: errorCode, err: new HeraldError(errorCode, error) }, message);
  }
  await clock.advance(thenMs);
  await flush();
  return lines.map((line) => line.text);
}

/** Occurrences of `failure` every `everyMs`, `count` times, the first at once. */
const repeated = (failure: FailureName, count: number, everyMs: number): Occurrence[] =>
  Array.from({ length: count }, (_, index) => ({ afterMs: index === 0 ? 0 : everyMs, failure }));

const stack = (name: FailureName): RegExp => new RegExp(`^${head(name).replace(/[[\]]/g, '\\$&')}\\n\\s+at `);

/** A named sequence of failures, and the lines it must give: exact texts, or patterns for lines with a stack. */
interface SequenceCase {
  readonly case: string;
  readonly occurrences: readonly Occurrence[];
  readonly expected: readonly (string | RegExp)[];
}

describe('the default logger folds the repeats of one failure', () => {
  it.each<SequenceCase>([
    { case: 'a failure that occurs once: one line with its stack, and no last line', occurrences: repeated('down', 1, 0), expected: [stack('down')] },
    {
      case: 'every second for 10 s: one line, then the count and the end once it is quiet for twice the window',
      occurrences: repeated('down', 10, 1000),
      expected: [stack('down'), `${head('down')} — over: 9 more times since ${at(0)}, the last at ${at(9000)}, then none for 120 s`],
    },
    {
      case: 'every second for 150 s: a count line each time it recurs after the window, then the end',
      occurrences: repeated('down', 151, 1000),
      expected: [
        stack('down'),
        `${head('down')} — 60 more times since ${at(0)} (a failure that repeats is reported once per 60 s while it lasts)`,
        `${head('down')} — 60 more times since ${at(60_000)} (a failure that repeats is reported once per 60 s while it lasts)`,
        `${head('down')} — over: 30 more times since ${at(120_000)}, the last at ${at(150_000)}, then none for 120 s`,
      ],
    },
    {
      case: 'a repeat after the window but before the quiet time: a count line, then an end with nothing left to count',
      occurrences: [{ afterMs: 0, failure: 'down' }, { afterMs: 100_000, failure: 'down' }],
      expected: [stack('down'), `${head('down')} — once more since ${at(0)} (a failure that repeats is reported once per 60 s while it lasts)`, `${head('down')} — over: the last at ${at(100_000)}, then none for 120 s`],
    },
    {
      case: 'a failure that comes back after it was over: in full again',
      occurrences: [...repeated('down', 2, 1000), { afterMs: 500_000, failure: 'down' }],
      expected: [stack('down'), `${head('down')} — over: once more since ${at(0)}, the last at ${at(1000)}, then none for 120 s`, stack('down')],
    },
    {
      case: 'failures that differ in message, error, code or component: each in full',
      occurrences: (['down', 'otherMessage', 'otherError', 'otherCode', 'otherComponent'] as const).map((failure) => ({ afterMs: 10, failure })),
      expected: [stack('down'), stack('otherMessage'), stack('otherError'), stack('otherCode'), stack('otherComponent')],
    },
  ])('$case', async ({ occurrences, expected }) => {
    const seen = await run(occurrences, 600_000);
    expect(seen).toHaveLength(expected.length);
    expected.forEach((line, index) => (typeof line === 'string' ? expect(seen[index]).toBe(line) : expect(seen[index]).toMatch(line)));
  });

  it('reports every occurrence in full with a window of 0, as before the rule', async () => {
    const seen = await run(repeated('down', 5, 10), 0, { repeatWindowMs: 0 });
    expect(seen).toHaveLength(5);
    for (const line of seen) expect(line).toMatch(stack('down'));
  });

  it('ends a failure whose end timer has not run yet (a busy event loop) when it recurs after the quiet time', async () => {
    let now = start;
    const stalled = { now: () => now, setTimer: () => ({}) as never, clearTimer: () => undefined };
    const logger = processWarningLogger('[test]', code, { clock: stalled });
    for (const time of [0, 1000, 200_000]) {
      now = start + time;
      logger.error({ err: new Error('boom') }, 'failed');
    }
    await flush();
    expect(lines.map((line) => line.text)).toEqual([
      expect.stringMatching(/^\[test\] failed: Error: boom\n\s+at /),
      `[test] failed: Error: boom — over: once more since ${at(0)}, the last at ${at(1000)}, then none for 120 s`,
      expect.stringMatching(/^\[test\] failed: Error: boom\n\s+at /),
    ]);
  });

  it('follows at most 100 failures at once: the one seen least recently is let go with its count', async () => {
    const logger = processWarningLogger('[test]', code, { clock });
    logger.error({ err: new Error('first') }, 'failed');
    logger.error({ err: new Error('first') }, 'failed');
    for (let index = 0; index < 100; index += 1) logger.error({ err: new Error(`other ${index}`) }, 'failed');
    logger.error({ err: new Error('first') }, 'failed');
    await flush();
    expect(lines).toHaveLength(103);
    expect(lines[101]?.text).toBe(`[test] failed: Error: first — once more since ${at(0)}, the last at ${at(0)}; no longer counted: more than 100 different failures at once`);
    expect(lines[102]?.text).toMatch(/^\[test\] failed: Error: first\n\s+at /);
  });

  it('holds for any sequence: nothing is lost, a new failure is in full, lines about one failure are a window apart, and each one ends', async () => {
    // Failures whose lines read differently, so each line is told apart by its text.
    const names: FailureName[] = ['down', 'otherMessage', 'otherError'];
    // Mostly bursts (a poll a second), sometimes pauses longer than the quiet time.
    const afterMs = fc.oneof({ arbitrary: fc.integer({ min: 0, max: 3000 }), weight: 4 }, { arbitrary: fc.integer({ min: 0, max: 250_000 }), weight: 1 });
    const occurrence = fc.record({ afterMs, failure: fc.constantFrom(...names) });
    await fc.assert(
      fc.asyncProperty(fc.array(occurrence, { maxLength: 80, size: 'max' }), async (occurrences) => {
        await run(occurrences, 0);
        // The end of each episode comes at the latest twice the window after its last occurrence.
        await clock.advance(2 * windowMs);
        await flush();
        let time = 0;
        const timed = occurrences.map(({ afterMs, failure }) => ({ at: (time += afterMs), failure }));
        for (const name of names) {
          const times = timed.filter((item) => item.failure === name).map((item) => item.at);
          const mine = lines.filter((line) => line.text.startsWith(`${head(name)}\n`) || line.text.startsWith(`${head(name)} — `));
          // An episode begins at the first occurrence and at each one after a quiet time of twice the window.
          const begins = times.filter((at, index) => index === 0 || at - (times[index - 1] as number) >= 2 * windowMs);
          const full = mine.filter((line) => line.text.startsWith(`${head(name)}\n`));
          expect(full.map((line) => line.at), name).toEqual(begins);
          let counted = 0;
          let previous: { text: string; at: number } | undefined;
          for (const line of mine) {
            const count = /— (?:over: )?(?:(\d+) more times|once more) since/.exec(line.text);
            counted += line.text.startsWith(`${head(name)}\n`) ? 1 : count === null ? 0 : count[1] === undefined ? 1 : Number(count[1]);
            const over = line.text.includes(' — over: ');
            const fresh = line.text.startsWith(`${head(name)}\n`);
            if (previous !== undefined && !over && !fresh) expect(line.at - previous.at, line.text).toBeGreaterThanOrEqual(windowMs);
            // After an end, only a new beginning; before a beginning, only an end or a single occurrence.
            if (previous?.text.includes(' — over: ') === true) expect(fresh, line.text).toBe(true);
            previous = line;
          }
          // A failure that goes on is heard of at least once per window.
          for (const at of times) expect(mine.some((line) => line.at <= at && line.at > at - windowMs), `${name} at ${at}`).toBe(true);
          // Nothing is lost: every occurrence is a line with its stack or counted in a later line.
          expect(counted, name).toBe(times.length);
          // Each episode that repeated has ended with a line saying so.
          const repeatedEpisodes = begins.filter((begin, index) => times.filter((at) => at >= begin && (index + 1 >= begins.length || at < (begins[index + 1] as number))).length > 1).length;
          expect(mine.filter((line) => line.text.includes(' — over: ')).length, name).toBe(repeatedEpisodes);
        }
        expect(clock.pending()).toEqual({ work: 0, housekeeping: 0 });
      }),
      { numRuns: 60 },
    );
  });
});

describe('processWarningLogger\'s options', () => {
  it.each([
    { options: { repeatWindow: 1000 }, says: 'unknown option repeatWindow (did you mean repeatWindowMs?)' },
    { options: { repeatWindowMs: -1 }, says: 'option repeatWindowMs must be a whole number of milliseconds, at least 0, or absent for 60_000 (got -1)' },
    { options: { repeatWindowMs: 1.5 }, says: '(got 1.5)' },
    { options: { repeatWindowMs: '1m' }, says: '(got 1m)' },
    { options: { clock: { now: () => 0 } }, says: 'option clock of processWarningLogger must have now(), setTimer(callback, delayMs, purpose) and clearTimer(timer)' },
    { options: { clock: null }, says: 'option clock of processWarningLogger must have now()' },
    { options: null, says: "processWarningLogger's options must be an object, got null" },
  ])('refuses $says', ({ options, says }) => {
    expect(() => processWarningLogger('[test]', code, options as never)).toThrow(expect.objectContaining({ name: 'TypeError', code: 'INVALID_OPTION', message: expect.stringContaining(says) }));
  });
});
