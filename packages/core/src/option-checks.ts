/**
 * Checks of options, shared by every package's factory so each refuses a wrong option
 * the same way: at once, with a `TypeError` that names it.
 */
import { optionError } from './errors.js';

/**
 * A whole-number option of at least 1, or `fallback` when absent.
 * @throws TypeError naming the option.
 */
export function positiveWholeNumberOption(source: string | undefined, name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw optionError(source, `${name} must be a positive whole number, got ${String(value)}`);
  }
  return value;
}

/**
 * Refuses an option object's keys that are not among `names`: a misspelt option is an
 * error, not a silently ignored setting.
 * @throws TypeError naming the unknown option and listing the known ones.
 */
export function rejectUnknownOptions(source: string, given: Readonly<Record<string, unknown>>, names: readonly string[]): void {
  for (const name of Object.keys(given)) {
    if (!names.includes(name)) throw optionError(source, `unknown option ${name}; the options are ${names.join(', ')}`);
  }
}
