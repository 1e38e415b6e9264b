/**
 * Quiet hours: a user's weekly schedule of windows, in the user's IANA time zone, during
 * which deliveries wait. Given an instant, {@link quietHoursEnd} says whether it falls in
 * a window and, if so, the instant the quiet ends — where a deferred delivery is due.
 *
 * A window's occurrence is a stretch of real time: it starts the first time the clock
 * reads its start on one of its days, and ends the first time after that the clock reads
 * its end (the next day's when the end is not after the start, as in 22:00–07:00). When the
 * clock skips a reading (spring forward), the occurrence starts or ends at the instant of
 * the jump; when it repeats readings (fall back), the first pass counts, and a window that
 * is open across the jump stays open through both passes. Windows that overlap or touch
 * chain: the quiet ends when no window is open.
 */
import { HeraldError } from '../errors.js';
import { zoneSpanAround, type ZoneSpan } from './time-zone.js';

/** Days of the week, named as Microsoft Graph's `dayOfWeek` names them, Monday first. */
export const weekdays = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;

/** A day of the week: `monday` … `sunday`. */
export type Weekday = (typeof weekdays)[number];

/** One weekly window of quiet hours, in the schedule's time zone. */
export interface QuietHoursWindow {
  /** The days on which the window starts (a window crossing midnight ends the next day); at least one, no repeats. */
  readonly days: readonly Weekday[];
  /** Wall-clock time the window starts, `HH:MM` on a 24-hour clock, `00:00` to `23:59`. */
  readonly start: string;
  /**
   * Wall-clock time the window ends, `HH:MM`, `00:00` to `24:00`. Not after `start`: the
   * window ends the next day (22:00–07:00); `24:00` (or `00:00`) is the midnight that ends
   * the start day. Never equal to `start`; a whole day is `00:00`–`24:00`.
   */
  readonly end: string;
}

/** A user's quiet hours: a weekly schedule in one time zone. */
export interface QuietHours {
  /**
   * An IANA time zone name (`Europe/Berlin`, `America/New_York`), as the runtime's `Intl`
   * knows it; checked values carry the zone's canonical spelling. Offsets (`+02:00`) are refused.
   */
  readonly timeZone: string;
  /** The windows, at most {@link maxQuietHoursWindows}; none means never quiet. */
  readonly windows: readonly QuietHoursWindow[];
}

/** The most windows a schedule may have. */
export const maxQuietHoursWindows = 28;

const minuteMs = 60_000;
const dayMs = 86_400_000;
/** Days kept clear of a Date's limits: the zone data is read days either side of an instant, and a chain of windows ends days later. */
const edgeDays = 30;
/** The largest instant (epoch ms, either sign) quiet hours answer for: a `Date` holds ±8.64e15, and `Intl` throws beyond. */
const maxInstant = 8.64e15 - edgeDays * dayMs;
const dayMinutes = 1440;

/** A window as numbers: minutes after local midnight, and the start days as indices of {@link weekdays}. */
export interface WindowMinutes {
  readonly days: readonly number[];
  readonly start: number;
  /** 0 to 1440; not after `start` means the next day. */
  readonly end: number;
}

/** Minutes after midnight of `HH:MM` (`24:00` is 1440), or `undefined` when it is not one. */
export function minutesOfTime(time: string): number | undefined {
  const match = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(time);
  if (match === null) return undefined;
  const minutes = Number(match[1]) * 60 + Number(match[2]);
  return minutes > dayMinutes ? undefined : minutes;
}

/** The window as numbers; the caller's schedule was checked, so every part parses. */
export function windowMinutes(window: QuietHoursWindow): WindowMinutes {
  return {
    days: window.days.map((day) => weekdays.indexOf(day)),
    start: minutesOfTime(window.start) as number,
    end: minutesOfTime(window.end) as number,
  };
}

/** Index in {@link weekdays} of an epoch day (1970-01-01, day 0, was a Thursday). */
function weekdayOf(epochDay: number): number {
  return (((epochDay + 3) % 7) + 7) % 7;
}

/** One occurrence of a window: instants (epoch ms), `start` included, `end` not. */
interface Occurrence {
  readonly start: number;
  readonly end: number;
}

/**
 * The latest end among the occurrences open at `instant`, or `undefined` when none is.
 * Occurrences starting the local day before, the day of, and the day after (a clock set
 * back across midnight) are the only ones that can be open: a window lasts at most a day.
 */
function openUntil(span: ZoneSpan, windows: readonly WindowMinutes[], instant: number): number | undefined {
  const today = Math.floor(span.wallTime(instant) / dayMs);
  let until: number | undefined;
  for (let day = today - 1; day <= today + 1; day++) {
    const weekday = weekdayOf(day);
    for (const window of windows) {
      if (!window.days.includes(weekday)) continue;
      const occurrence = occurrenceOf(span, window, day);
      if (occurrence !== undefined && occurrence.start <= instant && instant < occurrence.end && (until === undefined || occurrence.end > until)) {
        until = occurrence.end;
      }
    }
  }
  return until;
}

function occurrenceOf(span: ZoneSpan, window: WindowMinutes, day: number): Occurrence | undefined {
  const start = span.firstReading(day * dayMs + window.start * minuteMs, span.from - 1);
  if (start === undefined) return undefined;
  const endDay = window.end > window.start ? day : day + 1;
  const end = span.firstReading(endDay * dayMs + window.end * minuteMs, start);
  return end === undefined ? undefined : { start, end };
}

/**
 * When the quiet hours in force at `instant` end: the first instant (epoch ms) after it at
 * which no window is open, or `undefined` when no window is open at `instant` (send now).
 * `schedule` must have passed `checkQuietHours`, which also ensures some time of the
 * week is not quiet, so the answer always comes.
 *
 * The wall-clock time at the answer is a window's end, or the first reading after a
 * skipped one (`02:30` in a 02:00→03:00 jump ends at `03:00`). Zone data from `Intl`.
 * @param instant - epoch milliseconds.
 * @throws HeraldError `INVALID_ARGUMENT` when `instant` is not a number within ±(8.64e15 − 30 days),
 *   a `Date`'s range less the days the answer may reach beyond it.
 */
export function quietHoursEnd(schedule: QuietHours, instant: number): number | undefined {
  if (typeof instant !== 'number' || !(Math.abs(instant) <= maxInstant)) {
    throw new HeraldError('INVALID_ARGUMENT', `the instant must be epoch milliseconds within ±${maxInstant} (a Date's range, less ${edgeDays} days), got ${String(instant)}`);
  }
  if (schedule.windows.length === 0) return undefined;
  const windows = schedule.windows.map(windowMinutes);
  // Each step of the chain passes at least one occurrence; a checked schedule leaves a gap
  // every week, which a clock change can hide for one week at most.
  const steps = 2 * windows.reduce((sum, window) => sum + window.days.length, 0) + 2;
  let current = instant;
  for (let step = 0; step <= steps; step++) {
    const until = openUntil(zoneSpanAround(schedule.timeZone, current), windows, current);
    if (until === undefined) return step === 0 ? undefined : current;
    current = until;
  }
  throw new HeraldError('INTERNAL', `quiet hours in ${schedule.timeZone} did not end within ${steps} windows of ${new Date(instant).toISOString()}`);
}
