/**
 * Properties of quiet hours over random schedules and instants, half of them within a day
 * and a half of a clock change, in zones with one-hour, half-hour and 45-minute offsets,
 * shifts of an hour and of half an hour, northern and southern, and one (Santiago) whose
 * clock goes back across midnight. Readings come from `Intl` here, not from the module.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkQuietHours, isHeraldError, quietHoursEnd, weekdays, type QuietHours, type QuietHoursWindow } from '@herald/core';

const minuteMs = 60_000;
const hourMs = 3_600_000;
const dayMs = 86_400_000;
const zones = ['America/New_York', 'Europe/Berlin', 'Australia/Sydney', 'Australia/Lord_Howe', 'America/Santiago', 'Pacific/Chatham', 'America/St_Johns', 'Asia/Kolkata', 'UTC'];

const formatters = new Map(zones.map((zone) => [zone, new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' })]));

/** The clock reading in `zone` at `instant`, as epoch ms of the same reading in UTC. */
function wall(zone: string, instant: number): number {
  const second = Math.floor(instant / 1000) * 1000;
  const p = Object.fromEntries((formatters.get(zone) as Intl.DateTimeFormat).formatToParts(second).map((part) => [part.type, Number(part.value)]));
  return Date.UTC(p.year as number, (p.month as number) - 1, p.day, p.hour, p.minute, p.second) + (instant - second);
}
const offset = (zone: string, instant: number): number => wall(zone, instant) - instant;

/** Each zone's clock changes from 2025 to 2027, found hour by hour and narrowed to the second. */
const transitions = new Map(
  zones.map((zone) => {
    const found: number[] = [];
    for (let t = Date.UTC(2025, 0, 1); t < Date.UTC(2028, 0, 1); t += hourMs) {
      if (offset(zone, t) === offset(zone, t + hourMs)) continue;
      let [low, high] = [t, t + hourMs];
      while (high - low > 1000) {
        const middle = low + Math.floor((high - low) / 2000) * 1000;
        if (offset(zone, middle) === offset(zone, t)) low = middle;
        else high = middle;
      }
      found.push(high);
    }
    return [zone, found];
  }),
);

const time = (minutes: number): string => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
/** Minutes of the day, often in the small hours where clocks change, often on a quarter hour. */
const minuteOfDay = fc.oneof(fc.integer({ min: 0, max: 1439 }), fc.integer({ min: 0, max: 16 }).map((q) => q * 15), fc.integer({ min: 0, max: 95 }).map((q) => q * 15));
const windowArbitrary: fc.Arbitrary<QuietHoursWindow> = fc
  .record({ days: fc.subarray([...weekdays], { minLength: 1 }), start: minuteOfDay, end: fc.oneof(minuteOfDay, fc.constant(1440)) })
  .filter(({ start, end }) => start !== end)
  .map(({ days, start, end }) => ({ days, start: time(start), end: time(end) }));

const scene = fc
  .record({ zone: fc.constantFrom(...zones), windows: fc.array(windowArbitrary, { minLength: 1, maxLength: 4 }), near: fc.boolean(), pick: fc.nat(), shift: fc.integer({ min: -36 * hourMs, max: 36 * hourMs }) })
  .map(({ zone, windows, near, pick, shift }) => {
    const list = transitions.get(zone) as number[];
    const instant = near && list.length > 0 ? (list[pick % list.length] as number) + shift : Date.UTC(2025, 0, 1) + (pick % (3 * 365)) * dayMs + shift + 36 * hourMs;
    return { zone, windows, instant };
  });

function scheduleOf(zone: string, windows: QuietHoursWindow[]): QuietHours | undefined {
  try {
    return checkQuietHours({ timeZone: zone, windows });
  } catch (error) {
    if (isHeraldError(error, 'INVALID_QUIET_HOURS') && error.issues.every((issue) => issue.rule === 'wholeWeek')) return undefined;
    throw error;
  }
}

