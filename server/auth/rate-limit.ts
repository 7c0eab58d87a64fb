/**
 * A token bucket per key (client address): `capacity` attempts at once, then
 * `refillPerSecond`. In memory, per process: enough to slow down guessing
 * tokens or enrolling in a loop, which is all it is for.
 *
 * @example
 * const failures = createRateLimiter({ capacity: 20, refillPerSecond: 0.2 });
 * if (!failures.take(ip)) return tooManyRequests();
 */
export interface RateLimitOptions {
  capacity: number;
  refillPerSecond: number;
  /** Most keys remembered; the least recently seen are forgotten first (default 10,000). */
  maxKeys?: number;
}

export interface RateLimiter {
  /** Takes one token from `key`'s bucket; false when it is empty. */
  take(key: string, now?: number): boolean;
  /** Whether `key` has a token left, without taking it. */
  allowed(key: string, now?: number): boolean;
  /** Seconds until `key` has a token again (0 when it has one). */
  retryAfter(key: string, now?: number): number;
}

/**
 * @example createRateLimiter({ capacity: 5, refillPerSecond: 1 / 60 }) // 5 at once, then one a minute
 */
export function createRateLimiter(opts: RateLimitOptions): RateLimiter {
  if (!(Number.isInteger(opts.capacity) && opts.capacity >= 1)) {
    throw new RangeError(`capacity must be a whole number >= 1, got ${opts.capacity}`);
  }
  if (!(opts.refillPerSecond > 0 && Number.isFinite(opts.refillPerSecond))) {
    throw new RangeError(`refillPerSecond must be > 0, got ${opts.refillPerSecond}`);
  }
  const maxKeys = opts.maxKeys ?? 10_000;
  const buckets = new Map<string, { tokens: number; at: number }>();

  const level = (key: string, now: number) => {
    const bucket = buckets.get(key);
    if (!bucket) return opts.capacity;
    return Math.min(opts.capacity, bucket.tokens + ((now - bucket.at) / 1000) * opts.refillPerSecond);
  };

  return {
    take(key, now = Date.now()) {
      const tokens = level(key, now);
      if (tokens < 1) return false;
      buckets.delete(key); // re-insert: Map order is then least recently used first
      buckets.set(key, { tokens: tokens - 1, at: now });
      if (buckets.size > maxKeys) buckets.delete(buckets.keys().next().value!);
      return true;
    },
    allowed: (key, now = Date.now()) => level(key, now) >= 1,
    retryAfter(key, now = Date.now()) {
      const tokens = level(key, now);
      return tokens >= 1 ? 0 : Math.ceil((1 - tokens) / opts.refillPerSecond);
    },
  };
}
