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
/** What ends the first line of a failure, before its stack. */
const notice = '(repeats are counted: a count follows every 60 s while it lasts)';
/** How a failure's first line (with its stack) begins. */
const first = (name: FailureName): string => `${head(name)} ${notice}\n`;

/** A part saying it is back (a store's connection restored): an `info` record with `CONNECTION_RESTORED`. */
const backs = { serviceBack: 'service', postgresBack: 'store-postgres' } as const;
type BackName = keyof typeof backs;
const backLine = '[test] connected again';

/** One occurrence: a failure (or a part back), `afterMs` after the one before. */
interface Occurrence {
  readonly afterMs: number;
  readonly failure: FailureName | BackName;
}

/** Logs `occurrences` through a default logger on a fresh fake clock, then lets `thenMs` pass; returns the lines. */
async function run(occurrences: readonly Occurrence[], thenMs: number, options: { repeatWindowMs?: number } = {}): Promise<string[]> {
  lines = [];
  clock = createFakeClock({ start, settleTurns: 2 });
  const root = processWarningLogger('[test]', code, { clock, repeatWindowMs: windowMs, ...options });
  const loggers = new Map<string, Logger>();
  for (const { afterMs, failure } of occurrences) {
    await clock.advance(afterMs);
    if (failure in backs) {
      const component = backs[failure as BackName];
      if (!loggers.has(component)) loggers.set(component, root.child({ component }));
      loggers.get(component)?.info({ code: 'CONNECTION_RESTORED' }, 'connected again');
      continue;
    }
    const { component, code: errorCode, message, error } = failures[failure as FailureName];
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

const stack = (name: FailureName): RegExp => new RegExp(`^${first(name).replace(/[[\]()]/g, '\\$&')}\\s+at `);

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
    {
      case: 'its part back (CONNECTION_RESTORED) while it repeats: the line saying so, then how long it lasted and how often, at once',
      occurrences: [...repeated('down', 75, 1000), { afterMs: 500, failure: 'serviceBack' }],
      expected: [stack('down'), `${head('down')} — 60 more times since ${at(0)} (a failure that repeats is reported once per 60 s while it lasts)`, backLine, `${head('down')} — back after 75 s, 75 failures in all, the last at ${at(74_000)}`],
    },
    {
      case: 'its part back after a single failure: that one is ended too, and a failure after that is in full again',
      occurrences: [{ afterMs: 0, failure: 'down' }, { afterMs: 3000, failure: 'serviceBack' }, { afterMs: 1000, failure: 'down' }],
      expected: [stack('down'), backLine, `${head('down')} — back after 3 s, 1 failure in all, the last at ${at(0)}`, stack('down')],
    },
    {
      case: 'another part back: the failures of this one go on being counted',
      occurrences: [...repeated('down', 3, 1000), { afterMs: 0, failure: 'otherComponent' }, { afterMs: 0, failure: 'postgresBack' }],
      expected: [stack('down'), stack('otherComponent'), backLine, `${head('otherComponent')} — back after 0 s, 1 failure in all, the last at ${at(2000)}`, `${head('down')} — over: 2 more times since ${at(0)}, the last at ${at(2000)}, then none for 120 s`],
    },
    {
      case: 'a part back with nothing failing: the line saying so, alone',
      occurrences: [{ afterMs: 0, failure: 'serviceBack' }],
      expected: [backLine],
    },
  ])('$case', async ({ occurrences, expected }) => {
    const seen = await run(occurrences, 600_000);
    expect(seen).toHaveLength(expected.length);
    expected.forEach((line, index) => (typeof line === 'string' ? expect(seen[index]).toBe(line) : expect(seen[index]).toMatch(line)));
  });

  it('reports every occurrence in full with a window of 0, as before the rule, without saying repeats are counted', async () => {
    const seen = await run([...repeated('down', 5, 10), { afterMs: 0, failure: 'serviceBack' }], 0, { repeatWindowMs: 0 });
    expect(seen).toHaveLength(6);
    for (const line of seen.slice(0, 5)) expect(line).toMatch(new RegExp(`^${head('down').replace(/[[\]]/g, '\\$&')}\\n\\s+at `));
    expect(seen[5]).toBe(backLine);
  });

  it('drops the other info records and every debug record', async () => {
    const logger = processWarningLogger('[test]', code, { clock }).child({ component: 'service' });
    logger.info({ code: 'SUBSCRIPTION_DEACTIVATED' }, 'deactivated');
    logger.info({}, 'connected again');
    logger.debug({ code: 'CONNECTION_RESTORED' }, 'connected again');
    await flush();
    expect(lines).toEqual([]);
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
      expect.stringMatching(/^\[test\] failed: Error: boom \(repeats are counted: a count follows every 60 s while it lasts\)\n\s+at /),
      `[test] failed: Error: boom — over: once more since ${at(0)}, the last at ${at(1000)}, then none for 120 s`,
      expect.stringMatching(/^\[test\] failed: Error: boom \(repeats are counted/),
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
    expect(lines[102]?.text).toMatch(/^\[test\] failed: Error: first \(repeats are counted: a count follows every 60 s while it lasts\)\n\s+at /);
  });

  it('holds for any sequence: nothing is lost, a new failure is in full, lines about one failure are a window apart, and each one ends', async () => {
    // Failures whose lines read differently, so each line is told apart by its text; all of
    // the part `service`, whose "back" ends them all, while another part's does not.
    const names: FailureName[] = ['down', 'otherMessage', 'otherError'];
    // Mostly bursts (a poll a second), sometimes pauses longer than the quiet time.
    const afterMs = fc.oneof({ arbitrary: fc.integer({ min: 0, max: 3000 }), weight: 4 }, { arbitrary: fc.integer({ min: 0, max: 250_000 }), weight: 1 });
    const kind = fc.oneof({ arbitrary: fc.constantFrom<FailureName | BackName>(...names), weight: 12 }, { arbitrary: fc.constantFrom<FailureName | BackName>('serviceBack', 'postgresBack'), weight: 1 });
    const occurrence = fc.record({ afterMs, failure: kind });
    await fc.assert(
      fc.asyncProperty(fc.array(occurrence, { maxLength: 80, size: 'max' }), async (occurrences) => {
        await run(occurrences, 0);
        // The end of each episode comes at the latest twice the window after its last occurrence.
        await clock.advance(2 * windowMs);
        await flush();
        let time = 0;
        const timed = occurrences.map(({ afterMs, failure }) => ({ at: (time += afterMs), failure }));
        for (const name of names) {
          // The model: an episode begins at an occurrence after a quiet time of twice the window
          // (or none yet) and ends at the quiet time, or at once when its part is back.
          const episodes: { times: number[]; back: boolean }[] = [];
          let open: { times: number[]; back: boolean } | undefined;
          for (const { at, failure } of timed) {
            // Over already when it has been quiet for the quiet time.
            if (open !== undefined && at - (open.times.at(-1) as number) >= 2 * windowMs) open = undefined;
            if (failure === 'serviceBack' && open !== undefined) {
              open.back = true;
              open = undefined;
            } else if (failure === name) {
              if (open === undefined) episodes.push((open = { times: [], back: false }));
              open.times.push(at);
            }
          }
          const mine = lines.filter((line) => line.text.startsWith(first(name)) || line.text.startsWith(`${head(name)} — `));
          const fresh = (line: { text: string }): boolean => line.text.startsWith(first(name));
          expect(mine.filter(fresh).map((line) => line.at), name).toEqual(episodes.map((episode) => episode.times[0]));
          // The lines of each episode: from its full line to the next.
          const groups: { text: string; at: number }[][] = [];
          for (const line of mine) (fresh(line) ? groups.push([line]) : groups.at(-1)?.push(line));
          episodes.forEach((episode, index) => {
            const group = groups[index] ?? [];
            const [opening, ...rest] = group;
            const last = rest.at(-1);
            const counts = rest.filter((line) => !line.text.includes(' — back after ')).map((line) => /— (?:over: )?(?:(\d+) more times|once more) since/.exec(line.text));
            const counted = 1 + counts.reduce((sum, count) => sum + (count === null ? 0 : count[1] === undefined ? 1 : Number(count[1])), 0);
            if (episode.back) {
              // Ended when its part was back, with every occurrence in its count.
              const total = episode.times.length;
              expect(last?.text, name).toMatch(new RegExp(` — back after \\d+ s, ${total === 1 ? '1 failure' : `${total} failures`} in all, the last at ${new Date(start + (episode.times.at(-1) as number)).toISOString()}$`));
              expect(counted, name).toBeLessThanOrEqual(total);
            } else {
              // Nothing is lost: every occurrence is its full line or counted in a later line.
              expect(counted, name).toBe(episode.times.length);
              // Each episode that repeated has ended with a line saying so.
              expect(rest.filter((line) => line.text.includes(' — over: ')).length, name).toBe(episode.times.length > 1 ? 1 : 0);
              if (episode.times.length > 1) expect(last?.text, name).toContain(' — over: ');
            }
            // Count lines are a window apart; a failure that goes on is heard of at least once per window.
            const counting = [opening, ...rest.filter((line) => !/ — (over|back after)/.test(line.text))];
            for (let line = 1; line < counting.length; line += 1) expect((counting[line]?.at as number) - (counting[line - 1]?.at as number), name).toBeGreaterThanOrEqual(windowMs);
            for (const at of episode.times) expect(group.some((line) => line.at <= at && line.at > at - windowMs), `${name} at ${at}`).toBe(true);
          });
          expect(groups.length, name).toBe(episodes.length);
        }
        // Each part back is a line of its own.
        expect(lines.filter((line) => line.text === backLine).length).toBe(timed.filter(({ failure }) => failure in backs).length);
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
