import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { checkQuietHours, HeraldError, maxQuietHoursWindows, quietHoursSchema } from '@herald/core';

const night = { days: ['monday'], start: '22:00', end: '07:00' };
const validate = new Ajv2020({ strict: true }).compile(quietHoursSchema);

/** What the check refuses: the value, then the field and rule of its first issue, and words of the message. */
const refused: Array<[string, unknown, string, string, RegExp]> = [
  ['not an object', 'Europe/Berlin', 'quietHours', 'type', /must be an object with timeZone and windows, got the string "Europe\/Berlin"/],
  ['an unknown field', { timeZone: 'UTC', windows: [], timezone: 'UTC' }, 'quietHours.timezone', 'unknownField', /did you mean timeZone\?/],
  ['no time zone', { windows: [night] }, 'quietHours.timeZone', 'type', /must be an IANA time zone name/],
  ['a misspelt zone', { timeZone: 'Europe/Berln', windows: [night] }, 'quietHours.timeZone', 'timeZone', /names no time zone this runtime knows: the string "Europe\/Berln" \(did you mean Europe\/Berlin\?\)/],
  ['an offset', { timeZone: '+02:00', windows: [night] }, 'quietHours.timeZone', 'timeZone', /not an offset/],
  ['a long name', { timeZone: `Europe/${'x'.repeat(80)}`, windows: [night] }, 'quietHours.timeZone', 'timeZone', /names no time zone/],
  ['windows not an array', { timeZone: 'UTC', windows: night }, 'quietHours.windows', 'windows', /must be an array of at most 28 windows, got an object/],
  ['too many windows', { timeZone: 'UTC', windows: Array.from({ length: maxQuietHoursWindows + 1 }, () => night) }, 'quietHours.windows', 'windows', /got 29 windows/],
  ['a window not an object', { timeZone: 'UTC', windows: [null] }, 'quietHours.windows[0]', 'type', /must be an object with days, start and end, got null/],
  ['an unknown window field', { timeZone: 'UTC', windows: [{ ...night, ends: '08:00' }] }, 'quietHours.windows[0].ends', 'unknownField', /did you mean end\?/],
  ['no days', { timeZone: 'UTC', windows: [{ ...night, days: [] }] }, 'quietHours.windows[0].days', 'days', /non-empty array of weekdays/],
  ['a day abbreviated', { timeZone: 'UTC', windows: [{ ...night, days: ['mon'] }] }, 'quietHours.windows[0].days[0]', 'day', /must be one of monday, .*, got the string "mon"/],
  ['a day capitalised', { timeZone: 'UTC', windows: [{ ...night, days: ['Monday'] }] }, 'quietHours.windows[0].days[0]', 'day', /did you mean monday\?/],
  ['a day twice', { timeZone: 'UTC', windows: [{ ...night, days: ['monday', 'monday'] }] }, 'quietHours.windows[0].days[1]', 'day', /repeats monday/],
  ['a start without a leading zero', { timeZone: 'UTC', windows: [{ ...night, start: '7:00' }] }, 'quietHours.windows[0].start', 'time', /must be a time HH:MM from 00:00 to 23:59, got the string "7:00"/],
  ['a start at 24:00', { timeZone: 'UTC', windows: [{ ...night, start: '24:00' }] }, 'quietHours.windows[0].start', 'time', /from 00:00 to 23:59/],
  ['an end past 24:00', { timeZone: 'UTC', windows: [{ ...night, end: '24:30' }] }, 'quietHours.windows[0].end', 'time', /from 00:00 to 24:00/],
  ['an end with seconds', { timeZone: 'UTC', windows: [{ ...night, end: '07:00:00' }] }, 'quietHours.windows[0].end', 'time', /HH:MM/],
  ['an end as a number', { timeZone: 'UTC', windows: [{ ...night, end: 700 }] }, 'quietHours.windows[0].end', 'time', /got number 700/],
  ['an end equal to the start', { timeZone: 'UTC', windows: [{ ...night, end: '22:00' }] }, 'quietHours.windows[0].end', 'emptyWindow', /for a whole day use start 00:00 and end 24:00/],
  ['the whole week', { timeZone: 'UTC', windows: [{ days: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'], start: '00:00', end: '24:00' }] }, 'quietHours.windows', 'wholeWeek', /no delivery would ever be due/],
  [
    'the whole week in overlapping pieces',
    { timeZone: 'UTC', windows: [{ days: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'], start: '08:00', end: '20:00' }, { days: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'], start: '19:00', end: '09:00' }] },
    'quietHours.windows',
    'wholeWeek',
    /cover the whole week/,
  ],
];

describe('checkQuietHours', () => {
  it.each(refused)('refuses %s, naming the field', (_, value, field, rule, message) => {
    let caught: unknown;
    try {
      checkQuietHours(value);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(HeraldError);
    const error = caught as HeraldError;
    expect(error.code).toBe('INVALID_QUIET_HOURS');
    expect(error.status).toBe(400);
    expect(error.issues[0]).toMatchObject({ field, rule });
    expect(error.issues[0]?.message).toMatch(message);
    expect(error.message.startsWith(field)).toBe(true);
  });

  it('reports every problem, and names the field as the caller calls it', () => {
    const error = (() => {
      try {
        checkQuietHours({ timeZone: 'Mars/Olympus', windows: [{ days: ['funday'], start: '25:00', end: '7' }] }, 'preferences.quietHours');
      } catch (caught) {
        return caught as HeraldError;
      }
      throw new Error('accepted');
    })();
    expect(error.issues.map((issue) => `${issue.field} ${issue.rule}`)).toEqual([
      'preferences.quietHours.timeZone timeZone',
      'preferences.quietHours.windows[0].days[0] day',
      'preferences.quietHours.windows[0].start time',
      'preferences.quietHours.windows[0].end time',
    ]);
    expect(error.message).toMatch(/^preferences\.quietHours\.timeZone .* \(and 3 more\)$/);
  });

  it('accepts a schedule, returning new objects and the zone as Intl spells it', () => {
    const given = { timeZone: 'america/new_york', windows: [night, { days: ['saturday', 'sunday'], start: '00:00', end: '24:00' }] };
    const checked = checkQuietHours(given);
    expect(checked).toEqual({ ...given, timeZone: 'America/New_York' });
    expect(checked.windows[0]).not.toBe(given.windows[0]);
    expect(checkQuietHours({ timeZone: 'UTC', windows: [] })).toEqual({ timeZone: 'UTC', windows: [] });
  });

  it('accepts every zone Intl lists', () => {
    for (const timeZone of Intl.supportedValuesOf('timeZone')) expect(checkQuietHours({ timeZone, windows: [night] }).timeZone).toBeTypeOf('string');
  });

  it('has a JSON Schema that takes what the check takes and refuses the shapes it refuses', () => {
    expect(validate({ timeZone: 'Europe/Berlin', windows: [night, { days: ['sunday'], start: '00:00', end: '24:00' }] })).toBe(true);
    for (const [name, value, , rule] of refused) {
      // The schema sees shapes only: a zone's existence, an empty window and the whole week are the check's.
      if (['timeZone', 'emptyWindow', 'wholeWeek'].includes(rule)) continue;
      expect(validate(value), name).toBe(false);
    }
  });
});
