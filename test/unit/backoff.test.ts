import { describe, expect, it } from 'vitest';
import { defaultShouldReconnect, fullJitterDelay } from '../../src/index';

describe('backoff', () => {
  const opts = { minDelay: 1000, maxDelay: 30_000, factor: 2 };
  it('full jitter: a fresh draw in [0, min(maxDelay, minDelay * factor^(attempt-1))]', () => {
    expect(fullJitterDelay(1, opts, () => 0.999999)).toBe(1000);
    expect(fullJitterDelay(1, opts, () => 0)).toBe(0);
    expect(fullJitterDelay(3, opts, () => 0.5)).toBe(2000);
    expect(fullJitterDelay(20, opts, () => 1)).toBe(30_000);
    const draws = new Set(Array.from({ length: 50 }, () => fullJitterDelay(4, opts)));
    expect(draws.size).toBeGreaterThan(40); // no shared per-page base: every attempt draws anew
    for (const d of draws) expect(d).toBeGreaterThanOrEqual(0), expect(d).toBeLessThanOrEqual(8000);
  });

  it('default close policy: stop on 1008, 4401, 4403; reconnect otherwise', () => {
    const close = (code: number) => ({ code, reason: '', wasClean: true, opened: true });
    expect([1000, 1001, 1006, 1009, 1011, 4000, 4408].map((c) => defaultShouldReconnect(close(c)))).toEqual(Array(7).fill(true));
    expect([1008, 4401, 4403].map((c) => defaultShouldReconnect(close(c)))).toEqual([false, false, false]);
  });
});
