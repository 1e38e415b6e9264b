/**
 * Ids that cannot be guessed: every id Herald hands out (notifications, subscriptions,
 * deliveries, lease tokens) carries 122 random bits from the system's CSPRNG.
 */
import { randomUUID } from 'node:crypto';

/** A fresh random id in the GUID form Graph uses (`119081f2-f19d-4fa8-817c-7e01092c0f7d`). */
export function newId(): string {
  return randomUUID();
}
