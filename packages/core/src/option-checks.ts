/**
 * Checks of options, shared by every package's factory and every call that takes an
 * options object, so each refuses a wrong option the same way: at once, naming it, and
 * suggesting the option that was probably meant.
 */
import { optionError } from './errors.js';

/**
 * A whole-number option of at least 1, or `fallback` when absent.
 * @throws TypeError (`code` `INVALID_OPTION`) naming the option.
 */
export function positiveWholeNumberOption(source: string | undefined, name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw optionError(source, `${name} must be a positive whole number, got ${String(value)}`);
  }
  return value;
}

/** The range a {@link wholeNumberOption} accepts, and how its message names it. */
export interface WholeNumberRange {
  /** The least value accepted. */
  readonly min: number;
  /** The greatest value accepted; no bound when absent. */
  readonly max?: number | undefined;
  /** What the number counts, for the message (`'milliseconds'`, `'users'`). */
  readonly unit?: string | undefined;
  /** What leaving the option out means, for the message (`'absent for no cap'`). */
  readonly absent?: string | undefined;
}

/**
 * A whole-number option (a safe integer) within `range`, or `undefined` when absent: the
 * one check the stores' numeric options share, so each says the same thing the same way.
 * @throws TypeError (`code` `INVALID_OPTION`): `option <name> must be a whole number [of
 * <unit>] of at least <min> | from <min> to <max>[, or <absent>] (got <value>)`.
 */
export function wholeNumberOption(source: string | undefined, name: string, value: unknown, range: WholeNumberRange): number | undefined {
  if (value === undefined) return undefined;
  const { min, max, unit, absent } = range;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || (max !== undefined && value > max)) {
    const counted = unit === undefined ? '' : ` of ${unit}`;
    const bounds = max === undefined ? `${unit === undefined ? ' of' : ','} at least ${min}` : ` from ${min} to ${max}`;
    throw optionError(source, `option ${name} must be a whole number${counted}${bounds}${absent === undefined ? '' : `, or ${absent}`} (got ${String(value)})`);
  }
  return value;
}

/** Edits (insert, delete, substitute) between `a` and `b`, ignoring case. */
function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++) {
      const substitution = (previous[j - 1] as number) + (x[i - 1] === y[j - 1] ? 0 : 1);
      row.push(Math.min((previous[j] as number) + 1, (row[j - 1] as number) + 1, substitution));
    }
    previous = row;
  }
  return previous[y.length] as number;
}

/**
 * The name among `names` that `given` most likely meant: the nearest by edit distance
 * (ignoring case), if it is near enough to be a slip (at most a third of its length, at
 * least 2 edits), or one that contains it or that it contains (`delay` → `delayMs`).
 */
export function closestName(given: string, names: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of names) {
    // The distance is at least the difference in length: a name that far off is never
    // suggested, so a long `given` (a hostile key) costs no distance computation.
    if (Math.abs(given.length - name.length) > Math.max(2, Math.floor(name.length / 3))) continue;
    const distance = editDistance(given, name);
    if (distance < bestDistance) {
      best = name;
      bestDistance = distance;
    }
  }
  if (best !== undefined && bestDistance <= Math.max(2, Math.floor(best.length / 3))) return best;
  const lower = given.toLowerCase();
  if (lower.length < 3) return undefined;
  return names.find((name) => name.toLowerCase().includes(lower) || lower.includes(name.toLowerCase()));
}

/**
 * Why `given` names an option that is not among `names`, or `undefined` when every key
 * is known: the sentence names the unknown key, the likely meant one, and the known ones.
 */
export function unknownOptionMessage(given: object, names: readonly string[], what = 'option'): string | undefined {
  // for…in with an own-key check visits what Object.keys lists, without its array: this
  // runs on every send (its target and options).
  for (const name in given) {
    if (!Object.hasOwn(given, name) || names.includes(name)) continue;
    const closest = closestName(name, names);
    const hint = closest === undefined ? '' : ` (did you mean ${closest}?)`;
    return `unknown ${what} ${name}${hint}; the ${what}s are ${names.join(', ')}`;
  }
  return undefined;
}

/** A short description of a wrong value for a message: its type and, when short, the value. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${String(value)}`;
}

/**
 * Refuses `options` unless it is a plain object (not null, not an array) whose keys are
 * all among `names`. `what` names it in the message: `the options`, `options.dispatcher`.
 * @throws TypeError (`code` `INVALID_OPTION`).
 */
export function checkOptionsObject(source: string | undefined, what: string, options: unknown, names: readonly string[]): void {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw optionError(source, `${what} must be an object, got ${describeValue(options)}`);
  }
  rejectUnknownOptions(source, options, names);
}

/**
 * Refuses an option object's keys that are not among `names`: a misspelt option is an
 * error, not a silently ignored setting.
 * @throws TypeError (`code` `INVALID_OPTION`) naming the unknown option, the closest known
 *   one ("did you mean autoStart?") and listing the known ones.
 */
export function rejectUnknownOptions(source: string | undefined, given: object, names: readonly string[]): void {
  const message = unknownOptionMessage(given, names);
  if (message !== undefined) throw optionError(source, message);
}
