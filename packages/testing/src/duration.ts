/**
 * Durations written as people write them: `250ms`, `15s`, `15m`, `2h`, `1d`, `1h30m`.
 */

import { describe, kitError } from './kit-checks.js';

const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Milliseconds in `duration`: a number of milliseconds, or text such as `15m` or `1h30m`.
 * @throws TypeError (`code` `INVALID_OPTION`) when it is not a duration.
 */
export function parseDuration(duration: number | string): number {
  if (typeof duration === 'number') {
    if (!Number.isFinite(duration) || duration < 0) throw kitError('parseDuration', `a duration must be a finite number of milliseconds, at least 0; got ${duration}`);
    return duration;
  }
  if (typeof duration !== 'string') throw kitError('parseDuration', `a duration is milliseconds or text like 15m, got ${describe(duration)}`);
  const text = duration.trim();
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let consumed = 0;
  for (let match = part.exec(text); match !== null; match = part.exec(text)) {
    total += Number(match[1]) * (unitMs[match[2] as string] as number);
    consumed = part.lastIndex;
  }
  if (text.length === 0 || consumed !== text.length) {
    throw kitError('parseDuration', `${JSON.stringify(duration)} is not a duration; write it like 250ms, 15s, 15m, 2h, 1d or 1h30m`);
  }
  return total;
}
