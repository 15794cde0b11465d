/**
 * `webconnection-websocket/network`: waits between reconnect attempts that the browser cuts
 * short. Opt-in, so code that does not need it does not ship it.
 * @example
 * import { networkSignals } from 'webconnection-websocket/network';
 * const socket = new WebConnectionWebSocket({ network: networkSignals() });
 */
import type { Wait } from './transport/types';

/** The feature object the `network` option takes. */
export interface NetworkSignals {
  /** Sleeps `ms` between attempts, or less; see {@link networkSignals}. */
  wait(ms: number): Wait;
}

type Target = { addEventListener(type: string, fn: () => void): void; removeEventListener(type: string, fn: () => void): void };

/**
 * The backoff wait ends early when the network comes back (`online`) or the page becomes
 * visible, and while the browser says it is offline there is no timer at all: only `online`, a
 * visible page or an explicit `reconnect()` ends the wait. Listeners exist only during a wait, so
 * nothing leaks across reconnects. Without a window (Node, workers) it is a plain timer.
 */
export function networkSignals(): NetworkSignals {
  return {
    wait(ms) {
      let wake!: () => void;
      const promise = new Promise<void>((resolve) => {
        const g = globalThis as unknown as Partial<Target> & { document?: Target & { visibilityState?: string }; navigator?: { onLine?: boolean } };
        const win = typeof g.addEventListener === 'function' ? (g as Target) : undefined;
        const doc = g.document;
        const onVisible = () => doc?.visibilityState === 'visible' && done();
        let timer: ReturnType<typeof setTimeout> | undefined;
        const done = () => {
          clearTimeout(timer);
          win?.removeEventListener('online', done);
          doc?.removeEventListener('visibilitychange', onVisible);
          resolve();
        };
        wake = done;
        win?.addEventListener('online', done);
        doc?.addEventListener('visibilitychange', onVisible);
        if (g.navigator?.onLine !== false) timer = setTimeout(done, ms);
      });
      return { promise, wake };
    },
  };
}
