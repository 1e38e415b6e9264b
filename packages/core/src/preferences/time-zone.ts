/**
 * Wall-clock time in an IANA time zone, from the zone data the runtime ships with `Intl`
 * (ICU's copy of the IANA tz database): the offset at an instant, and the instants at which
 * a wall-clock time occurs. No offset is written by hand, so a zone whose rules change is
 * right as soon as the runtime's tz data is.
 *
 * Why not a library: the Temporal polyfills (`@js-temporal/polyfill`, `temporal-polyfill`)
 * bring a whole calendar system for the two questions quiet hours ask, and luxon or
 * date-fns-tz answer them from the same `Intl` data this file reads. Both questions fit in
 * the offset at an instant, which `Intl.DateTimeFormat` gives exactly.
 */

const dayMs = 86_400_000;
/** How far either side of its instant a {@link ZoneSpan} reaches, in days. */
const spanDays = 8;
/** Days between the offsets a span reads. */
const sampleDays = 2;
/** How far either side of an instant a caller may look (quiet hours: the day before to two days after). */
const reachDays = 4;

/** One formatter per zone: building one costs far more than formatting with it. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    // h23: midnight is hour 0, never 24; the era tells years before 1 CE apart.
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/**
 * The zone's canonical name if `Intl` knows `name` as an IANA time zone, else `undefined`.
 * Offsets (`+05:30`), which newer runtimes accept as zones, are not IANA names and are
 * refused: they know no daylight saving time.
 */
export function ianaTimeZone(name: string): string | undefined {
  if (!/^[A-Za-z]/.test(name)) return undefined;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
  formatterFor(resolved);
  return resolved;
}

/** The time zone names `Intl` lists (canonical IANA names), for suggestions in messages. */
export function listedTimeZones(): readonly string[] {
  return Intl.supportedValuesOf('timeZone');
}

/**
 * The zone's offset from UTC at `instant` (epoch ms), in ms: the wall-clock time there is
 * `instant + offset`. `timeZone` must have come from {@link ianaTimeZone}.
 */
function offsetAt(timeZone: string, instant: number): number {
  const second = instant - (((instant % 1000) + 1000) % 1000);
  const fields: Record<string, string> = {};
  for (const part of formatterFor(timeZone).formatToParts(second)) fields[part.type] = part.value;
  const yearOfEra = Number(fields.year);
  const wall = new Date(0);
  wall.setUTCFullYear(fields.era === 'BC' ? 1 - yearOfEra : yearOfEra, Number(fields.month) - 1, Number(fields.day));
  wall.setUTCHours(Number(fields.hour), Number(fields.minute), Number(fields.second), 0);
  return wall.getTime() - second;
}

/** A stretch of time in which a zone's offset is constant. */
interface OffsetSegment {
  /** Its first instant (epoch ms); the first segment of a span starts at the span's start. */
  readonly from: number;
  /** The offset (ms) throughout. */
  readonly offset: number;
}

/** The first instant in `(after, at]` whose offset differs from `after`'s: a transition, to the second. */
function transitionBetween(timeZone: string, after: number, at: number, offsetBefore: number): number {
  let low = after;
  let high = at;
  // Transitions fall on whole seconds, so the search ends at a second's resolution.
  while (high - low > 1000) {
    const middle = low + Math.floor((high - low) / 2000) * 1000;
    if (offsetAt(timeZone, middle) === offsetBefore) low = middle;
    else high = middle;
  }
  return high;
}

/**
 * A zone's offsets over eight days either side of an instant, read every two days (and
 * searched to the second where two readings differ), so the conversions that follow are
 * arithmetic. One transition per two days is seen; no zone has changed its offset twice
 * within two days.
 */
class ZoneSpan {
  readonly #segments: readonly OffsetSegment[];
  /** The first and last instants (epoch ms) the span describes. */
  readonly from: number;
  readonly to: number;

  constructor(timeZone: string, around: number) {
    this.from = around - spanDays * dayMs;
    this.to = around + spanDays * dayMs;
    const segments: OffsetSegment[] = [{ from: this.from, offset: offsetAt(timeZone, this.from) }];
    for (let sampled = this.from; sampled < this.to; sampled += sampleDays * dayMs) {
      const sample = sampled + sampleDays * dayMs;
      const previous = segments[segments.length - 1] as OffsetSegment;
      const offset = offsetAt(timeZone, sample);
      if (offset !== previous.offset) segments.push({ from: transitionBetween(timeZone, sampled, sample, previous.offset), offset });
    }
    this.#segments = segments;
  }

  /** The offset (ms) at `instant`, which must lie within the span. */
  offsetAt(instant: number): number {
    let offset = (this.#segments[0] as OffsetSegment).offset;
    for (const segment of this.#segments) if (segment.from <= instant) offset = segment.offset;
    return offset;
  }

  /** The wall-clock time at `instant`, as epoch ms of the same reading in UTC. */
  wallTime(instant: number): number {
    return instant + this.offsetAt(instant);
  }

  /**
   * The first instant after `after` (epoch ms) at which the clock reads `wall` (a reading
   * as epoch ms in UTC); when the clock skips that reading (a spring-forward gap), the
   * instant it jumps over it. `undefined` when the span has no such instant.
   */
  firstReading(wall: number, after: number): number | undefined {
    const segments = this.#segments;
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i] as OffsetSegment;
      const next = segments[i + 1];
      const end = next === undefined ? this.to : next.from;
      const instant = wall - segment.offset;
      if (instant >= segment.from && instant < end && instant > after) return instant;
      // The clock jumped from before `wall` to after it at the next segment's start.
      if (next !== undefined && next.from > after && next.from + segment.offset <= wall && wall < next.from + next.offset) return next.from;
    }
    return undefined;
  }
}

/**
 * The last span read per zone: an offset changes a few times a year, so one span answers
 * every instant within four days of where it was read around — the calls of a send are
 * arithmetic, not `Intl` look-ups. One entry per zone, so the cache is as bounded as the
 * list of zones.
 */
const spans = new Map<string, ZoneSpan>();

/**
 * A span that describes at least four days either side of `instant` in `timeZone`, which
 * must have come from {@link ianaTimeZone}.
 */
export function zoneSpanAround(timeZone: string, instant: number): ZoneSpan {
  const cached = spans.get(timeZone);
  if (cached !== undefined && cached.from <= instant - reachDays * dayMs && instant + reachDays * dayMs <= cached.to) return cached;
  const span = new ZoneSpan(timeZone, instant);
  spans.set(timeZone, span);
  return span;
}

export type { ZoneSpan };
