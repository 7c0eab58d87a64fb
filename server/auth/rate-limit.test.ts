import { describe, expect, it } from 'vitest';
import { createRateLimiter } from './rate-limit.ts';

describe('createRateLimiter', () => {
  it('allows a burst of `capacity`, then one per refill period, per key', () => {
    const limiter = createRateLimiter({ capacity: 2, refillPerSecond: 0.5 });
    expect([limiter.take('a', 0), limiter.take('a', 0), limiter.take('a', 0)]).toEqual([true, true, false]);
    expect(limiter.take('b', 0)).toBe(true);
    expect(limiter.retryAfter('a', 0)).toBe(2);
    expect(limiter.take('a', 1999)).toBe(false);
    expect(limiter.take('a', 2000)).toBe(true);
  });

  it('forgets the least recently seen keys beyond maxKeys', () => {
    const limiter = createRateLimiter({ capacity: 1, refillPerSecond: 0.001, maxKeys: 2 });
    limiter.take('a', 0);
    limiter.take('b', 0);
    limiter.take('c', 0);
    expect(limiter.allowed('a', 0)).toBe(true); // forgotten: a fresh bucket
    expect(limiter.allowed('c', 0)).toBe(false);
  });

  it('checks its options when made', () => {
    expect(() => createRateLimiter({ capacity: 0, refillPerSecond: 1 })).toThrow(/capacity/);
    expect(() => createRateLimiter({ capacity: 1, refillPerSecond: 0 })).toThrow(/refillPerSecond/);
  });
});
