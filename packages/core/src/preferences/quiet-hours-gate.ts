/**
 * The one call from delivery decisions into quiet hours (`quiet-hours.ts` owns the weekly
 * schedule and the time zones): given a user's preferences and the instant a delivery
 * would be due, when the quiet time around it ends. Kept behind this function so the
 * decision code does not change when the schedule does.
 */
import { quietHoursEnd } from './quiet-hours.js';
import type { NotificationPreferences } from './precedence.js';

/**
 * When the user's quiet hours that contain `at` (epoch ms) end (epoch ms), or `undefined`
 * when `at` is outside quiet hours or the user has none.
 */
export function quietUntil(preferences: NotificationPreferences | undefined, at: number): number | undefined {
  const schedule = preferences?.quietHours;
  return schedule === undefined ? undefined : quietHoursEnd(schedule, at);
}
