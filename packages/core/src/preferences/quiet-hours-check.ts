/**
 * The check of a quiet-hours schedule as it comes from an app or an HTTP body, and its
 * JSON Schema. The schema states the shape; only the check can ask `Intl` whether a time
 * zone exists and see that the windows leave part of the week unquiet.
 */
import type { JsonSchema } from '../contract/schema.js';
import { HeraldError, type ValidationIssue } from '../errors.js';
import { closestName, describeValue } from '../option-checks.js';
import { maxQuietHoursWindows, minutesOfTime, weekdays, windowMinutes, type QuietHours, type QuietHoursWindow, type Weekday } from './quiet-hours.js';
import { ianaTimeZone, listedTimeZones } from './time-zone.js';

const startPattern = '^(?:[01][0-9]|2[0-3]):[0-5][0-9]$';
const endPattern = '^(?:(?:[01][0-9]|2[0-3]):[0-5][0-9]|24:00)$';

/** The JSON Schema (draft 2020-12) of a quiet-hours schedule; `checkQuietHours` also checks the zone exists. */
export const quietHoursSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://herald.dev/schemas/quiet-hours.json',
  title: 'QuietHours',
  description: "A weekly schedule of windows in the user's IANA time zone during which deliveries wait until the window ends.",
  type: 'object',
  additionalProperties: false,
  required: ['timeZone', 'windows'],
  properties: {
    timeZone: { type: 'string', description: 'An IANA time zone name, e.g. Europe/Berlin.', minLength: 1, maxLength: 64 },
    windows: {
      type: 'array',
      maxItems: maxQuietHoursWindows,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['days', 'start', 'end'],
        properties: {
          days: { type: 'array', minItems: 1, maxItems: 7, uniqueItems: true, items: { enum: [...weekdays] } },
          start: { type: 'string', description: 'Wall-clock start, HH:MM (00:00–23:59).', pattern: startPattern },
          end: { type: 'string', description: 'Wall-clock end, HH:MM (00:00–24:00); not after start: the next day.', pattern: endPattern },
        },
      },
    },
  },
} as const satisfies JsonSchema;

const weekMinutes = 7 * 1440;

/** The most issues one check reports: a hostile body (50,000 unknown keys) costs a bounded error, not megabytes of one. */
const maxIssues = 20;

