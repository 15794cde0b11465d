import ReconnectingWebSocket from 'reconnecting-websocket';
import { ConnectError, type ReasonCode } from '../errors';
import { MAX_TIMER_MS } from './policy';
import type { CloseInfo, Transport, TransportFactory, Wait, WebSocketLike } from './types';

/** A WebSocket with the one method every implementation has, typed loosely enough for all of them. */
interface Socket extends WebSocketLike {
  addEventListener(type: string, listener: (event: never) => void): void;
}

/** One socket, watched from birth by listeners that are never removed. */
interface Link {
  ws: Socket;
  opened?: boolean;
  errored?: boolean;
  /** Its end was reported (once per socket, whoever notices first). */
  reported?: boolean;
  /** Why the attempt failed before a socket existed: the url option, or the constructor. */
  failure?: [ReasonCode, string, unknown?];
  /** Ends the attempt when it takes longer than `connectionTimeout`, the url included. */
  timer?: ReturnType<typeof setTimeout>;
}

/** Closes a socket without ever throwing (a CONNECTING `ws` socket may throw on close with a code). */
const closeQuietly = (ws: Socket | undefined, code?: number, reason?: string): void => {
  try {
    ws?.close(code, reason);
  } catch {
    try {
      ws?.close();
    } catch {
      /* already closed */
    }
  }
};

const opened = (code: number, reason: string, wasClean = true, l?: Link): CloseInfo => ({ code, reason, wasClean, opened: true, unsent: l?.ws.bufferedAmount || undefined });

/** Stands in for a socket that could not be built, so the package's loop carries on: it closes on the next tick. */
const failedSocket = (): Socket => {
  const target = Object.assign(new EventTarget(), { readyState: 3, close() {} });
  setTimeout(() => target.dispatchEvent(new Event('close')));
  return target as unknown as Socket;
};

/**
 * The transport: reconnecting-websocket owns each attempt's loop (url, constructor, connection
 * timeout); the {@link ReconnectPolicy} in the config decides after every close; this adapter
 * carries the decision out and guards the package's known defects:
 * - its backoff draws one random base per page and never jitters: its own delay is 0, and ours is
 *   awaited in the URL provider it calls before each attempt;
 * - a URL provider that rejects ends its loop for good (#134): ours never rejects; a failed url
 *   (or one that never settles) becomes a socket that fails at once;
 * - so does a WebSocket constructor that throws (or builds something without addEventListener),
 *   which would leave it locked with an unhandled rejection;
 * - its connection timeout starts when the socket exists: ours bounds the whole attempt, the url
 *   included, and is cleared with the attempt;
 * - after `maxRetries`, or a close before open, it can never reconnect again (#125, #141, #165):
 *   its own limit is off, and every fresh start (`reconnect()`, a dropped silent link) gets a new
 *   instance, so no stale lock or counter can wedge the next attempts;
 * - it reports a failed connect as a clean close with code 1000: each socket's own listeners tell
 *   the truth (1006);
 * - it flushes its own queue before open handlers run: its queue is off (the client queues);
 * - `ws` on Node throws an uncaught error when a connecting socket is closed and nobody listens
 *   for `error` (#183): every socket has an `error` listener from birth.
 * With `autoReconnect` off the policy stops after the first close: one adapter serves both modes.
 */
