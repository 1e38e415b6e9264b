/**
 * Retry schedules: when to attempt a failed delivery again, and when to give up.
 */
import { optionError } from './errors.js';
import { checkOptionsObject, describeValue } from './option-checks.js';

/** When to attempt a failed delivery again, and how many attempts to make in all. */
export interface RetryPolicy {
  /** Most attempts in all, the first included; the delivery is dead after the last. */
  readonly maxAttempts: number;
  /**
   * Milliseconds to wait after `attempts` failed attempts (1 after the first failure).
   * `random` returns a number in [0, 1) for jitter.
   */
  delayMs(attempts: number, random: () => number): number;
}

/** Options of {@link exponentialBackoff}. */
export interface ExponentialBackoffOptions {
  /**
   * Delay after the first failure, in milliseconds.
   * @default 1000
   */
  readonly baseDelayMs?: number;
  /**
   * Longest delay, in milliseconds.
   * @default 3_600_000 (one hour)
   */
  readonly maxDelayMs?: number;
  /**
   * Growth per failure.
   * @default 2
   */
  readonly factor?: number;
  /**
   * Random spread around each delay, as a fraction (0.2 = ±20 %), so endpoints that failed
   * together do not retry together.
   * @default 0.2
   */
  readonly jitter?: number;
  /**
   * Most attempts in all.
   * @default 10
   */
  readonly maxAttempts?: number;
}

const backoffOptionNames = ['baseDelayMs', 'maxDelayMs', 'factor', 'jitter', 'maxAttempts'] as const satisfies readonly (keyof ExponentialBackoffOptions)[];
const scheduleOptionNames = ['jitter'] as const satisfies readonly (keyof FixedScheduleOptions)[];

function checkNumber(name: string, value: unknown): void {
  if (typeof value !== 'number') throw optionError(undefined, `${name} must be a number, got ${JSON.stringify(value) ?? typeof value}`);
}

function checkJitter(jitter: number): void {
  if (!(jitter >= 0 && jitter <= 1)) throw optionError(undefined, `jitter must be between 0 and 1, got ${jitter}`);
}

function checkAttempts(maxAttempts: number): void {
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw optionError(undefined, `maxAttempts must be a whole number of at least 1, got ${maxAttempts}`);
  }
}

function spread(delay: number, jitter: number, random: () => number): number {
  return Math.max(0, Math.round(delay * (1 + jitter * (2 * random() - 1))));
}

/** Exponential backoff with jitter and a cap: `base · factor^(n-1)`, at most `maxDelayMs`. */
export function exponentialBackoff(options: ExponentialBackoffOptions = {}): RetryPolicy {
  checkOptionsObject(undefined, 'the options of exponentialBackoff', options, backoffOptionNames);
  const { baseDelayMs = 1000, maxDelayMs = 3_600_000, factor = 2, jitter = 0.2, maxAttempts = 10 } = options;
  for (const [name, value] of Object.entries({ baseDelayMs, maxDelayMs, factor, jitter, maxAttempts })) checkNumber(name, value);
  if (!(baseDelayMs >= 0) || !(maxDelayMs >= baseDelayMs)) {
    throw optionError(undefined, `baseDelayMs (${baseDelayMs}) must be at least 0 and at most maxDelayMs (${maxDelayMs})`);
  }
  if (!(factor >= 1)) throw optionError(undefined, `factor must be at least 1, got ${factor}`);
  checkJitter(jitter);
  checkAttempts(maxAttempts);
  return {
    maxAttempts,
    delayMs(attempts, random) {
      const exponent = Math.max(0, attempts - 1);
      const delay = Math.min(maxDelayMs, baseDelayMs * factor ** exponent);
      return spread(delay, jitter, random);
    },
  };
}

/** Options of {@link fixedSchedule}. */
export interface FixedScheduleOptions {
  /**
   * Random spread around each delay, as a fraction.
   * @default 0.1
   */
  readonly jitter?: number;
}

/**
 * A fixed schedule of delays: after the n-th failure wait `delaysMs[n-1]`; the
 * delivery is dead after `delaysMs.length + 1` attempts.
 */
export function fixedSchedule(delaysMs: readonly number[], options: FixedScheduleOptions = {}): RetryPolicy {
  if (!Array.isArray(delaysMs)) throw optionError(undefined, `fixedSchedule needs a list of delays in milliseconds, such as fixedSchedule([1000, 5000]); got ${typeof delaysMs}`);
  checkOptionsObject(undefined, 'the options of fixedSchedule', options, scheduleOptionNames);
  const { jitter = 0.1 } = options;
  checkNumber('jitter', jitter);
  checkJitter(jitter);
  if (delaysMs.some((d) => typeof d !== 'number' || !(d >= 0) || !Number.isFinite(d))) {
    throw optionError(undefined, 'every delay of a fixed schedule must be a finite number of milliseconds, at least 0');
  }
  const delays = [...delaysMs];
  return {
    maxAttempts: delays.length + 1,
    delayMs(attempts, random) {
      const delay = delays[Math.min(delays.length, Math.max(1, attempts)) - 1] ?? 0;
      return spread(delay, jitter, random);
    },
  };
}

/**
 * The wait before the next attempt, in ms: the schedule's delay, lengthened by the
 * endpoint's retry-after hint (HTTP `Retry-After`, RFC 9110 §10.2.3) when the hint asks
 * for longer, up to `maxHintMs`. A hint never shortens the schedule: a `Retry-After: 0`
 * or a date in the past counts as 0, so an endpoint that answers it on every attempt
 * still gets the schedule's spacing instead of a burst that uses every attempt at once.
 * The one rule for every transport's hint.
 */
export function retryDelayMs(scheduledMs: number, hintMs: number | undefined, maxHintMs: number): number {
  if (hintMs === undefined || !(hintMs > scheduledMs)) return scheduledMs;
  return Math.max(scheduledMs, Math.min(hintMs, maxHintMs));
}

/**
 * The parts of a {@link RetryPolicy} a service relies on, checked when it is given.
 * `name` is the option's name in messages, `source` the package raising them.
 * @throws TypeError (`code` `INVALID_OPTION`) naming the option.
 */
export function checkRetryPolicy(policy: unknown, name: string, source?: string): RetryPolicy {
  if (policy === null || typeof policy !== 'object') {
    throw optionError(source, `${name} must be a retry policy such as exponentialBackoff() or fixedSchedule([1000, 5000]), got ${describeValue(policy)}`);
  }
  const { maxAttempts, delayMs } = policy as Partial<RetryPolicy>;
  if (typeof delayMs !== 'function') {
    const hint = Array.isArray((policy as Record<string, unknown>)['delaysMs']) ? ` (for a list of delays use fixedSchedule(${JSON.stringify((policy as Record<string, unknown>)['delaysMs'])}))` : '';
    throw optionError(source, `${name}.delayMs must be a function (attempts, random) => milliseconds${hint}; build the policy with exponentialBackoff() or fixedSchedule()`);
  }
  if (typeof maxAttempts !== 'number' || !Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw optionError(source, `${name}.maxAttempts must be a whole number of at least 1, got ${String(maxAttempts)}`);
  }
  return policy as RetryPolicy;
}