const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));

/** Is the wall-clock reading (epoch ms of it in UTC) inside a window, read off the clock alone? */
function insideByClock(windows: readonly QuietHoursWindow[], reading: number): boolean {
  const minuteOfWeek = (((Math.floor(reading / minuteMs) + 3 * 1440) % 10_080) + 10_080) % 10_080; // 1970-01-01 was a Thursday
  return windows.some(({ days, start, end }) => {
    const [s, e] = [minutesOf(start), minutesOf(end)];
    const length = e > s ? e - s : e + 1440 - s;
    return days.some((day) => (minuteOfWeek - (weekdays.indexOf(day) * 1440 + s) + 2 * 10_080) % 10_080 < length);
  });
}

describe('quietHoursEnd, properties', () => {
  it('ends after the instant, outside every window, at a window end or a clock change, and is quiet until then', () => {
    fc.assert(
      fc.property(scene, fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), ({ zone, windows, instant }, fraction) => {
        const schedule = scheduleOf(zone, windows);
        fc.pre(schedule !== undefined);
        const end = quietHoursEnd(schedule, instant);
        if (end === undefined) return;
        expect(end).toBeGreaterThan(instant);
        expect(quietHoursEnd(schedule, end)).toBeUndefined();
        const endReading = ((wall(zone, end) % dayMs) + dayMs) % dayMs;
        const endsAWindow = windows.some((window) => minutesOf(window.end) % 1440 === endReading / minuteMs);
        const isClockChange = offset(zone, end - 1000) !== offset(zone, end);
        expect(endsAWindow || isClockChange, `${new Date(end).toISOString()} in ${zone}`).toBe(true);
        const between = instant + Math.floor((end - instant) * fraction);
        expect(quietHoursEnd(schedule, between)).toBe(end);
      }),
      { numRuns: 400 },
    );
  });

  it('holds for instants walked in small steps across each clock change (the offsets read once are reused)', () => {
    const windows: QuietHoursWindow[] = [
      { days: [...weekdays], start: '01:15', end: '02:45' },
      { days: ['saturday', 'sunday'], start: '22:00', end: '01:30' },
    ];
    for (const zone of ['America/New_York', 'Australia/Lord_Howe', 'America/Santiago']) {
      const schedule = checkQuietHours({ timeZone: zone, windows });
      for (const transition of (transitions.get(zone) as number[]).slice(0, 2)) {
        for (let instant = transition - 3 * dayMs; instant < transition + 3 * dayMs; instant += 7 * minuteMs) {
          const end = quietHoursEnd(schedule, instant);
          if (end === undefined) continue;
          expect(end).toBeGreaterThan(instant);
          expect(quietHoursEnd(schedule, end)).toBeUndefined();
          const endMinute = (((wall(zone, end) % dayMs) + dayMs) % dayMs) / minuteMs;
          expect([95, 165, 90].includes(endMinute) || offset(zone, end - 1000) !== offset(zone, end), `${zone} ${new Date(instant).toISOString()} → ${new Date(end).toISOString()}`).toBe(true);
        }
      }
    }
  });

  it('agrees with reading the clock minute by minute where no clock change is near', () => {
    fc.assert(
      fc.property(scene, ({ zone, windows, instant }) => {
        const schedule = scheduleOf(zone, windows);
        fc.pre(schedule !== undefined);
        fc.pre((transitions.get(zone) as number[]).every((t) => t < instant - 2 * dayMs || t > instant + 9 * dayMs));
        const shift = offset(zone, instant);
        const reading = instant + shift;
        let expected: number | undefined;
        if (insideByClock(windows, reading)) {
          let minute = Math.floor(reading / minuteMs) + 1;
          while (insideByClock(windows, minute * minuteMs)) minute += 1;
          expected = minute * minuteMs - shift;
        }
        expect(quietHoursEnd(schedule, instant)).toBe(expected);
      }),
      { numRuns: 400 },
    );
  });
});
