/**
 * Checks of the arguments a batched script stores. A batch's call fails as a whole on a
 * number Redis refuses (a NaN score), so each call's numbers are checked here, before it
 * joins a batch, and fail that call alone.
 */
import { storeError } from './errors.js';

/** `value` when it is a finite number of epoch ms; otherwise an `INVALID_ARGUMENT` error naming `operation` and `field`. */
export function checkedTime(operation: string, value: number, field: string): number {
  if (!Number.isFinite(value)) throw storeError('INVALID_ARGUMENT', `${operation}: ${field} must be a finite number of epoch ms (got ${String(value)})`);
  return value;
}