/** Collects the problems of one schedule, each naming its field; past {@link maxIssues} only counts them. */
class Issues {
  readonly list: ValidationIssue[] = [];
  /** How many problems there were, listed or not. */
  count = 0;
  /** `message` is a function where it costs work (a suggestion), so an issue past the limit costs none. */
  add(field: string, rule: string, message: string | (() => string)): void {
    this.count += 1;
    if (this.list.length < maxIssues) this.list.push({ field, rule, message: `${field} ${typeof message === 'string' ? message : message()}` });
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function unknownKeys(issues: Issues, field: string, value: Record<string, unknown>, names: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (names.includes(key)) continue;
    // A hostile key may be megabytes long: the field names its start.
    issues.add(`${field}.${key.length > 40 ? `${key.slice(0, 40)}…` : key}`, 'unknownField', () => {
      const closest = closestName(key, names);
      return `is not a field of quiet hours${closest === undefined ? '' : ` (did you mean ${closest}?)`}; the fields are ${names.join(', ')}`;
    });
  }
}

function checkTimeZone(issues: Issues, field: string, value: unknown): string | undefined {
  if (typeof value !== 'string') {
    issues.add(field, 'type', `must be an IANA time zone name such as Europe/Berlin, got ${describeValue(value)}`);
    return undefined;
  }
  const zone = value.length <= 64 ? ianaTimeZone(value) : undefined;
  if (zone === undefined) {
    issues.add(field, 'timeZone', () => {
      // No zone's name is longer than 64 characters: a longer value gets no suggestion, and costs none.
      const closest = value.length <= 64 ? closestName(value, listedTimeZones()) : undefined;
      return `names no time zone this runtime knows: ${describeValue(value)}${closest === undefined ? '' : ` (did you mean ${closest}?)`}; use an IANA name such as Europe/Berlin, not an offset`;
    });
  }
  return zone;
}

function checkDays(issues: Issues, field: string, value: unknown): Weekday[] | undefined {
  if (!Array.isArray(value) || value.length === 0 || value.length > weekdays.length) {
    const got = Array.isArray(value) ? `${value.length} days` : describeValue(value);
    issues.add(field, 'days', `must be a non-empty array of weekdays (${weekdays.join(', ')}), each at most once, got ${got}`);
    return undefined;
  }
  const days: Weekday[] = [];
  value.forEach((day: unknown, i) => {
    if (typeof day !== 'string' || !(weekdays as readonly string[]).includes(day)) {
      issues.add(`${field}[${i}]`, 'day', () => {
        const closest = typeof day === 'string' ? closestName(day, weekdays) : undefined;
        return `must be one of ${weekdays.join(', ')}, got ${describeValue(day)}${closest === undefined ? '' : ` (did you mean ${closest}?)`}`;
      });
    } else if (days.includes(day as Weekday)) issues.add(`${field}[${i}]`, 'day', `repeats ${day}`);
    else days.push(day as Weekday);
  });
  return days;
}

function checkWindow(issues: Issues, field: string, value: unknown): QuietHoursWindow | undefined {
  if (!isObject(value)) {
    issues.add(field, 'type', `must be an object with days, start and end, got ${describeValue(value)}`);
    return undefined;
  }
  unknownKeys(issues, field, value, ['days', 'start', 'end']);
  const days = checkDays(issues, `${field}.days`, value.days);
  const start = typeof value.start === 'string' && new RegExp(startPattern).test(value.start) ? value.start : undefined;
  if (start === undefined) issues.add(`${field}.start`, 'time', `must be a time HH:MM from 00:00 to 23:59, got ${describeValue(value.start)}`);
  const end = typeof value.end === 'string' && new RegExp(endPattern).test(value.end) ? value.end : undefined;
  if (end === undefined) issues.add(`${field}.end`, 'time', `must be a time HH:MM from 00:00 to 24:00, got ${describeValue(value.end)}`);
  if (start !== undefined && end !== undefined && minutesOfTime(start) === minutesOfTime(end)) {
    issues.add(`${field}.end`, 'emptyWindow', `equals start (${start}); for a whole day use start 00:00 and end 24:00`);
    return undefined;
  }
  return days === undefined || start === undefined || end === undefined ? undefined : { days, start, end };
}

/** True when the windows, in wall-clock minutes, cover every minute of the week. */
function coversWholeWeek(windows: readonly QuietHoursWindow[]): boolean {
  const quiet = new Uint8Array(weekMinutes);
  for (const window of windows) {
    const { days, start, end } = windowMinutes(window);
    const length = end > start ? end - start : end + 1440 - start;
    for (const day of days) for (let minute = 0; minute < length; minute++) quiet[(day * 1440 + start + minute) % weekMinutes] = 1;
  }
  return quiet.every((minute) => minute === 1);
}

/**
 * Checks a quiet-hours schedule and returns it with the time zone's canonical spelling
 * (`america/new_york` → `America/New_York`), new objects throughout.
 * @param field - how messages name the value, e.g. `preferences.quietHours`. Default `quietHours`.
 * @throws HeraldError `INVALID_QUIET_HOURS` whose `issues` name every problem's field
 *   (`quietHours.windows[0].start`) and rule: `type`, `unknownField`, `timeZone` (a zone
 *   `Intl` does not know, or an offset), `windows` (not an array, or more than
 *   {@link maxQuietHoursWindows}), `days`, `day`, `time`, `emptyWindow` (start equals
 *   end), `wholeWeek` (no time of the week is left unquiet, so nothing would ever be sent).
 *   At most 20 issues are listed; the message counts them all.
 */
export function checkQuietHours(value: unknown, field = 'quietHours'): QuietHours {
  const issues = new Issues();
  let checked: QuietHours | undefined;
  if (!isObject(value)) issues.add(field, 'type', `must be an object with timeZone and windows, got ${describeValue(value)}`);
  else {
    unknownKeys(issues, field, value, ['timeZone', 'windows']);
    const timeZone = checkTimeZone(issues, `${field}.timeZone`, value.timeZone);
    const windows: QuietHoursWindow[] = [];
    if (!Array.isArray(value.windows) || value.windows.length > maxQuietHoursWindows) {
      issues.add(`${field}.windows`, 'windows', `must be an array of at most ${maxQuietHoursWindows} windows, got ${Array.isArray(value.windows) ? `${value.windows.length} windows` : describeValue(value.windows)}`);
    } else {
      value.windows.forEach((window: unknown, i) => {
        const checkedWindow = checkWindow(issues, `${field}.windows[${i}]`, window);
        if (checkedWindow !== undefined) windows.push(checkedWindow);
      });
    }
    if (issues.list.length === 0 && coversWholeWeek(windows)) {
      issues.add(`${field}.windows`, 'wholeWeek', 'cover the whole week, so no delivery would ever be due; leave some time unquiet');
    }
    if (timeZone !== undefined) checked = { timeZone, windows };
  }
  if (issues.list.length > 0 || checked === undefined) {
    const [first] = issues.list;
    const more = issues.count > 1 ? ` (and ${issues.count - 1} more${issues.count > issues.list.length ? `; issues lists the first ${issues.list.length}` : ''})` : '';
    throw new HeraldError('INVALID_QUIET_HOURS', `${first?.message ?? `${field} is invalid`}${more}`, { issues: issues.list });
  }
  return checked;
}
