/**
 * Time, injected: the service reads the time and sets its timers only through a
 * {@link Clock}, so tests can drive it with a fake clock and never sleep.
 */

/** An opaque handle of a timer set by a {@link Clock}. */
export type ClockTimer = { readonly [timerBrand]: true };
declare const timerBrand: unique symbol;

/** What a timer is for: `work` falls due once; `housekeeping` recurs for as long as the service runs. */
export type TimerPurpose = 'work' | 'housekeeping';

/** The time source and timer service of a Herald service. */
export interface Clock {
  /** The current time, in epoch milliseconds. */
  now(): number;
  /**
   * Calls `callback` once, after `delayMs`. Timers must not keep the process alive.
   * `purpose` tells a fake clock whether the timer is delivery work (scheduled sends,
   * retries, timeouts) or periodic housekeeping (purges, polls) it may leave pending.
   */
  setTimer(callback: () => void, delayMs: number, purpose?: TimerPurpose): ClockTimer;
  /** Cancels a timer; does nothing when it already ran or was cleared. */
  clearTimer(timer: ClockTimer): void;
}

/** The longest delay a Node timer keeps (2^31 − 1 ms, about 24.8 days); a longer one fires after 1 ms. */
export const maxTimerDelayMs = 2 ** 31 - 1;

/** The real clock: `Date.now()` and unreferenced `setTimeout`s. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(callback, delayMs) {
    // A longer wait is clamped, and callers re-check the time.
    const timer = setTimeout(callback, Math.min(Math.max(0, delayMs), maxTimerDelayMs));
    timer.unref();
    return timer as unknown as ClockTimer;
  },
  clearTimer(timer) {
    clearTimeout(timer as unknown as NodeJS.Timeout);
  },
};
