/**
 * RFC 3339 date-times, checked strictly: `Date.parse` alone accepts `2019-02-31` by
 * rolling it over into March, and accepts many formats the contract does not.
 */
const dateTimePattern =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

/** Epoch milliseconds of a UTC calendar time; unlike `Date.UTC`, years 0–99 stay themselves. */
function utcTime(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, millis = 0): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  return date.getTime();
}

function daysInMonth(year: number, month: number): number {
  return new Date(utcTime(year, month + 1, 0)).getUTCDate();
}

/**
 * Recently parsed date-times. Stored records repeat the same few strings (an expiry read
 * on every send and every attempt), so a small memo saves most of the parsing.
 */
const parsed = new Map<string, number | undefined>();
const maxParsed = 4096;

/**
 * Parses an RFC 3339 date-time (`2019-10-30T23:59:00.000Z`, `2019-10-30T23:59:00+02:00`)
 * into epoch milliseconds, or returns `undefined` when it is not one.
 */
export function parseDateTime(text: string): number | undefined {
  if (parsed.has(text)) return parsed.get(text);
  const time = parseUncached(text);
  if (text.length <= 64) {
    if (parsed.size >= maxParsed) parsed.clear();
    parsed.set(text, time);
  }
  return time;
}

function parseUncached(text: string): number | undefined {
  const m = dateTimePattern.exec(text);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number, number, number, number, number, number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (m[8] !== undefined) {
    const offsetHours = Number(m[9]);
    const offsetMins = Number(m[10]);
    if (offsetHours > 23 || offsetMins > 59) return undefined;
    offsetMinutes = (offsetHours * 60 + offsetMins) * (m[8] === '-' ? -1 : 1);
  }
  const millis = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0').slice(0, 3));
  const utc = utcTime(year, month, day, hour, minute, second, millis) - offsetMinutes * 60_000;
  return Number.isFinite(utc) ? utc : undefined;
}

/**
 * When a stored record (a notification, a subscription) expires, in epoch ms. Stored
 * expiries are always valid; 0 (long past) stands in for one that is not.
 */
export function expiryOf(record: { readonly expirationDateTime: string }): number {
  return parseDateTime(record.expirationDateTime) ?? 0;
}

/** True when `text` is an RFC 3339 date-time. */
export function isDateTime(text: string): boolean {
  return parseDateTime(text) !== undefined;
}

/**
 * The last two times formatted, newest first. Writes in a burst share their millisecond,
 * so each is formatted once; two slots, because a send formats two times in turn (its
 * default expiry, then its creation time), which would evict each other from one.
 */
let newestTime = Number.NaN;
let newestText = '';
let olderTime = Number.NaN;
let olderText = '';

/** Formats epoch milliseconds as an ISO 8601 UTC string. */
export function formatDateTime(epochMs: number): string {
  if (epochMs === newestTime) return newestText;
  if (epochMs === olderTime) return olderText;
  const text = new Date(epochMs).toISOString();
  olderTime = newestTime;
  olderText = newestText;
  newestTime = epochMs;
  newestText = text;
  return text;
}

/** True when `text` is already in the form `formatDateTime` writes (`2019-10-30T23:59:00.000Z`). */
export function isCanonicalDateTime(text: string): boolean {
  return text.length === 24 && text.charCodeAt(23) === 90 /* Z */ && text.charCodeAt(10) === 84 /* T */ && text.charCodeAt(19) === 46 /* . */;
}
