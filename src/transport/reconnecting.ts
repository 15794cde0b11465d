import ReconnectingWebSocketImport from 'reconnecting-websocket';
import { ConnectError } from '../errors';
import { networkWait, isOffline, type Wait } from './network-wait';
import { closeQuietly, describeClose, watchedWebSocketClass, type SocketWatch } from './socket-watch';
import type { Transport, TransportFactory } from './transport';

type RwsInstance = InstanceType<typeof ReconnectingWebSocketImport>;
type RwsClass = typeof ReconnectingWebSocketImport;

/**
 * reconnecting-websocket ships CommonJS (`module.exports = Class`) beside an ES build and no
 * `exports` map, so depending on the bundler or loader the default import is the class or an
 * object holding it as `default` (reconnecting-websocket #95, #101, #112).
 */
export const resolveReconnectingWebSocket = (mod: unknown): RwsClass =>
  (typeof mod === 'function' ? mod : (mod as { default: RwsClass }).default) as RwsClass;

/** A link that drops after being up this long starts its backoff afresh. */
const STABLE_MS = 5000;

/**
 * The reconnecting adapter: reconnecting-websocket owns the socket's lifecycle; this adapter owns
 * the policy and guards the package's known defects:
 * - its backoff draws one random base per page and never jitters: the delay is ours, applied in
 *   the URL provider, with full jitter on every attempt (its own delay is set to 0);
 * - a rejecting URL provider ends its retry loop for good (#134): ours never rejects, it reports
 *   the error and retries with backoff;
 * - after `maxRetries`, or a close before open, it can never reconnect again (#125, #141, #165):
 *   its own limit is off, ours stops this instance and `reconnect()` builds a fresh one;
 * - it reports a failed connect as a clean close with code 1000: {@link describeClose} tells the truth;
 * - it flushes its own queue before open handlers run: its queue is disabled (the client queues);
 * - `ws` on Node throws an uncaught error when it closes a connecting socket (#183): sockets are
 *   built by {@link watchedWebSocketClass}, which always listens for `error`.
 */
export const reconnectingTransport: TransportFactory = (config, events) => {
  const RWS = resolveReconnectingWebSocket(ReconnectingWebSocketImport);
  const { retryDelay, shouldReconnect, maxRetries, connectionTimeout } = config.reconnect;
  let rws: RwsInstance | undefined;
  let watch: SocketWatch | undefined;
  let failures = 0;
  let openedAt = 0;
  let wait: Wait | undefined;
  let stopped = false;
  let instance = 0;

  const stop = (reason: string) => {
    if (stopped) return;
    stopped = true;
    wait?.wake();
    rws?.close();
    events.stop(reason);
  };

  // Called by reconnecting-websocket before each attempt: the backoff and the URL live here.
  const nextUrl = (mine: number) => async (): Promise<string> => {
    for (;;) {
      // A stopped or replaced instance never gets a URL, so it never opens another socket.
      if (stopped || mine !== instance) return new Promise<string>(() => {});
      if (failures > 0) {
        if (failures > maxRetries) {
          stop(`gave up after ${failures} failed attempts (reconnect.maxRetries ${maxRetries})`);
          continue;
        }
        const delay = Math.max(0, retryDelay(failures));
        events.retry(failures, delay);
        wait = networkWait(delay);
        await wait.promise;
        while (isOffline() && !stopped) await (wait = networkWait(0)).promise;
        wait = undefined;
        if (stopped || mine !== instance) continue;
      }
      try {
        return await config.url();
      } catch (cause) {
        events.error(new ConnectError(`The url option failed: ${String((cause as Error)?.message ?? cause).replace(/\.$/, '')}; retrying.`, undefined, { cause }));
        failures++;
      }
    }
  };

  const start = () => {
    const mine = ++instance;
    const Socket = watchedWebSocketClass(config.WebSocket, (w) => {
      if (mine === instance) watch = w;
    });
    rws = new RWS(nextUrl(mine), config.protocols, {
      WebSocket: Socket,
      connectionTimeout,
      maxRetries: Infinity,
      maxEnqueuedMessages: 0,
      minReconnectionDelay: 0,
      maxReconnectionDelay: 0,
      minUptime: STABLE_MS,
    });
    rws.binaryType = 'arraybuffer';
    rws.addEventListener('open', () => {
      openedAt = Date.now();
      events.open();
    });
    rws.addEventListener('message', (ev: MessageEvent) => events.message(ev.data));
    rws.addEventListener('close', (ev) => {
      if (mine !== instance || !watch) return;
      const info = describeClose(watch, ev, connectionTimeout);
      watch = undefined;
      if (info.opened) failures = Date.now() - openedAt >= STABLE_MS ? 1 : failures + 1;
      else failures++;
      events.close(info);
      if (stopped) events.stop('closed by the client');
      else if (!shouldReconnect(info)) stop(`the server closed the connection with ${info.code}${info.reason ? ` (${info.reason})` : ''}; reconnect.shouldReconnect said not to reconnect`);
    });
  };

  start();

  /**
   * Leaves the current instance and its link (or attempt in flight) behind, so none of its state
   * (locks, counters) can wedge the next attempts; its late events are ignored. Returns its watch.
   */
  const abandon = (closeReason: string): SocketWatch | undefined => {
    const old = rws;
    const oldWatch = watch;
    watch = undefined;
    instance++;
    old?.close();
    closeQuietly(oldWatch?.socket, 4000, closeReason);
    return oldWatch;
  };

  const transport: Transport = {
    get isOpen() {
      return !!watch && watch.opened && watch.socket.readyState === 1;
    },
    send(data) {
      if (!transport.isOpen) return false;
      watch!.socket.send(data);
      return true;
    },
    reconnect() {
      failures = 0;
      if (stopped) {
        stopped = false;
        start();
        return;
      }
      if (wait) {
        wait.wake();
        return;
      }
      const oldWatch = abandon('reconnecting');
      if (oldWatch?.opened) events.close({ code: 4000, reason: 'reconnect requested', wasClean: true, opened: true });
      start();
    },
    drop(reason) {
      if (stopped || !watch?.opened) return;
      // A silent link is a broken link: it counts as a failure, so the backoff (with its jitter)
      // applies and clients of a stalled server do not all come back at once, or in a tight loop.
      abandon('went silent');
      failures = Date.now() - openedAt >= STABLE_MS ? 1 : failures + 1;
      const info = { code: 1006, reason, wasClean: false, opened: true };
      events.close(info);
      if (!shouldReconnect(info)) stop(`${reason}; reconnect.shouldReconnect said not to reconnect`);
      else start();
    },
    close(code = 1000, reason = '') {
      if (stopped) return;
      const open = watch?.opened;
      stopped = true;
      wait?.wake();
      if (open) {
        // The close event of the open link arrives later and ends with stop().
        rws?.close(code, reason);
      } else {
        rws?.close();
        closeQuietly(watch?.socket);
        watch = undefined;
        events.stop('closed by the client');
      }
    },
  };
  return transport;
};
