/**
 * Assertions the store groups share, each failing with a message that names the rule of
 * docs/stores.md that was broken.
 */
import { expect } from 'vitest';
import { HeraldError, type HeraldErrorCode } from '@herald/core';

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${error.name}${code === undefined ? '' : ` (code ${String(code)})`}: ${error.message}`;
  }
  return String(error);
}

/**
 * Calls `action` and expects it to reject with a `HeraldError` coded `code`. A method of
 * the store must reject, not throw synchronously, since callers only `await` it.
 */
export async function expectHeraldError(action: () => Promise<unknown>, code: HeraldErrorCode, what: string): Promise<void> {
  let result: Promise<unknown>;
  try {
    result = action();
  } catch (error) {
    expect.fail(`${what}: expected a promise rejected with HeraldError ${code}, but the call threw synchronously: ${describeError(error)}`);
  }
  if (typeof (result as { then?: unknown } | undefined)?.then !== 'function') {
    expect.fail(`${what}: expected a promise rejected with HeraldError ${code}, but the call returned ${String(result)}`);
  }
  let rejected = false;
  let error: unknown;
  try {
    await result;
  } catch (caught) {
    rejected = true;
    error = caught;
  }
  if (!rejected) expect.fail(`${what}: expected a rejection with HeraldError ${code}, but the call resolved`);
  // A second copy of @herald/core (a dual install) breaks instanceof; the name still tells.
  const isHerald = error instanceof HeraldError || (error instanceof Error && error.name === 'HeraldError');
  if (!isHerald) expect.fail(`${what}: expected a HeraldError ${code}, got ${describeError(error)}`);
  if ((error as HeraldError).code !== code) expect.fail(`${what}: expected the HeraldError's code to be ${code}, got ${describeError(error)}`);
}

/** Paths of properties present with the value `undefined`, anywhere inside `value`. */
function undefinedPaths(value: unknown, path: string, seen: Set<object>): string[] {
  if (value === null || typeof value !== 'object' || seen.has(value)) return [];
  seen.add(value);
  const found: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    const childPath = path === '' ? key : `${path}.${key}`;
    if (child === undefined) found.push(childPath);
    else found.push(...undefinedPaths(child, childPath, seen));
  }
  return found;
}

/** Rule "Records": optional fields are absent, not `undefined`. */
export function expectNoUndefinedFields(record: unknown, what: string): void {
  const paths = undefinedPaths(record, '', new Set());
  expect(paths, `${what}: optional fields must be absent, not present with the value undefined (docs/stores.md, Records)`).toEqual([]);
}

/** Epoch milliseconds of an ISO 8601 field, failing clearly when it is not one. */
export function timeOf(text: unknown, what: string): number {
  expect(typeof text, `${what} must be an ISO 8601 string`).toBe('string');
  const time = Date.parse(text as string);
  expect(Number.isFinite(time), `${what} must be an ISO 8601 date-time, got ${JSON.stringify(text)}`).toBe(true);
  return time;
}

/** Runs `change`, ignoring the TypeError a frozen object raises (test files are strict mode). */
function attempt(change: () => void): void {
  try {
    change();
  } catch {
    // A frozen record refuses the change: exactly what the rule allows.
  }
}

/**
 * Tries to change every field of a returned record, deeply: replaces values, adds a field,
 * grows arrays. A store that returns frozen records or copies is not affected.
 */
export function tamper(value: unknown, seen: Set<object> = new Set()): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  const target = value as Record<string, unknown>;
  for (const key of Object.keys(target)) {
    tamper(target[key], seen);
    const before = target[key];
    attempt(() => {
      target[key] = typeof before === 'number' ? -1 : typeof before === 'string' ? 'tampered' : null;
    });
  }
  if (Array.isArray(value)) attempt(() => value.push('tampered'));
  attempt(() => {
    target['tampered'] = true;
  });
}

/** A deep copy to compare with later (works on frozen records too). */
export function snapshot<T>(value: T): T {
  return structuredClone(value);
}
