/**
 * Waits that a browser can cut short: the backoff sleep ends early when the network comes back
 * (`online`) or the page becomes visible, and no attempt is made while `navigator.onLine` is false.
 * Listeners exist only while a wait is under way, so nothing leaks across reconnects.
 */
export interface Wait {
  promise: Promise<void>;
  /** Ends the wait now. */
  wake(): void;
}

type Target = { addEventListener(type: string, fn: () => void): void; removeEventListener(type: string, fn: () => void): void };

const target = (): Target | undefined => {
  const g = globalThis as { addEventListener?: unknown };
  return typeof g.addEventListener === 'function' ? (globalThis as unknown as Target) : undefined;
};
const doc = (): (Target & { visibilityState?: string }) | undefined =>
  (globalThis as { document?: Target & { visibilityState?: string } }).document;

export const isOffline = (): boolean => (globalThis as { navigator?: { onLine?: boolean } }).navigator?.onLine === false;

/**
 * Sleeps `ms`, or until woken, the network comes back or the page becomes visible. While the
 * browser says it is offline there is no timer at all: only `online` (or a wake) ends the wait.
 */
export function networkWait(ms: number): Wait {
  let wake!: () => void;
  const promise = new Promise<void>((resolve) => {
    const win = target();
    const d = doc();
    const onVisible = () => {
      if (d?.visibilityState === 'visible') done();
    };
    let timer: ReturnType<typeof setTimeout> | undefined;
    const done = () => {
      clearTimeout(timer);
      win?.removeEventListener('online', done);
      d?.removeEventListener('visibilitychange', onVisible);
      resolve();
    };
    wake = done;
    win?.addEventListener('online', done);
    d?.addEventListener('visibilitychange', onVisible);
    if (!isOffline()) timer = setTimeout(done, ms);
  });
  return { promise, wake };
}
