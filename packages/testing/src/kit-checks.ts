/**
 * Checks of what the test kit's functions are given. A kit that ignored a misspelt match
 * key or option would let a test pass without the fault it scripts (a rule that matches
 * nothing fails nothing), so every options or match object is checked, by the same rule
 * as core's factories: refused at once with a `TypeError` whose `code` is
 * `INVALID_OPTION`, naming the function, the option, and the one probably meant.
 */
import { describeValue, optionError, unknownOptionMessage, type OptionError } from '@herald/core/store';

/** An `INVALID_OPTION` error of the test kit: `[herald] [testing] <where>: <message>`. */
export function kitError(where: string, message: string): OptionError {
  return optionError('testing', `${where}: ${message}`);
}

/** True for an object that holds options: not null, an array, or a function. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Refuses `given` unless it is an object whose keys are all among `names`.
 * @param what what a key is called in the message: `option`, `match key`.
 */
export function checkKeys(where: string, given: unknown, names: readonly string[], what = 'option'): void {
  if (!isPlainObject(given)) throw kitError(where, `takes an object of ${what}s (${names.join(', ')}), got ${describe(given)}`);
  const message = unknownOptionMessage(given, names, what);
  if (message !== undefined) throw kitError(where, message);
}

/** A short description of a wrong value for a message (core's, under the kit's name). */
export const describe = describeValue;

/** Refuses anything but a string (or `undefined` when `optional`). */
export function checkString(where: string, name: string, value: unknown, optional = true): void {
  if (value === undefined && optional) return;
  if (typeof value !== 'string') throw kitError(where, `${name} must be a string, got ${describe(value)}`);
}

/** Refuses anything but a whole number of at least `min` (or `undefined`). */
export function checkWholeNumber(where: string, name: string, value: unknown, min: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw kitError(where, `${name} must be a whole number of at least ${min}, got ${describe(value)}`);
  }
}

/** Refuses anything but a finite number of milliseconds, at least 0 (or `undefined`). */
export function checkMilliseconds(where: string, name: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw kitError(where, `${name} must be a finite number of milliseconds, at least 0, got ${describe(value)}`);
  }
}
