/**
 * `webconnection-websocket/liveness`: dead-link detection, opt-in.
 * @example
 * import { liveness } from 'webconnection-websocket/liveness';
 * const socket = new WebConnectionWebSocket({ liveness: liveness({ heartbeat: { interval: 25_000, timeout: 10_000 } }) });
 */
import { badArgument } from './errors';
import type { LivenessFeature } from './options';
import { MAX_TIMER_MS } from './transport/policy';

/** App-level keep-alive: a ping every `interval` of quiet; the link is dead when nothing arrives within `timeout` of a ping. */
export interface HeartbeatOptions {
  /** Quiet time before a ping, in ms. */
  interval: number;
  /** Time to wait for any frame after a ping, in ms. */
  timeout: number;
  /** The action (or tag) of the ping message. @default "ping" */
  action?: string;
}

/** What {@link liveness} watches for; give one or both. */
export interface LivenessOptions {
  /** Ping when idle and expect an answer. @default undefined */
  heartbeat?: HeartbeatOptions;
  /** The link is dead when no frame at all arrives for this long, in ms (for servers that push ticks). @default undefined */
  staleTimeout?: number;
}

const ms = (name: string, value: unknown): number => {
  if (typeof value === 'number' && value > 0 && value <= MAX_TIMER_MS) return value;
  throw badArgument(name, `a number of ms in (0, ${MAX_TIMER_MS}]`, value);
};

/**
 * Dead-link detection for the `liveness` option. A link found dead is dropped as broken (close
 * 1006, a `SilentLinkError`), then reconnected after the usual backoff. Everything is measured
 * from the clock, never by counting timer ticks: a background tab may run timers a minute late,
 * so a late check neither raises a false alarm (a ping sent late gets its full `timeout` from
 * when it really went out) nor misses a dead link (the check compares timestamps, and runs at
 * once when the page becomes visible again).
 * @param options what to watch for: `heartbeat`, `staleTimeout`, or both
 * @param now the clock, in ms (tests pass a fake one); Date.now by default
 * @throws {ArgumentError} for a period that is not a number of ms in (0, 2^31-1]
 */
export function liveness({ heartbeat, staleTimeout }: LivenessOptions, now: () => number = Date.now): LivenessFeature {
  const periods = [
    ...(heartbeat ? [ms('heartbeat.interval', heartbeat.interval), ms('heartbeat.timeout', heartbeat.timeout)] : []),
    ...(staleTimeout === undefined ? [] : [ms('staleTimeout', staleTimeout)]),
  ];
  if (!periods.length) throw badArgument('liveness options', 'given { heartbeat } or { staleTimeout }', { heartbeat, staleTimeout });
  const action = heartbeat && (heartbeat.action ?? 'ping');
  if (action !== undefined && (typeof action !== 'string' || !action)) throw badArgument('heartbeat.action', 'a non-empty string', action);
  return {
    action,
    watch({ ping, dead }) {
      let lastFrame = now();
      let lastPing = 0;
      const doc = (globalThis as { document?: EventTarget & { visibilityState?: string } }).document;
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
            ping();
          }
        }
      };
      const onVisible = () => doc?.visibilityState === 'visible' && check();
      // Often enough to notice within a small fraction of the shortest period.
      const timer = setInterval(check, Math.max(10, Math.min(...periods) / 4));
      doc?.addEventListener('visibilitychange', onVisible);
      const stop = () => {
        clearInterval(timer);
        doc?.removeEventListener('visibilitychange', onVisible);
      };
      const die = (reason: string) => {
        stop();
        dead(reason);
      };
      return {
        frame: () => void (lastFrame = now()),
        stop,
      };
    },
  };
}
