/**
 * `Retry-After` (RFC 9110 §10.2.3), in both of its forms: delay-seconds (`120`) or an
 * HTTP date. The hint is only read here; core's dispatcher decides what it may change
 * (it can lengthen the schedule's wait, never shorten it).
 */
import { parseHttpDate } from './http-date.js';

/**
 * The longest hint taken, in seconds (about 317 years): a longer one is a receiver's
 * bug, not a wish, and is ignored rather than trusted. Every hint up to it is an exact
 * whole number of milliseconds.
 */
export const maxRetryAfterSeconds = 9_999_999_999;

/**
 * Milliseconds to wait according to a `Retry-After` value: always a whole number ≥ 0, or
 * `undefined` when the value is not a hint.
 *
 * - delay-seconds (`1*DIGIT`): that many seconds; `0` is 0.
 * - an HTTP date in any of RFC 9110's three formats (IMF-fixdate, RFC 850, asctime): the
 *   time until then from `now` (epoch ms); a date in the past counts as 0.
 * - `undefined` for anything else (`-5`, `1.5`, `1e3`, `soon`, several values, a date in
 *   another format) and for a hint longer than {@link maxRetryAfterSeconds}.
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) {
    const digits = text.replace(/^0+(?=\d)/, '');
    return digits.length > String(maxRetryAfterSeconds).length ? undefined : Number(digits) * 1000;
  }
  const at = parseHttpDate(text, now);
  if (at === undefined) return undefined;
  const waitMs = Math.max(0, at - Math.floor(now));
  return Number.isFinite(waitMs) && waitMs <= maxRetryAfterSeconds * 1000 ? waitMs : undefined;
}
