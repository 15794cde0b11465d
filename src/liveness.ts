import type { HeartbeatOptions } from './options';

export interface LivenessOptions {
  heartbeat: HeartbeatOptions | undefined;
  staleTimeout: number | undefined;
}

export interface Liveness {
  /** Starts watching a link that just opened. */
  start(): void;
  /** Any frame arrived. */
  frame(): void;
  stop(): void;
}

/**
 * Dead-link detection. Everything is measured from the clock, never by counting timer ticks: a
 * background tab may run timers a minute late, so a late check must neither raise a false alarm
 * (a ping sent late is given its full `timeout` from when it really went out) nor miss a dead link
 * (the check compares timestamps, and runs at once when the page becomes visible again).
 */
export function createLiveness(
  { heartbeat, staleTimeout }: LivenessOptions,
  sendPing: () => void,
  dead: (reason: string) => void,
  now: () => number = Date.now,
): Liveness {
  const periods = [heartbeat?.interval, heartbeat?.timeout, staleTimeout].filter((n): n is number => !!n && n > 0);
  let timer: ReturnType<typeof setInterval> | undefined;
  let lastFrame = 0;
  let lastPing = 0;
  // Read when a link opens, not at construction: creating a client must not touch the page.
  let doc: (EventTarget & { visibilityState?: string }) | undefined;

  const check = () => {
    const t = now();
    if (staleTimeout && t - lastFrame >= staleTimeout) {
      return die(`no frame from the server for ${t - lastFrame} ms (staleTimeout ${staleTimeout} ms)`);
    }
    if (heartbeat) {
      if (lastPing > lastFrame && t - lastPing >= heartbeat.timeout) {
        return die(`no answer to the heartbeat ping within ${t - lastPing} ms (heartbeat.timeout ${heartbeat.timeout} ms)`);
      }
      if (lastPing <= lastFrame && t - Math.max(lastPing, lastFrame) >= heartbeat.interval) {
        lastPing = t;
        sendPing();
      }
    }
  };
  const onVisible = () => {
    if (doc?.visibilityState === 'visible') check();
  };
  const die = (reason: string) => {
    stop();
    dead(reason);
  };
  const stop = () => {
    clearInterval(timer);
    timer = undefined;
    doc?.removeEventListener('visibilitychange', onVisible);
  };

  return {
    start() {
      stop();
      if (!periods.length) return;
      lastFrame = now();
      lastPing = 0;
      doc = (globalThis as { document?: EventTarget & { visibilityState?: string } }).document;
      // Check often enough to notice within a small fraction of the shortest period.
      timer = setInterval(check, Math.max(10, Math.min(...periods) / 4));
      doc?.addEventListener('visibilitychange', onVisible);
    },
    frame() {
      if (timer !== undefined) lastFrame = now();
    },
    stop,
  };
}
