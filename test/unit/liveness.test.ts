import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ArgumentError } from '../../src/index';
import { liveness, type LivenessOptions } from '../../src/liveness';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

/**
 * A liveness watcher on the fake clock: advance() moves time and runs the timers due; jump() moves
 * only the clock, as a throttled background tab sees it.
 */
function setup(options: LivenessOptions) {
  const pings: number[] = [];
  const deaths: string[] = [];
  const feature = liveness(options);
  const start = () => feature.watch({ ping: () => pings.push(Date.now()), dead: (r) => deaths.push(r) });
  return { feature, start, pings, deaths, advance: (ms: number) => vi.advanceTimersByTime(ms), jump: (ms: number) => vi.setSystemTime(Date.now() + ms) };
}

describe('heartbeat and staleTimeout (clock-based)', () => {
  it('pings after an idle interval and declares the link dead when nothing answers within timeout', () => {
    const t = setup({ heartbeat: { interval: 1000, timeout: 500 } });
    t.start();
    t.advance(900);
    expect(t.pings).toHaveLength(0);
    t.advance(200);
    expect(t.pings).toHaveLength(1);
    t.advance(300); // the ping went out at 1000 ms: 400 ms without an answer
    expect(t.deaths).toEqual([]);
    t.advance(200);
    expect(t.deaths[0]).toMatch(/no answer to the heartbeat ping within \d+ ms \(heartbeat.timeout 500 ms\)/);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('an answer keeps the link alive; traffic postpones pings', () => {
    const t = setup({ heartbeat: { interval: 1000, timeout: 500 } });
    const w = t.start();
    t.advance(1100);
    expect(t.pings).toHaveLength(1);
    w.frame(); // the pong
    for (let i = 0; i < 20; i++) {
      t.advance(300);
      w.frame();
    }
    expect(t.pings).toHaveLength(1); // no pings while frames flow
    expect(t.deaths).toEqual([]);
    t.advance(1100);
    expect(t.pings).toHaveLength(2); // idle again: a ping
  });

  it('a throttled tab: timers a minute late raise no false alarm, because a late ping gets its full timeout', () => {
    const t = setup({ heartbeat: { interval: 1000, timeout: 500 } });
    const w = t.start();
    t.jump(60_000); // the clock moved, no timer ran
    vi.advanceTimersByTime(250); // now one late check runs
    expect(t.pings).toHaveLength(1);
    expect(t.deaths).toEqual([]);
    w.frame(); // the pong
    t.jump(60_000);
    vi.advanceTimersByTime(250);
    expect(t.deaths).toEqual([]);
  });

  it('staleTimeout: no frame at all for that long is a dead link; frames keep it alive; stop() ends the checks', () => {
    const t = setup({ staleTimeout: 2000 });
    expect(t.feature.action).toBeUndefined(); // no pings, so no control action of its own
    const w = t.start();
    t.advance(1500);
    w.frame();
    t.advance(1500);
    expect(t.deaths).toEqual([]);
    t.advance(600);
    expect(t.deaths[0]).toMatch(/no frame from the server for \d+ ms \(staleTimeout 2000 ms\)/);
    expect(vi.getTimerCount()).toBe(0);
    t.start().stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it.each([
    [{}, 'liveness options must be given { heartbeat } or { staleTimeout }'],
    [{ heartbeat: { interval: 0, timeout: 100 } }, 'heartbeat.interval must be a number of ms in (0, 2147483647], got 0.'],
    [{ heartbeat: { interval: 100, timeout: Number.NaN } }, 'heartbeat.timeout must be a number of ms in (0, 2147483647], got NaN.'],
    [{ heartbeat: { interval: 100, timeout: 2 ** 31 } }, 'heartbeat.timeout must be a number of ms in (0, 2147483647], got 2147483648.'],
    [{ staleTimeout: Infinity }, 'staleTimeout must be a number of ms in (0, 2147483647], got Infinity.'],
    [{ heartbeat: { interval: 100, timeout: 100, action: '' } }, 'heartbeat.action must be a non-empty string, got "".'],
  ])('bad options %j are an ArgumentError naming the option, the value and the range', (options, message) => {
    expect(() => liveness(options as LivenessOptions)).toThrow(ArgumentError);
    expect(() => liveness(options as LivenessOptions)).toThrow(message);
  });

  it('the heartbeat action becomes a control action', () => {
    expect(liveness({ heartbeat: { interval: 1, timeout: 1 } }).action).toBe('ping');
    expect(liveness({ heartbeat: { interval: 1, timeout: 1, action: 'hb' } }).action).toBe('hb');
  });
});
