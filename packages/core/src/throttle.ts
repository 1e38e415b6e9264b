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
  return {
    take(key, now) {
      let bucket = buckets.get(key);
      if (bucket === undefined) {
        bucket = { tokens: burst, updatedAt: now };
        buckets.set(key, bucket);
      } else {
        const elapsed = Math.max(0, now - bucket.updatedAt);
        bucket.tokens = Math.min(burst, bucket.tokens + (elapsed / 1000) * rate);
        bucket.updatedAt = now;
      }
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return 0;
      }
      return Math.ceil(((1 - bucket.tokens) / rate) * 1000);
    },
  };
}
