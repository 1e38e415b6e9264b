/**
 * The policy checks of a send, in the order of the reference's error table: a blocked
 * caller (403), the caller's rate (406), whether the caller may act for the user (403),
 * and the user's rate (406); then, for a critical send, whether it may be critical (403).
 * A dry run (`explain`) makes the same checks without taking a throttling token.
 */
import { HeraldError, isHeraldError, optionError } from './errors.js';
import { checkOptionsObject } from './option-checks.js';
import { createTokenBuckets, type RateLimit, type TokenBuckets } from './throttle.js';
import { messageOfThrown } from './thrown-text.js';

/** Who is calling: an app server, a service account, a signed-in user. */
export interface Caller {
  /** A stable id of the caller, used by the blocked list and per-caller throttling. */
  readonly id: string;
  /** Anything else the application's authenticator knows about the caller. */
  readonly [key: string]: unknown;
}

/** Options of the policy checks. */
export interface PolicyOptions {
  /**
   * May `caller` send notifications of `targetHostName` to `userId`? Called for every
   * send; `caller` is undefined for calls made without one.
   * @default every caller may send to every user
   */
  readonly authorize?: (caller: Caller | undefined, userId: string, targetHostName: string) => boolean | Promise<boolean>;
  /**
   * Callers refused outright: a list of caller ids, or a function of the caller.
   * @default none
   */
  readonly blockedCallers?: Iterable<string> | ((caller: Caller) => boolean | Promise<boolean>);
  /** Rates per caller and per user. @default no throttling */
  readonly throttle?: ThrottleOptions;
  /**
   * May `caller` send a `critical` notification of `targetHostName` to `userId`, one that
   * overrides the user's opt-outs and quiet hours (never an inactive, expired, other-app
   * or untargeted endpoint)? Called only for sends with `critical: true`, after `authorize`.
   * @default no send may be critical: they are refused with `CRITICAL_NOT_ALLOWED`
   */
  readonly allowCritical?: (caller: Caller | undefined, userId: string, targetHostName: string) => boolean | Promise<boolean>;
}

/** Throttling rates. */
export interface ThrottleOptions {
  /** Rate of sends per caller. @default unlimited */
  readonly perCaller?: RateLimit;
  /** Rate of sends per target user. @default unlimited */
  readonly perUser?: RateLimit;
  /**
   * Most callers and users tracked at once; the least recently seen are forgotten.
   * @default 10_000
   */
  readonly maxTrackedKeys?: number;
}

/**
 * The compiled policy checks. Each returns a promise only when a hook it runs is
 * asynchronous, so a service without async hooks pays no `await` on every send.
 */
export interface Policies {
  /** Checks the caller alone: blocked list, then its rate (taking a token unless `dryRun`). */
  checkCaller(caller: Caller | undefined, now: number, dryRun?: boolean): Promise<void> | undefined;
  /** Checks the caller against the user: authorization, then the user's rate (taking a token unless `dryRun`). */
  checkTarget(caller: Caller | undefined, userId: string, targetHostName: string, now: number, dryRun?: boolean): Promise<void> | undefined;
  /** Checks that a send may be critical (`allowCritical`); refused with `CRITICAL_NOT_ALLOWED`. */
  checkCritical(caller: Caller | undefined, userId: string, targetHostName: string): Promise<void> | undefined;
}

/** Runs `then` after `value`, synchronously when `value` is not a promise. */
function after<T>(value: T | Promise<T>, then: (resolved: T) => void): Promise<void> | undefined {
  if (value instanceof Promise) return value.then(then);
  then(value);
  return undefined;
}

function throttled(who: string, waitMs: number): HeraldError {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  return new HeraldError('THROTTLED', `too many notifications for this ${who}; retry after ${seconds} second${seconds === 1 ? '' : 's'}`, {
    retryAfterSeconds: seconds,
  });
}

const policyOptionNames = ['authorize', 'blockedCallers', 'throttle', 'allowCritical'] as const satisfies readonly (keyof PolicyOptions)[];
const throttleOptionNames = ['perCaller', 'perUser', 'maxTrackedKeys'] as const satisfies readonly (keyof ThrottleOptions)[];

/** A hook's answer, which must be true or false; anything else is the app's bug, said so. */
function decision(hook: string, answer: unknown): boolean {
  if (typeof answer === 'boolean') return answer;
  throw new HeraldError('POLICY_ERROR', `the ${hook} policy answered ${answer === undefined ? 'undefined (did it forget to return?)' : typeof answer}; it must answer true or false`);
}

