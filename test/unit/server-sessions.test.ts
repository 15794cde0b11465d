import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSessions } from '../server/resume.mjs';

/** The test server's resume session store (test/server/resume.mjs) on its own, on fake timers. */
const limits = { bufferFrames: 10, bufferBytes: 1 << 20, ttlSeconds: 60, maxSessions: 3 };
afterEach(() => void vi.useRealTimers());

describe('createSessions(): the resume session store', () => {
  it('a session a newer one replaced, ended or detached late, never takes the newer one with it', () => {
    vi.useFakeTimers();
    const store = createSessions(limits);
    const old = store.create('session-1');
    // Its client came back and could not resume: the hub ends the old session and makes a new one.
    store.forget(old);
    const now = store.create('session-1');
    const ended = vi.fn();
    // Then the old link's socket finally closes.
    store.forget(old);
    store.detached(old, ended);
    vi.advanceTimersByTime(limits.ttlSeconds * 1000 + 1);
    expect(ended).toHaveBeenCalledOnce();
    expect(store.get('session-1')).toBe(now);
    expect(store.size).toBe(1);
    store.close();
  });

  it('an id it keeps is not given to a new session: that one numbers frames for its link, is not kept, and ends with its link', () => {
    const store = createSessions(limits);
    const held = store.create('session-1');
    const other = store.create('session-1');
    expect(store.number(other, '{"action":"x"}')).toBe('{"action":"x","wcSeq":1}');
    expect([store.holds(held), store.holds(other), store.size]).toEqual([true, false, 1]);
    expect(store.resume(other, 0)).toBeUndefined();
    const ended = vi.fn();
    store.detached(other, ended);
    expect(ended).toHaveBeenCalledOnce();
    expect(store.get('session-1')).toBe(held);
    store.close();
  });

  it('full, it makes room by expiring the session away longest (with what its expiry ends), never a live one; with none away, a new session is not kept', () => {
    const store = createSessions(limits);
    const live = store.create('live-0001');
    const [a, b] = [store.create('away-0001'), store.create('away-0002')];
    const [endedA, endedB] = [vi.fn(), vi.fn()];
    store.detached(b, endedB);
    store.detached(a, endedA);
    expect(store.holds(store.create('new-00001'))).toBe(true);
    expect([endedB.mock.calls.length, endedA.mock.calls.length]).toEqual([1, 0]);
    // A session whose client came back is live again.
    expect(store.resume(a, 0)).toEqual([]);
    expect(store.holds(store.create('new-00002'))).toBe(false);
    expect(endedA).not.toHaveBeenCalled();
    expect([live, a].map((s) => store.holds(s))).toEqual([true, true]);
    expect(store.size).toBe(3);
    store.close();
  });
});
