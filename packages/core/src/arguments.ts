/**
 * Checks of the arguments of service calls. They may come straight from an HTTP request,
 * so a bad one is a `HeraldError` (`INVALID_ARGUMENT`), never a crash or a stored mess.
 */
import { parseDateTime } from './contract/date-time.js';
import { illFormedMessage, isWellFormedText } from './contract/text.js';
import { HeraldError } from './errors.js';
import { describeValue, unknownOptionMessage } from './option-checks.js';

const maxIdLength = 256;
const controlCharacters = /[\u0000-\u001f\u007f]/;

function invalid(message: string): never {
  throw new HeraldError('INVALID_ARGUMENT', message);
}

/**
 * A user id, a notification id, a subscription id, …: a short, well-formed string
 * without control characters.
 */
export function checkId(value: unknown, what: string): string {
  return checkText(value, what, maxIdLength);
}

/**
 * A free-text reason or name: a well-formed string (see `contract/text.ts`) of at most
 * `max` UTF-16 code units, without control characters.
 */
export function checkText(value: unknown, what: string, max = 512): string {
  if (typeof value !== 'string' || value.length === 0) invalid(`${what} must be a non-empty string`);
  if (value.length > max) invalid(`${what} must be at most ${max} characters long`);
  if (controlCharacters.test(value)) invalid(`${what} must not contain control characters`);
  if (!isWellFormedText(value)) invalid(illFormedMessage(what));
  return value;
}

/** A page size: a whole number from 1 to `max`, `fallback` when absent; `name` is the option the caller gave it as. */
export function checkLimit(value: unknown, fallback: number, max: number, name = 'limit'): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    invalid(`${name} must be a whole number from 1 to ${max}, got ${describeValue(value)}`);
  }
  return value;
}

/** A point in time given as a `Date`, epoch milliseconds or an ISO 8601 string. */
export function checkTime(value: unknown, what: string): number {
  let time: number | undefined;
  if (value instanceof Date) time = value.getTime();
  else if (typeof value === 'number') time = value;
  else if (typeof value === 'string') time = parseDateTime(value);
  if (time === undefined || !Number.isFinite(time)) invalid(`${what} must be a Date, epoch milliseconds or an ISO 8601 date-time`);
  return time;
}

/** An optional boolean. */
export function checkBoolean(value: unknown, what: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') invalid(`${what} must be true or false`);
  return value;
}

/**
 * A plain object of options, or nothing, whose keys are all among `names`: a misspelt
 * option (`delay` for `sendAt`) is refused, naming the option that was probably meant.
 */
export function checkOptions(value: unknown, what: string, names: readonly string[]): Record<string, unknown> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) invalid(`${what} must be an object`);
  const unknown = unknownOptionMessage(value as Record<string, unknown>, names, 'field');
  if (unknown !== undefined) invalid(`${what}: ${unknown}`);
  return value as Record<string, unknown>;
}
