/**
 * The memory store's options, checked when the store is created: a wrong option is a
 * `TypeError` naming it, at construction, not a surprise at the millionth notification.
 */
import { checkOptionsObject, wholeNumberOption } from '@herald/core/store';
import { errorSource } from './errors.js';

/** Options of `createMemoryStore`. */
export interface MemoryStoreOptions {
  /**
   * Most notifications one user keeps; beyond it the user's lowest feed position is evicted, like a delete.
   * @default undefined (no cap)
   */
  readonly maxNotificationsPerUser?: number | undefined;
  /**
   * Most notifications the store keeps; beyond it the least recently created or updated is evicted, like a delete.
   * @default undefined (no cap)
   */
  readonly maxNotifications?: number | undefined;
}

const optionNames: readonly (keyof MemoryStoreOptions)[] = ['maxNotificationsPerUser', 'maxNotifications'];

function checkCap(options: Record<string, unknown>, name: keyof MemoryStoreOptions): number | undefined {
  return wholeNumberOption(errorSource, name, options[name], { min: 1, absent: 'absent for no cap' });
}

/** Checks the options of `createMemoryStore`; throws a `TypeError` naming a bad one. */
export function checkMemoryStoreOptions(options: unknown): MemoryStoreOptions {
  if (options === undefined) return {};
  checkOptionsObject(errorSource, 'the options', options, optionNames);
  const given = options as Record<string, unknown>;
  return {
    maxNotificationsPerUser: checkCap(given, 'maxNotificationsPerUser'),
    maxNotifications: checkCap(given, 'maxNotifications'),
  };
}
