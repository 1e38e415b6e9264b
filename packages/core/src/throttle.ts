/**
 * Token buckets, one per key (a caller, a user), kept in a bounded LRU cache so that
 * many distinct keys cannot grow memory without limit.
 */
import { LRUCache } from 'lru-cache';
import { optionError } from './errors.js';
import { rejectUnknownOptions } from './option-checks.js';

/** A rate: `ratePerSecond` tokens refill each second, up to `burst`. */
export interface RateLimit {
  /** Sustained sends per second. */
  readonly ratePerSecond: number;
  /**
   * Sends allowed at once after a quiet period.
   * @default ratePerSecond (at least 1)
   */
  readonly burst?: number;
}

const rateLimitNames = ['ratePerSecond', 'burst'] as const satisfies readonly (keyof RateLimit)[];

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** A set of token buckets sharing one rate. */
export interface TokenBuckets {
  /**
   * Takes a token for `key` at time `now`. Returns 0 when one was available, else the
   * milliseconds until one will be.
   */
  take(key: string, now: number): number;
  /** What {@link take} would answer at `now`, taking nothing (a dry run's check). */
  peek(key: string, now: number): number;
}

/** Creates token buckets for `limit`, remembering at most `maxKeys` keys (least recently used go first). */
export function createTokenBuckets(limit: RateLimit, maxKeys: number, what: string): TokenBuckets {
  if (limit === null || typeof limit !== 'object') throw optionError(undefined, `${what} must be an object such as { ratePerSecond: 10 }`);
  rejectUnknownOptions(what, limit, rateLimitNames);
  const rate = limit.ratePerSecond;
  if (!(rate > 0) || !Number.isFinite(rate)) throw optionError(undefined, `${what}.ratePerSecond must be a positive number, got ${rate}`);
  const burst = limit.burst ?? Math.max(1, rate);
  if (!(burst >= 1) || !Number.isFinite(burst)) throw optionError(undefined, `${what}.burst must be at least 1, got ${burst}`);
  if (!Number.isInteger(maxKeys) || maxKeys < 1) throw optionError(undefined, `throttle.maxTrackedKeys must be a whole number of at least 1`);
  const buckets = new LRUCache<string, Bucket>({ max: maxKeys });
  const waitFor = (tokens: number): number => (tokens >= 1 ? 0 : Math.ceil(((1 - tokens) / rate) * 1000));
  const refilled = (bucket: Bucket, now: number): number => Math.min(burst, bucket.tokens + (Math.max(0, now - bucket.updatedAt) / 1000) * rate);
  return {
    take(key, now) {
      let bucket = buckets.get(key);
      if (bucket === undefined) {
        bucket = { tokens: burst, updatedAt: now };
        buckets.set(key, bucket);
      } else {
        bucket.tokens = refilled(bucket, now);
        bucket.updatedAt = now;
      }
      const wait = waitFor(bucket.tokens);
      if (wait === 0) bucket.tokens -= 1;
      return wait;
    },
    peek(key, now) {
      // peek, not get: a dry run must not make a key look recently used either.
      const bucket = buckets.peek(key);
      return bucket === undefined ? 0 : waitFor(refilled(bucket, now));
    },
  };
}
