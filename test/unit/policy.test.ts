import { describe, expect, it } from 'vitest';
import { defaultShouldReconnect, fullJitterDelay, type WebConnectionError } from '../../src/index';
import { STABLE_MS, createPolicy, type PolicySettings } from '../../src/transport/policy';

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

describe('the reconnect policy: one place decides, user functions guarded', () => {
  const settings = { minDelay: 1000, maxDelay: 30_000, factor: 2, maxRetries: Infinity, retryDelay: undefined, shouldReconnect: undefined };
  const drop = (code = 1006, opened = true) => ({ code, reason: '', wasClean: false, opened });
  const make = (overrides: Partial<PolicySettings> = {}, auto = true) => {
    const reports: WebConnectionError[] = [];
    return { policy: createPolicy({ ...settings, ...overrides }, auto, (e) => reports.push(e)), reports };
  };

  it('counts failures in a row; a link that stayed up STABLE_MS starts the count afresh', () => {
    const { policy } = make({ retryDelay: (a) => a * 10 });
    expect(policy.next(drop(), 0)).toEqual({ attempt: 1, delay: 10 });
    expect(policy.next(drop(), 100)).toEqual({ attempt: 2, delay: 20 });
    expect(policy.next(drop(), STABLE_MS)).toEqual({ attempt: 1, delay: 10 });
    policy.next(drop(), 0);
    policy.reset();
    expect(policy.next(drop(), 0)).toEqual({ attempt: 1, delay: 10 });
  });

  it('stops with a code a program can switch on: retries-exhausted, server-refused, no-reconnect', () => {
    const limited = make({ maxRetries: 1 }).policy;
    expect(limited.next(drop(), 0)).toMatchObject({ attempt: 1 });
    expect(limited.next(drop(), 0)).toEqual({ stop: 'retries-exhausted', reason: 'gave up after 2 failed attempts (maxRetries 1)' });
    expect(make().policy.next({ code: 4401, reason: 'token', wasClean: true, opened: true }, 0)).toEqual({
      stop: 'server-refused',
      reason: 'closed with 4401 (token); shouldReconnect said not to reconnect',
    });
    expect(make({}, false).policy.next(drop(1001), 9999)).toEqual({ stop: 'no-reconnect', reason: 'closed with 1001; automatic reconnect is off' });
  });

  it.each([
    ['throws', () => { throw new Error('bug'); }, 'reconnect.retryDelay threw; the default was used.'],
    ['gives NaN', () => Number.NaN, 'reconnect.retryDelay gave NaN; the default was used.'],
    ['gives Infinity', () => Infinity, 'reconnect.retryDelay gave Infinity; the default was used.'],
    ['gives 2 ** 31', () => 2 ** 31, 'reconnect.retryDelay gave 2147483648; the default was used.'],
    ['gives -1', () => -1, 'reconnect.retryDelay gave -1; the default was used.'],
  ])('a retryDelay that %s is reported (policy-invalid) and the full-jitter default decides that attempt', (_what, retryDelay, message) => {
    const { policy, reports } = make({ retryDelay: retryDelay as (a: number) => number });
    const d = policy.next(drop(), 0);
    expect(d.stop).toBeUndefined();
    expect((d as { delay: number }).delay).toBeGreaterThanOrEqual(0);
    expect((d as { delay: number }).delay).toBeLessThanOrEqual(1000);
    expect(reports.map((e) => [e.code, e.message])).toEqual([['policy-invalid', message]]);
  });

  it('a shouldReconnect that throws is reported and the default decides', () => {
    const { policy, reports } = make({ shouldReconnect: () => { throw new Error('bug'); } });
    expect(policy.next(drop(1001), 0)).toMatchObject({ attempt: 1 });
    expect(policy.next({ code: 4403, reason: '', wasClean: true, opened: true }, 0)).toMatchObject({ stop: 'server-refused' });
    expect(reports.map((e) => e.code)).toEqual(['policy-invalid', 'policy-invalid']);
    expect(reports[0]!.cause).toEqual(new Error('bug'));
  });
});
