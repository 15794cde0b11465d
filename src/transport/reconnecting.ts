import ReconnectingWebSocket from 'reconnecting-websocket';
import { ConnectError, type ReasonCode } from '../errors';
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

const opened = (code: number, reason: string, wasClean = true): CloseInfo => ({ code, reason, wasClean, opened: true });

/**
 * The transport: reconnecting-websocket owns each attempt's loop (url, constructor, connection
 * timeout); the {@link ReconnectPolicy} in the config decides after every close; this adapter
 * carries the decision out and guards the package's known defects:
 * - its backoff draws one random base per page and never jitters: its own delay is 0, and ours is
 *   awaited in the URL provider it calls before each attempt;
 * - a URL provider that rejects ends its loop for good (#134): ours never rejects; a failed url
 *   (or one that never settles, bounded by `connectionTimeout`) becomes a socket that fails at once;
 * - so does a WebSocket constructor that throws, which would leave it locked with an unhandled
 *   rejection;
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

  // One factory per transport rather than a WebSocket subclass per connection: `new` on a
  // function that returns an object yields that object. reconnecting-websocket checks CLOSING.
  function SocketFactory(url: string, protocols?: string | string[]): Socket {
    let ws: Socket | undefined;
    let why = failure;
    failure = undefined;
    if (!why) {
      config.log?.('connect', url);
      try {
        ws = new config.WebSocket(url, protocols) as Socket;
      } catch (err) {
        why = ['socket-threw', `new WebSocket() threw (${(err as Error)?.message ?? err})`, err];
      }
    }
    if (!ws) {
      // A stand-in that fails on the next tick, so the package's loop carries on.
      const target = Object.assign(new EventTarget(), { readyState: 3, close() {} });
      setTimeout(() => target.dispatchEvent(new Event('close')));
      ws = target as unknown as Socket;
    }
    const l: Link = (link = { ws, failure: why });
    ws.addEventListener('error', () => (l.errored = true));
    ws.addEventListener('open', () => (l.opened = true));
    // Straight from the socket, not through the package's listener loop: this is the hot path.
    ws.addEventListener('message', (ev: MessageEvent) => l === link && events.message(ev.data));
    return ws;
  }
  (SocketFactory as unknown as { CLOSING: number }).CLOSING = 2;

  /** Asks the policy what follows a close, and sets it up. */
  const decide = (info: CloseInfo, uptime: number) => {
    const d = policy.next(info, uptime);
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
        let timer: ReturnType<typeof setTimeout> | undefined;
        try {
          return await Promise.race([config.url(), new Promise<never>((_, reject) => (timer = setTimeout(reject, connectionTimeout, 0)))]);
        } catch (err) {
          failure = err === 0 ? ['connect-timeout', `url gave none within ${connectionTimeout} ms`] : ['url-failed', `url failed (${String((err as Error)?.message ?? err).replace(/\.$/, '')})`, err];
          return 'ws:';
        } finally {
          clearTimeout(timer);
        }
      },
      config.protocols,
      { WebSocket: SocketFactory, connectionTimeout, maxRetries: Infinity, maxEnqueuedMessages: 0, minReconnectionDelay: 0, maxReconnectionDelay: 0 },
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
        // The package reports a link that broke with an error as a clean 1000: it was not.
        const info = l.errored ? opened(1006, 'the link broke', false) : opened(ev.code, ev.reason, ev.wasClean);
        if (!stopped) decide(info, Date.now() - openedAt);
        return events.close(info);
      }
      const timedOut = ev.reason === 'timeout';
      const [code, reason, cause] = l.failure ?? [timedOut ? 'connect-timeout' : 'connect-failed', timedOut ? `no answer within ${connectionTimeout} ms` : ev.reason || 'refused or dropped'];
      events.error(new ConnectError(`Could not connect: ${reason}.`, code, cause));
      if (!stopped) decide({ code: 1006, reason, wasClean: false, opened: false }, 0);
    });
  };

  /** Leaves the current run and its socket behind; returns that socket's link. */
  const abandon = (code: number, reason: string): Link | undefined => {
    const l = link;
    link = undefined;
    run++;
    closeQuietly(l?.ws, code, reason);
    rws?.close();
    return l;
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
      ended(l, opened(4000, 'reconnect requested'));
    },
    drop(reason) {
      const l = link;
      if (stopped || !l?.opened) return;
      abandon(4000, 'went silent');
      const info = opened(1006, reason, false);
      const mine = run;
      decide(info, Date.now() - openedAt);
      // Unless a callback in decide() already closed or restarted, the next run waits the delay.
      if (!stopped && mine === run) start();
      ended(l, info);
    },
    close(code, reason) {
      if (stopped) return;
      stopped = true;
      cancelWait();
      ended(abandon(code, reason), opened(code, reason));
    },
  };
  return transport;
};
