import { afterEach, beforeEach, vi } from 'vitest';

/**
 * Puts every test of the file on vitest's fake clock. Returns a list the tests push clean-ups
 * onto; they run after each test, before the real clock is back.
 */
export function useFakeClock(): (() => void)[] {
  const cleanups: (() => void)[] = [];
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    cleanups.splice(0).forEach((c) => c());
    vi.useRealTimers();
  });
  return cleanups;
}

/** Advances the fake clock in 5 ms steps until `check` holds; fails after `limitMs` of fake time. */
export async function advanceUntil(check: () => boolean, what: string, limitMs = 5000): Promise<void> {
  for (let t = 0; !check(); t += 5) {
    if (t > limitMs) throw new Error(`no ${what} within ${limitMs} ms of fake time`);
    await vi.advanceTimersByTimeAsync(5);
  }
}
