/**
 * Quiet hours, case by case: ordinary nights, windows crossing midnight, several windows,
 * and both clock changes of 2026 in four zones — New York and Berlin (one-hour shifts on
 * different dates), Sydney (southern: the seasons are the other way round) and Lord Howe
 * Island (a 30-minute shift). The zone data is the runtime's (`Intl`); the first case
 * checks the transitions these cases assume are the ones it has.
 */
import { describe, expect, it } from 'vitest';
import { checkQuietHours, HeraldError, quietHoursEnd, type QuietHoursWindow, type Weekday } from '@herald/core';

const at = (iso: string): number => Date.parse(iso);
const window = (days: Weekday[], start: string, end: string): QuietHoursWindow => ({ days, start, end });
const everyDay: Weekday[] = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

/** The clock reading in `timeZone` at `instant`, as `YYYY-MM-DD HH:MM:SS ±HH:MM` from `Intl` directly. */
function reading(timeZone: string, instant: number): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'longOffset' })
      .formatToParts(instant)
      .map((part) => [part.type, part.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second} ${String(parts.timeZoneName).replace('GMT', '') || '+00:00'}`;
}

describe('the zone data these cases assume', () => {
  const transitions: Array<[string, string, string, string]> = [
    ['America/New_York', '2026-03-08T07:00:00Z', '2026-03-08 01:59:59 -05:00', '2026-03-08 03:00:00 -04:00'],
    ['America/New_York', '2026-11-01T06:00:00Z', '2026-11-01 01:59:59 -04:00', '2026-11-01 01:00:00 -05:00'],
    ['Europe/Berlin', '2026-03-29T01:00:00Z', '2026-03-29 01:59:59 +01:00', '2026-03-29 03:00:00 +02:00'],
    ['Europe/Berlin', '2026-10-25T01:00:00Z', '2026-10-25 02:59:59 +02:00', '2026-10-25 02:00:00 +01:00'],
    ['Australia/Sydney', '2026-04-04T16:00:00Z', '2026-04-05 02:59:59 +11:00', '2026-04-05 02:00:00 +10:00'],
    ['Australia/Sydney', '2026-10-03T16:00:00Z', '2026-10-04 01:59:59 +10:00', '2026-10-04 03:00:00 +11:00'],
    ['Australia/Lord_Howe', '2026-04-04T15:00:00Z', '2026-04-05 01:59:59 +11:00', '2026-04-05 01:30:00 +10:30'],
    ['Australia/Lord_Howe', '2026-10-03T15:30:00Z', '2026-10-04 01:59:59 +10:30', '2026-10-04 02:30:00 +11:00'],
  ];
  it.each(transitions)('%s changes its clock at %s', (zone, instant, before, after) => {
    expect(reading(zone, at(instant) - 1000)).toBe(before);
    expect(reading(zone, at(instant))).toBe(after);
  });
});

interface Case {
  readonly name: string;
  readonly timeZone: string;
  readonly windows: QuietHoursWindow[];
  readonly at: string;
  /** The instant the quiet ends, or `null` when `at` is not quiet. */
  readonly end: string | null;
}

const weeknights = window(['sunday', 'monday', 'tuesday', 'wednesday', 'thursday'], '22:00', '07:00');

const cases: Case[] = [
  // Ordinary days.
  { name: 'a weeknight, before midnight', timeZone: 'America/New_York', windows: [weeknights], at: '2026-01-13T04:00:00Z', end: '2026-01-13T12:00:00Z' },
  { name: 'a weeknight, after midnight', timeZone: 'America/New_York', windows: [weeknights], at: '2026-01-13T06:30:00Z', end: '2026-01-13T12:00:00Z' },
  { name: 'the start is inside', timeZone: 'America/New_York', windows: [weeknights], at: '2026-01-13T03:00:00Z', end: '2026-01-13T12:00:00Z' },
  { name: 'the end is outside', timeZone: 'America/New_York', windows: [weeknights], at: '2026-01-13T12:00:00Z', end: null },
  { name: 'a minute before the start', timeZone: 'America/New_York', windows: [weeknights], at: '2026-01-13T02:59:00Z', end: null },
  { name: 'Friday night is not a weeknight', timeZone: 'America/New_York', windows: [weeknights], at: '2026-01-17T04:00:00Z', end: null },
  { name: 'the night that started on Thursday ends on Friday', timeZone: 'America/New_York', windows: [weeknights], at: '2026-01-16T10:00:00Z', end: '2026-01-16T12:00:00Z' },
  { name: 'a 30-minute zone without daylight saving time', timeZone: 'Asia/Kolkata', windows: [weeknights], at: '2026-01-12T20:00:00Z', end: '2026-01-13T01:30:00Z' },
  { name: 'a window to 24:00', timeZone: 'Europe/Berlin', windows: [window(['monday'], '20:00', '24:00')], at: '2026-01-12T20:00:00Z', end: '2026-01-12T23:00:00Z' },
  { name: 'a window ending at 00:00 ends at the same midnight', timeZone: 'Europe/Berlin', windows: [window(['monday'], '20:00', '00:00')], at: '2026-01-12T20:00:00Z', end: '2026-01-12T23:00:00Z' },
  { name: 'a whole day', timeZone: 'Europe/Berlin', windows: [window(['sunday'], '00:00', '24:00')], at: '2026-01-11T12:00:00Z', end: '2026-01-11T23:00:00Z' },
  { name: 'no windows', timeZone: 'Europe/Berlin', windows: [], at: '2026-01-11T12:00:00Z', end: null },
  // Several windows.
  { name: 'windows that touch chain', timeZone: 'Europe/Berlin', windows: [window(['monday'], '22:00', '24:00'), window(['tuesday'], '00:00', '07:00')], at: '2026-01-12T21:30:00Z', end: '2026-01-13T06:00:00Z' },
  { name: 'windows that overlap chain', timeZone: 'Europe/Berlin', windows: [window(everyDay, '21:00', '23:00'), window(everyDay, '22:00', '06:00')], at: '2026-01-12T20:30:00Z', end: '2026-01-13T05:00:00Z' },
  { name: 'a window inside another ends with the outer one', timeZone: 'Europe/Berlin', windows: [window(everyDay, '22:00', '06:00'), window(everyDay, '23:00', '01:00')], at: '2026-01-12T22:30:00Z', end: '2026-01-13T05:00:00Z' },
  { name: 'separate windows: the one in force', timeZone: 'Europe/Berlin', windows: [window(everyDay, '12:00', '13:00'), window(everyDay, '22:00', '07:00')], at: '2026-01-12T11:30:00Z', end: '2026-01-12T12:00:00Z' },
  { name: 'separate windows: between them', timeZone: 'Europe/Berlin', windows: [window(everyDay, '12:00', '13:00'), window(everyDay, '22:00', '07:00')], at: '2026-01-12T15:00:00Z', end: null },

  // New York, spring forward: Sunday 2026-03-08, 02:00 EST → 03:00 EDT (07:00Z).
  { name: 'NY spring: a night across the jump is an hour shorter', timeZone: 'America/New_York', windows: [window(['saturday'], '22:00', '07:00')], at: '2026-03-08T06:30:00Z', end: '2026-03-08T11:00:00Z' },
  { name: 'NY spring: an end the clock skips is the jump', timeZone: 'America/New_York', windows: [window(['sunday'], '00:00', '02:30')], at: '2026-03-08T06:00:00Z', end: '2026-03-08T07:00:00Z' },
  { name: 'NY spring: a start the clock skips is the jump', timeZone: 'America/New_York', windows: [window(['sunday'], '02:30', '04:00')], at: '2026-03-08T07:00:00Z', end: '2026-03-08T08:00:00Z' },
  { name: 'NY spring: …and not before it', timeZone: 'America/New_York', windows: [window(['sunday'], '02:30', '04:00')], at: '2026-03-08T06:59:59Z', end: null },
  { name: 'NY spring: a window the clock skips is not quiet', timeZone: 'America/New_York', windows: [window(['sunday'], '02:10', '02:50')], at: '2026-03-08T07:00:00Z', end: null },
  { name: 'NY spring: a window ending in the gap chains into one starting in it', timeZone: 'America/New_York', windows: [window(['sunday'], '01:00', '02:20'), window(['sunday'], '02:40', '05:00')], at: '2026-03-08T06:30:00Z', end: '2026-03-08T09:00:00Z' },
  // New York, fall back: Sunday 2026-11-01, 02:00 EDT → 01:00 EST (06:00Z).
  { name: 'NY fall: a night across the jump is an hour longer', timeZone: 'America/New_York', windows: [window(['saturday'], '22:00', '07:00')], at: '2026-11-01T06:30:00Z', end: '2026-11-01T12:00:00Z' },
  { name: 'NY fall: an end in the repeated hour is its first pass', timeZone: 'America/New_York', windows: [window(['sunday'], '00:30', '01:30')], at: '2026-11-01T05:00:00Z', end: '2026-11-01T05:30:00Z' },
  { name: 'NY fall: …so the second pass is not quiet', timeZone: 'America/New_York', windows: [window(['sunday'], '00:30', '01:30')], at: '2026-11-01T06:10:00Z', end: null },
  { name: 'NY fall: a window open across the jump stays open through both passes', timeZone: 'America/New_York', windows: [window(['sunday'], '01:30', '03:00')], at: '2026-11-01T06:10:00Z', end: '2026-11-01T08:00:00Z' },
  { name: 'NY fall: a window inside the repeated hour is quiet once', timeZone: 'America/New_York', windows: [window(['sunday'], '01:15', '01:45')], at: '2026-11-01T06:20:00Z', end: null },

  // Berlin, spring forward: Sunday 2026-03-29, 02:00 CET → 03:00 CEST (01:00Z).
  { name: 'Berlin spring: every night, across the jump', timeZone: 'Europe/Berlin', windows: [window(everyDay, '22:00', '07:00')], at: '2026-03-29T00:30:00Z', end: '2026-03-29T05:00:00Z' },
  { name: 'Berlin spring: a window the clock skips is not quiet', timeZone: 'Europe/Berlin', windows: [window(['sunday'], '02:15', '02:45')], at: '2026-03-29T01:00:00Z', end: null },
  { name: 'Berlin spring: the day after is an ordinary day', timeZone: 'Europe/Berlin', windows: [window(everyDay, '22:00', '07:00')], at: '2026-03-29T21:00:00Z', end: '2026-03-30T05:00:00Z' },
  // Berlin, fall back: Sunday 2026-10-25, 03:00 CEST → 02:00 CET (01:00Z).
  { name: 'Berlin fall: an end in the repeated hour, first pass', timeZone: 'Europe/Berlin', windows: [window(['saturday'], '23:00', '02:30')], at: '2026-10-25T00:15:00Z', end: '2026-10-25T00:30:00Z' },
  { name: 'Berlin fall: …not the second', timeZone: 'Europe/Berlin', windows: [window(['saturday'], '23:00', '02:30')], at: '2026-10-25T01:15:00Z', end: null },
  { name: 'Berlin fall: a night across the jump', timeZone: 'Europe/Berlin', windows: [window(['saturday'], '22:00', '07:00')], at: '2026-10-25T01:30:00Z', end: '2026-10-25T06:00:00Z' },

  // Sydney, fall back (southern autumn): Sunday 2026-04-05, 03:00 AEDT → 02:00 AEST (16:00Z on the 4th).
  { name: 'Sydney April: a night across the jump is an hour longer', timeZone: 'Australia/Sydney', windows: [window(['saturday'], '22:00', '07:00')], at: '2026-04-04T17:00:00Z', end: '2026-04-04T21:00:00Z' },
  { name: 'Sydney April: an end in the repeated hour, first pass', timeZone: 'Australia/Sydney', windows: [window(['sunday'], '01:00', '02:30')], at: '2026-04-04T15:00:00Z', end: '2026-04-04T15:30:00Z' },
  // Sydney, spring forward: Sunday 2026-10-04, 02:00 AEST → 03:00 AEDT (16:00Z on the 3rd).
  { name: 'Sydney October: an end the clock skips is the jump', timeZone: 'Australia/Sydney', windows: [window(['sunday'], '01:00', '02:30')], at: '2026-10-03T15:30:00Z', end: '2026-10-03T16:00:00Z' },
  { name: 'Sydney October: a night across the jump is an hour shorter', timeZone: 'Australia/Sydney', windows: [window(['saturday'], '22:00', '07:00')], at: '2026-10-03T12:00:00Z', end: '2026-10-03T20:00:00Z' },

  // Lord Howe Island, 30-minute shifts. April 5: 02:00 (+11) → 01:30 (+10:30) at 15:00Z on the 4th.
  { name: 'Lord Howe April: a window open across the jump covers both passes', timeZone: 'Australia/Lord_Howe', windows: [window(['sunday'], '01:40', '02:30')], at: '2026-04-04T15:10:00Z', end: '2026-04-04T16:00:00Z' },
  { name: 'Lord Howe April: a window in the repeated half hour is quiet once', timeZone: 'Australia/Lord_Howe', windows: [window(['sunday'], '01:35', '01:50')], at: '2026-04-04T15:10:00Z', end: null },
  // October 4: 02:00 (+10:30) → 02:30 (+11) at 15:30Z on the 3rd.
  { name: 'Lord Howe October: an end the clock skips is the jump', timeZone: 'Australia/Lord_Howe', windows: [window(['sunday'], '01:00', '02:15')], at: '2026-10-03T15:00:00Z', end: '2026-10-03T15:30:00Z' },
  { name: 'Lord Howe October: a window the clock skips is not quiet', timeZone: 'Australia/Lord_Howe', windows: [window(['sunday'], '02:00', '02:20')], at: '2026-10-03T15:30:00Z', end: null },
];

describe('quietHoursEnd', () => {
  it.each(cases)('$name', ({ timeZone, windows, at: instant, end }) => {
    const schedule = checkQuietHours({ timeZone, windows });
    const result = quietHoursEnd(schedule, at(instant));
    expect(result === undefined ? null : new Date(result).toISOString()).toBe(end === null ? null : new Date(at(end)).toISOString());
  });

  it('refuses an instant that is not epoch milliseconds', () => {
    const schedule = checkQuietHours({ timeZone: 'UTC', windows: [weeknights] });
    for (const instant of [Number.NaN, Number.POSITIVE_INFINITY, '2026-01-01' as unknown as number]) {
      expect(() => quietHoursEnd(schedule, instant)).toThrow(HeraldError);
    }
  });
});
