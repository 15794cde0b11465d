import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLiveness } from '../../src/liveness';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

/**
 * A liveness watcher on the fake clock: advance() moves time and runs the timers due; jump() moves
 * only the clock, as a throttled background tab sees it.
 */
function setup(options: Parameters<typeof createLiveness>[0]) {
  const pings: number[] = [];
  const deaths: string[] = [];
  const l = createLiveness(options, () => pings.push(Date.now()), (r) => deaths.push(r));
  return { l, pings, deaths, advance: (ms: number) => vi.advanceTimersByTime(ms), jump: (ms: number) => vi.setSystemTime(Date.now() + ms) };
}

describe('heartbeat and staleTimeout (clock-based)', () => {
  it('pings after an idle interval and reconnects when nothing answers within timeout', () => {
    const t = setup({ heartbeat: { interval: 1000, timeout: 500 }, staleTimeout: undefined });
    t.l.start();
    t.advance(900);
    expect(t.pings).toHaveLength(0);
    t.advance(200);
    expect(t.pings).toHaveLength(1);
    t.advance(300); // the ping went out at 1000 ms: 400 ms without an answer
    expect(t.deaths).toEqual([]);
    t.advance(200);
    expect(t.deaths[0]).toMatch(/no answer to the heartbeat ping within \d+ ms \(heartbeat.timeout 500 ms\)/);
  });

  it('an answer keeps the link alive; traffic postpones pings', () => {
    const t = setup({ heartbeat: { interval: 1000, timeout: 500 }, staleTimeout: undefined });
    t.l.start();
    t.advance(1100);
    expect(t.pings).toHaveLength(1);
    t.l.frame(); // the pong
    for (let i = 0; i < 20; i++) {
      t.advance(300);
      t.l.frame();
    }
    expect(t.pings).toHaveLength(1); // no pings while frames flow
    expect(t.deaths).toEqual([]);
    t.advance(1100);
    expect(t.pings).toHaveLength(2); // idle again: a ping
  });

  it('a throttled tab: timers a minute late raise no false alarm, because a late ping gets its full timeout', () => {
    const t = setup({ heartbeat: { interval: 1000, timeout: 500 }, staleTimeout: undefined });
    t.l.start();
    t.jump(60_000); // the clock moved, no timer ran
    vi.advanceTimersByTime(250); // now one late check runs
    expect(t.pings).toHaveLength(1);
    expect(t.deaths).toEqual([]);
    t.l.frame(); // the pong
    t.jump(60_000);
    vi.advanceTimersByTime(250);
    expect(t.deaths).toEqual([]);
  });

  it('staleTimeout: no frame at all for that long reconnects; frames keep it alive; stop() ends the checks', () => {
    const t = setup({ heartbeat: undefined, staleTimeout: 2000 });
    t.l.start();
    t.advance(1500);
    t.l.frame();
    t.advance(1500);
    expect(t.deaths).toEqual([]);
    t.advance(600);
    expect(t.deaths[0]).toMatch(/no frame from the server for \d+ ms \(staleTimeout 2000 ms\)/);
    expect(vi.getTimerCount()).toBe(0);
    t.l.start();
    t.l.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('off by default: no timers at all', () => {
    const t = setup({ heartbeat: undefined, staleTimeout: undefined });
    t.l.start();
    expect(vi.getTimerCount()).toBe(0);
  });
});
