/**
 * Checks of the arguments of service calls. They may come straight from an HTTP request,
 * so a bad one is a `HeraldError` (`INVALID_ARGUMENT`), never a crash or a stored mess.
 */
import { parseDateTime } from './contract/date-time.js';
import { HeraldError } from './errors.js';

const maxIdLength = 256;
const controlCharacters = /[\u0000-\u001f\u007f]/;

function invalid(message: string): never {
  throw new HeraldError('INVALID_ARGUMENT', message);
}

/** A user id, a notification id, a subscription id, …: a short string without control characters. */
export function checkId(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0) invalid(`${what} must be a non-empty string`);
  if (value.length > maxIdLength) invalid(`${what} must be at most ${maxIdLength} characters long`);
  if (controlCharacters.test(value)) invalid(`${what} must not contain control characters`);
  return value;
}

/** A free-text reason or name: a string of at most `max` characters without control characters. */
export function checkText(value: unknown, what: string, max = 512): string {
  if (typeof value !== 'string' || value.length === 0) invalid(`${what} must be a non-empty string`);
  if (value.length > max) invalid(`${what} must be at most ${max} characters long`);
  if (controlCharacters.test(value)) invalid(`${what} must not contain control characters`);
  return value;
}

/** A page size: a whole number from 1 to `max`, `fallback` when absent. */
export function checkLimit(value: unknown, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    invalid(`limit must be a whole number from 1 to ${max}`);
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

/** A plain object of options, or nothing. */
export function checkOptions(value: unknown, what: string): Record<string, unknown> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) invalid(`${what} must be an object`);
  return value as Record<string, unknown>;
}
