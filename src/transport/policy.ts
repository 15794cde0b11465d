import { ConnectError, type ReasonCode, type WebConnectionError } from '../errors';
import type { CloseInfo } from './types';

/** The largest delay a timer honours: browsers and Node fire longer ones at once (~1 ms). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A link that was up this long before it dropped starts the backoff afresh. */
export const STABLE_MS = 5000;

/** Close codes after which the default policy stops reconnecting: policy violation, and auth failures. */
export const NO_RECONNECT_CODES: readonly number[] = [1008, 4401, 4403];

/** What the policy decided after a close: wait `delay` ms and try again, or stop for good. */
export type Decision = { attempt: number; delay: number; stop?: undefined } | { stop: ReasonCode; reason: string };

/**
 * The whole retry schedule in one place: transports report every close (and failed attempt) here
 * and carry out what comes back; none of them counts failures itself.
 */
export interface ReconnectPolicy {
  /** A link closed after `uptime` ms open (0 for an attempt that failed): retry after a delay, or stop. */
  next(info: CloseInfo, uptime: number): Decision;
  /** An explicit `reconnect()`: the failure count starts afresh. */
  reset(): void;
}

/** The settings {@link createPolicy} needs: validated by `resolveOptions`. */
export interface PolicySettings {
  minDelay: number;
  maxDelay: number;
  factor: number;
  maxRetries: number;
  retryDelay: ((attempt: number) => number) | undefined;
  shouldReconnect: ((close: CloseInfo) => boolean) | undefined;
}

/**
 * Exponential backoff with full jitter: a fresh random delay in [0, bound] for every attempt, so
 * clients dropped together spread out instead of coming back together.
 * @param attempt the retry about to be made: 1, 2, ...
 * @param settings the bound starts at `minDelay` ms, grows by `factor` per attempt, and stops at `maxDelay` ms
 * @param random a number in [0, 1); Math.random by default
 * @example fullJitterDelay(3, { minDelay: 1000, maxDelay: 30000, factor: 2 }) // 0..4000
 */
export const fullJitterDelay = (
  attempt: number,
  { minDelay, maxDelay, factor }: { minDelay: number; maxDelay: number; factor: number },
  random: () => number = Math.random,
): number => Math.round(random() * Math.min(maxDelay, minDelay * factor ** Math.max(0, attempt - 1)));

/** The default close policy: stop on 1008 (policy violation), 4401 and 4403 (auth); reconnect otherwise. */
export const defaultShouldReconnect = (close: CloseInfo): boolean => !NO_RECONNECT_CODES.includes(close.code);

/**
 * The policy of one client. User functions run inside a guard: one that throws, or a delay that
 * is not a finite number in [0, 2^31-1] ms, is reported (`policy-invalid`) and the default decides
 * that attempt instead, so a bad callback can neither wedge the client nor make it spin.
 */
export function createPolicy(s: PolicySettings, autoReconnect: boolean, report: (err: WebConnectionError) => void): ReconnectPolicy {
  let failures = 0;
  const guard = <T>(fn: () => T, valid: (v: T) => boolean, name: string, fallback: () => T): T => {
    let v: T | undefined;
    let thrown: unknown;
    try {
      v = fn();
      if (valid(v)) return v;
    } catch (err) {
      thrown = err;
    }
    report(new ConnectError(`reconnect.${name} ${thrown ? 'threw' : `gave ${String(v)}`}; the default was used.`, 'policy-invalid', thrown));
    return fallback();
  };
  return {
    next(info, uptime) {
      failures = uptime >= STABLE_MS ? 1 : failures + 1;
      const because = `${info.code}${info.reason && ` (${info.reason})`}`;
      if (!autoReconnect) return { stop: 'no-reconnect', reason: `closed with ${because}; automatic reconnect is off` };
      const should = s.shouldReconnect;
      if (should ? !guard(() => should(info), () => true, 'shouldReconnect', () => defaultShouldReconnect(info)) : !defaultShouldReconnect(info)) {
        return { stop: 'server-refused', reason: `closed with ${because}; shouldReconnect said not to reconnect` };
      }
      if (failures > s.maxRetries) return { stop: 'retries-exhausted', reason: `gave up after ${failures} failed attempts (maxRetries ${s.maxRetries})` };
      const fallback = () => fullJitterDelay(failures, s);
      const custom = s.retryDelay;
      const delay = custom ? guard(() => custom(failures), (d) => typeof d === 'number' && d >= 0 && d <= MAX_TIMER_MS, 'retryDelay', fallback) : fallback();
      return { attempt: failures, delay };
    },
    reset() {
      failures = 0;
    },
  };
}
