/**
 * A fake clock for tests: time stands still until the test moves it, and moving it runs
 * every timer that falls due, in order, letting the work each one starts settle before
 * the next. No real timer is ever set, so nothing leaks out of a test.
 */
import { type Clock, type ClockTimer, type TimerPurpose } from '@herald/core';
import { rejectUnknownOptions } from '@herald/core/store';
import { parseDuration } from './duration.js';
import { checkWholeNumber, describe, kitError } from './kit-checks.js';

/** Options of {@link createFakeClock}. */
export interface FakeClockOptions {
  /**
   * The time the clock starts at.
   * @default 2026-01-01T00:00:00.000Z
   */
  readonly start?: Date | number | string;
  /**
   * Event-loop turns allowed, after each timer, for the work it started to settle.
   * @default 20
   */
  readonly settleTurns?: number;
  /**
   * Most timers `runAll` runs before it decides the work never ends and throws.
   * @default 100_000
   */
  readonly maxTimers?: number;
  /**
   * For stores that do real I/O (files, Redis): after the event-loop turns, also wait
   * this many real milliseconds, again and again, until no timer was set or cleared
   * during a wait, so work waiting on a socket or a disk settles too.
   * @default 0 (in-memory work settles within the turns)
   */
  readonly quietMs?: number;
  /**
   * Work under way that a step must wait for, such as store calls in flight: after the
   * event-loop turns, the clock waits (in real time) while this answers true, so a step
   * ends only when the work it started is done, however slow the machine. The test kit
   * counts a store's calls in flight for it.
   * @default nothing to wait for
   */
  readonly busy?: () => boolean;
}

/** A {@link Clock} that only moves when told to. */
export interface FakeClock extends Clock {
  /** Moves time forward by `duration` (`15m`, `2h`, or ms), running every timer due on the way, in order. */
  advance(duration: number | string): Promise<void>;
  /** Moves time forward to `time`, running every timer due on the way. */
  advanceTo(time: Date | number | string): Promise<void>;
  /**
   * Runs timers in order, moving time to each, until no work timer is left (scheduled
   * sends, retries, timeouts); periodic housekeeping runs only while work remains.
   */
  runAll(): Promise<void>;
  /** Lets the work started so far settle without moving time. */
  settle(): Promise<void>;
  /** How many timers are waiting, by purpose. */
  pending(): { readonly work: number; readonly housekeeping: number };
  /** When the next timer falls due, or `undefined` when none waits. */
  nextTimerAt(): number | undefined;
}

interface Timer {
  readonly at: number;
  readonly order: number;
  readonly purpose: TimerPurpose;
  readonly callback: () => void;
}

const fakeClockOptionNames = ['start', 'settleTurns', 'maxTimers', 'quietMs', 'busy'] as const satisfies readonly (keyof FakeClockOptions)[];

const defaultStart = Date.parse('2026-01-01T00:00:00.000Z');

const timerPurposes: readonly TimerPurpose[] = ['work', 'housekeeping'];

/** Epoch milliseconds of a `Date`, a number of them, or a date string `Date.parse` reads. */
function toTime(where: string, name: string, value: unknown): number {
  const time = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : value;
  if (typeof time !== 'number' || !Number.isFinite(time)) {
    throw kitError(where, `${name} must be a Date, epoch milliseconds or an ISO 8601 date, got ${value instanceof Date ? 'an invalid Date' : describe(value)}`);
  }
  return time;
}

const nextTurn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

/** Creates a fake clock. */
export function createFakeClock(options: FakeClockOptions = {}): FakeClock {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw kitError('createFakeClock', `takes an options object, got ${describe(options)}`);
  rejectUnknownOptions('testing', options, fakeClockOptionNames);
  checkWholeNumber('createFakeClock', 'settleTurns', options.settleTurns, 0);
  checkWholeNumber('createFakeClock', 'maxTimers', options.maxTimers, 1);
  checkWholeNumber('createFakeClock', 'quietMs', options.quietMs, 0);
  if (options.busy !== undefined && typeof options.busy !== 'function') throw kitError('createFakeClock', `busy must be a function answering true while work is under way, got ${describe(options.busy)}`);
  const busy = options.busy;
  let now = options.start === undefined ? defaultStart : toTime('createFakeClock', 'start', options.start);
  const settleTurns = options.settleTurns ?? 20;
  const maxTimers = options.maxTimers ?? 100_000;
  const quietMs = options.quietMs ?? 0;
  const timers = new Set<Timer>();
  let order = 0;
  /** Counts every timer set or cleared, so a quiet wait can tell whether anything happened. */
  let changes = 0;

  const earliest = (purpose?: TimerPurpose): Timer | undefined => {
    let first: Timer | undefined;
    for (const timer of timers) {
      if (purpose !== undefined && timer.purpose !== purpose) continue;
      if (first === undefined || timer.at < first.at || (timer.at === first.at && timer.order < first.order)) first = timer;
    }
    return first;
  };

  const turns = async (): Promise<void> => {
    for (let turn = 0; turn < settleTurns; turn += 1) await nextTurn();
  };

  const pause = (ms: number): Promise<void> => new Promise<void>((resolve) => setTimeout(resolve, ms));

  const settle = async (): Promise<void> => {
    for (let seen = -1; ; ) {
      await turns();
      // Exact where the clock was told what is under way: wait for it, not for a time.
      while (busy?.() === true) {
        await pause(1);
        await turns();
      }
      if (quietMs <= 0 || seen === changes) return;
      seen = changes;
      await pause(quietMs);
    }
  };

  const runUntil = async (target: number): Promise<number> => {
    let ran = 0;
    await settle();
    for (let timer = earliest(); timer !== undefined && timer.at <= target; timer = earliest()) {
      timers.delete(timer);
      now = Math.max(now, timer.at);
      timer.callback();
      ran += 1;
      await settle();
    }
    now = Math.max(now, target);
    return ran;
  };

  return {
    now: () => now,
    setTimer(callback, delayMs, purpose = 'work') {
      // Core calls this; a wrong argument from elsewhere would otherwise make a timer that never runs.
      if (typeof callback !== 'function') throw kitError('setTimer', `callback must be a function, got ${describe(callback)}`);
      if (typeof delayMs !== 'number' || Number.isNaN(delayMs)) throw kitError('setTimer', `delayMs must be a number of milliseconds, got ${describe(delayMs)}`);
      if (!timerPurposes.includes(purpose)) throw kitError('setTimer', `purpose must be ${timerPurposes.join(' or ')}, got ${describe(purpose)}`);
      const timer: Timer = { at: now + Math.max(0, delayMs), order: order++, purpose, callback };
      timers.add(timer);
      changes += 1;
      return timer as unknown as ClockTimer;
    },
    clearTimer(timer) {
      if (timers.delete(timer as unknown as Timer)) changes += 1;
    },
    async advance(duration) {
      await runUntil(now + parseDuration(duration));
    },
    async advanceTo(time) {
      await runUntil(toTime('advanceTo', 'time', time));
    },
    async runAll() {
      let ran = 0;
      await settle();
      for (let work = earliest('work'); work !== undefined; work = earliest('work')) {
        ran += await runUntil(work.at);
        if (ran > maxTimers) {
          throw new Error(`[herald] [testing] runAll ran ${maxTimers} timers and work is still due: something reschedules itself forever`);
        }
      }
    },
    settle,
    pending() {
      let work = 0;
      for (const timer of timers) if (timer.purpose === 'work') work += 1;
      return { work, housekeeping: timers.size - work };
    },
    nextTimerAt: () => earliest()?.at,
  };
}