export const reconnectingTransport: TransportFactory = (config, events) => {
  const { policy, connectionTimeout } = config;
  let rws: ReconnectingWebSocket | undefined;
  /** The socket of the current run, connecting or open. */
  let link: Link | undefined;
  /** Bumped whenever a run is left behind: late events of older runs are ignored. */
  let run = 0;
  let stopped = false;
  /** The wait before the next attempt, set by the policy. */
  let delay = 0;
  let wait: Wait | undefined;
  let openedAt = 0;
  /** Why the url option gave no URL, for the socket factory to turn into a failed attempt. */
  let failure: Link['failure'];
  /** When the current attempt began (the url function included). */
  let attemptAt = 0;
  let urlTimer: ReturnType<typeof setTimeout> | undefined;

  // One factory per run rather than a WebSocket subclass per connection: `new` on a function that
  // returns an object yields that object. reconnecting-websocket checks CLOSING.
  const socketFactory = (mine: number) => {
    function SocketFactory(url: string, protocols?: string | string[]): Socket {
      let ws: Socket | undefined;
      let why = failure;
      failure = undefined;
      // A callback (the logger, the constructor) may stop or restart: then no socket for this run.
      const current = () => !stopped && mine === run;
      if (!why) {
        config.log?.('connect', url);
        try {
          if (current()) {
            ws = new config.WebSocket(url, protocols) as Socket;
            if (typeof ws.addEventListener !== 'function') throw new TypeError('it has no addEventListener');
          }
        } catch (err) {
          closeQuietly(ws);
          ws = undefined;
          why = ['socket-threw', `new WebSocket() failed (${(err as Error)?.message ?? err})`, err];
        }
        if (ws && !current()) closeQuietly(ws), (ws = undefined);
      }
      ws ??= failedSocket();
      const l: Link = { ws, failure: why };
      if (mine === run) link = l;
      // The Timeout object goes with the timer: a client holds nothing for a timer that is over.
      const end = () => (clearTimeout(l.timer), (l.timer = undefined));
      ws.addEventListener('error', () => (l.errored = true));
      ws.addEventListener('open', () => ((l.opened = true), end()));
      ws.addEventListener('close', end);
      // Straight from the socket, not through the package's listener loop: this is the hot path.
      ws.addEventListener('message', (ev: MessageEvent) => l === link && events.message(ev.data));
      // The attempt is over at connectionTimeout, whether or not the socket ever reports a close.
      if (!why) l.timer = setTimeout(() => link === l && restart(failed, 'connect-timeout', `no answer within ${connectionTimeout} ms`), Math.max(0, attemptAt + connectionTimeout - Date.now()));
      return ws;
    }
    (SocketFactory as unknown as { CLOSING: number }).CLOSING = 2;
    return SocketFactory;
  };

  /** Asks the policy what follows a close, and sets it up. */
  const decide = (info: CloseInfo, uptime: number) => {
    const mine = run;
    const d = policy.next(info, uptime);
    // retryDelay and shouldReconnect are user code, and so is a policy-invalid report: they may have closed or restarted.
    if (stopped || mine !== run) return;
    if (d.stop) {
      stopped = true;
      cancelWait();
      rws?.close();
      events.stop(d.stop, d.reason);
    } else {
      delay = d.delay;
      events.retry(d.attempt, d.delay);
    }
  };

  /** An attempt that failed before opening: reported, then (unless onErrorHandler took over) the policy decides. */
  const failed = (code: ReasonCode, reason: string, cause?: unknown) => {
    const mine = run;
    events.error(new ConnectError(`Could not connect: ${reason}.`, code, cause));
    if (!stopped && mine === run) decide({ code: 1006, reason, wasClean: false, opened: false }, 0);
  };

  const cancelWait = () => {
    wait?.wake();
    wait = undefined;
  };

  const start = () => {
    const mine = ++run;
    const r = (rws = new ReconnectingWebSocket(
      // Called before each attempt: our wait, then the url, bounded by connectionTimeout.
      async () => {
        if (delay) {
          const w = (wait = config.wait(delay));
          delay = 0;
          await w.promise;
          if (wait === w) wait = undefined;
        }
        // A stopped or replaced run never gets a URL, so its instance never opens another socket.
        if (stopped || mine !== run) return new Promise<string>(() => {});
        attemptAt = Date.now();
        try {
          return await Promise.race([config.url(), new Promise<never>((_, reject) => (urlTimer = setTimeout(reject, connectionTimeout, 0)))]);
        } catch (err) {
          failure = err === 0 ? ['connect-timeout', `url gave none within ${connectionTimeout} ms`] : ['url-failed', `url failed (${String((err as Error)?.message ?? err).replace(/\.$/, '')})`, err];
          return 'ws:';
        } finally {
          clearTimeout(urlTimer);
          urlTimer = undefined;
        }
      },
      config.protocols,
      // Its own timeout off: ours covers the url function too (see the socket factory).
      { WebSocket: socketFactory(mine), connectionTimeout: MAX_TIMER_MS, maxRetries: Infinity, maxEnqueuedMessages: 0, minReconnectionDelay: 0, maxReconnectionDelay: 0 },
    ));
    r.binaryType = 'arraybuffer';
    r.addEventListener('open', () => {
      if (mine !== run) return;
      openedAt = Date.now();
      events.open();
    });
    r.addEventListener('close', (ev) => {
      const l = link;
      if (mine !== run || !l || l.reported) return;
      l.reported = true;
      link = undefined;
      if (l.opened) {
        // The package reports a link that broke with an error as a clean 1000: it was not. A link
        // that broke without one (Chromium on a reset, every engine on a FIN) says the same.
        const broke = l.errored || (ev.code === 1006 && !ev.reason);
        const info = broke ? opened(1006, 'the link broke', false, l) : opened(ev.code, ev.reason, ev.wasClean, l);
        if (!stopped) decide(info, Date.now() - openedAt);
        return events.close(info);
      }
      failed(...(l.failure ?? ['connect-failed', ev.reason || 'refused or dropped']));
    });
  };

  /** Leaves the current run and its socket behind; returns that socket's link. */
  const abandon = (code: number, reason: string): Link | undefined => {
    const l = link;
    link = undefined;
    run++;
    clearTimeout(urlTimer);
    clearTimeout(l?.timer);
    closeQuietly(l?.ws, code, reason);
    rws?.close();
    return l;
  };

  /**
   * Leaves the current run as broken (a dead link, an attempt past its timeout), lets `report`
   * tell and decide, then starts the next run (which waits the delay the policy set), unless a
   * callback on the way closed or restarted.
   */
  const restart = <A extends unknown[]>(report: (...args: A) => void, ...args: A) => {
    const l = abandon(4000, 'abandoned');
    if (l) l.reported = true;
    const mine = run;
    report(...args);
    if (!stopped && mine === run) start();
  };

  /** Reports the end of a link that was open, once. */
  const ended = (l: Link | undefined, info: CloseInfo) => {
    if (!l?.opened || l.reported) return;
    l.reported = true;
    events.close(info);
  };

  start();

  const transport: Transport = {
    get isOpen() {
      return !!link?.opened && link.ws.readyState === 1;
    },
    get bufferedAmount() {
      return link?.ws.bufferedAmount ?? 0;
    },
    send(data) {
      if (!transport.isOpen) return false;
      link!.ws.send(data as never);
      return true;
    },
    reconnect() {
      policy.reset();
      delay = 0;
      // A wait under way ends now and its run carries on.
      if (wait && !stopped) return cancelWait();
      stopped = false;
      cancelWait();
      const l = abandon(4000, 'reconnect requested');
      start();
      ended(l, opened(4000, 'reconnect requested', true, l));
    },
    drop(reason) {
      if (stopped || !link?.opened) return;
      const info = opened(1006, reason, false, link);
      restart((uptime: number) => {
        decide(info, uptime);
        events.close(info);
      }, Date.now() - openedAt);
    },
    close(code, reason) {
      if (stopped) return;
      stopped = true;
      cancelWait();
      const l = abandon(code, reason);
      ended(l, opened(code, reason, true, l));
    },
  };
  return transport;
};