/**
 * Calls an application's hook: what it throws (or rejects with) becomes `POLICY_ERROR`,
 * what it answers must be a boolean, sync or async.
 */
function runHook<A extends unknown[]>(hook: string, fn: (...args: A) => unknown, ...args: A): boolean | Promise<boolean> {
  const failed = (error: unknown): never => {
    if (isHeraldError(error)) throw error;
    const reason = messageOfThrown(error);
    throw new HeraldError('POLICY_ERROR', `the ${hook} policy threw: ${reason}`, { cause: error });
  };
  let answer: unknown;
  try {
    answer = fn(...args);
  } catch (error) {
    return failed(error);
  }
  if (answer instanceof Promise) return answer.then((value: unknown) => decision(hook, value), failed);
  return decision(hook, answer);
}

/** Compiles {@link PolicyOptions} into checks. */
export function createPolicies(options: PolicyOptions = {}): Policies {
  checkOptionsObject('policies', 'options.policies', options, policyOptionNames);
  const { authorize, blockedCallers, throttle = {}, allowCritical } = options;
  if (authorize !== undefined && typeof authorize !== 'function') throw optionError(undefined, 'policies.authorize must be a function');
  if (allowCritical !== undefined && typeof allowCritical !== 'function') throw optionError(undefined, 'policies.allowCritical must be a function');
  checkOptionsObject('policies.throttle', 'policies.throttle', throttle, throttleOptionNames);
  let isBlocked: (caller: Caller) => boolean | Promise<boolean> = () => false;
  if (typeof blockedCallers === 'function') {
    isBlocked = (caller) => runHook('blockedCallers', blockedCallers, caller);
  } else if (blockedCallers !== undefined) {
    if (typeof (blockedCallers as Iterable<string>)[Symbol.iterator] !== 'function') {
      throw optionError(undefined, 'policies.blockedCallers must be a list of caller ids or a function');
    }
    const blocked = new Set(blockedCallers);
    isBlocked = (caller) => blocked.has(caller.id);
  }
  const maxKeys = throttle.maxTrackedKeys ?? 10_000;
  const perCaller: TokenBuckets | undefined =
    throttle.perCaller === undefined ? undefined : createTokenBuckets(throttle.perCaller, maxKeys, 'throttle.perCaller');
  const perUser: TokenBuckets | undefined =
    throttle.perUser === undefined ? undefined : createTokenBuckets(throttle.perUser, maxKeys, 'throttle.perUser');

  return {
    checkCaller(caller, now, dryRun = false) {
      if (caller === undefined) return undefined;
      return after(isBlocked(caller), (blocked) => {
        if (blocked) throw new HeraldError('CALLER_BLOCKED', `caller ${JSON.stringify(caller.id)} is blocked`);
        const wait = (dryRun ? perCaller?.peek(caller.id, now) : perCaller?.take(caller.id, now)) ?? 0;
        if (wait > 0) throw throttled('caller', wait);
      });
    },
    checkTarget(caller, userId, targetHostName, now, dryRun = false) {
      return after(authorize === undefined ? true : runHook('authorize', authorize, caller, userId, targetHostName), (allowed) => {
        if (!allowed) {
          const who = caller === undefined ? 'this caller' : `caller ${JSON.stringify(caller.id)}`;
          throw new HeraldError('CALLER_UNAUTHORIZED', `${who} may not send ${targetHostName} notifications to this user`);
        }
        const wait = (dryRun ? perUser?.peek(userId, now) : perUser?.take(userId, now)) ?? 0;
        if (wait > 0) throw throttled('user', wait);
      });
    },
    checkCritical(caller, userId, targetHostName) {
      return after(allowCritical === undefined ? false : runHook('allowCritical', allowCritical, caller, userId, targetHostName), (allowed) => {
        if (allowed) return;
        const who = caller === undefined ? 'this caller' : `caller ${JSON.stringify(caller.id)}`;
        const why = allowCritical === undefined ? ' (no allowCritical policy is set, so no send may be critical)' : '';
        throw new HeraldError('CRITICAL_NOT_ALLOWED', `${who} may not send critical ${targetHostName} notifications to this user${why}`);
      });
    },
  };
}
