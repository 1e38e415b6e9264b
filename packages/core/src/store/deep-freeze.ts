/**
 * Freezing a value through: what a store hands out once and shares (a record read back, a
 * cached recipient's preferences) cannot be changed by one caller under another.
 */

/** Freezes `value` and every object inside it; returns `value`. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
