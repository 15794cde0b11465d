import { badArgument } from './errors';
import type { NetworkSignals } from './network';
import { webConnectionCodec, type Codec } from './protocol/codec';
import { MAX_TIMER_MS, type PolicySettings } from './transport/policy';
import type { CloseInfo, TransportFactory, WebSocketConstructor } from './transport/types';

/** Where to connect: a URL, or a function called before every attempt (e.g. to add a fresh token). */
export type UrlProvider = string | URL | (() => string | Promise<string>);

/** Receives every transport and state transition when set as the `logger` option. */
export type Logger = (event: string, detail?: unknown) => void;

/** How the client reconnects after a drop. */
export interface ReconnectOptions {
  /** Upper bound of the first retry delay, in ms (full jitter draws in [0, bound]); in [1, 2^31-1]. @default 1000 */
  minDelay?: number;
  /** Largest delay between attempts, in ms; in [minDelay, 2^31-1]. @default 30000 */
  maxDelay?: number;
  /** Growth of the delay bound per failed attempt; in [1, 1000]. @default 2 */
  factor?: number;
  /** Failed attempts in a row before giving up (state `closed`, code `retries-exhausted`); an integer >= 0 or Infinity. @default Infinity */
  maxRetries?: number;
  /** Time an attempt may take to open, the url function included, in ms; in [1, 2^31-1]. @default 10000 */
  connectionTimeout?: number;
  /**
   * Delay before retry number `attempt` (1, 2, ...), in ms. Replaces the built-in exponential
   * backoff with full jitter. A throw, or a value that is not a number in [0, 2^31-1], is reported
   * (`policy-invalid`) and the built-in delay is used for that attempt.
   * @default random(0, min(maxDelay, minDelay * factor ** (attempt - 1)))
   */
  retryDelay?: (attempt: number) => number;
  /**
   * Whether to reconnect after this close (or failed attempt). Return false to stop (state
   * `closed`, code `server-refused`). A throw is reported and the default decides.
   * @default stops on 1008 (policy violation), 4401 and 4403 (auth); reconnects otherwise
   */
  shouldReconnect?: (close: CloseInfo) => boolean;
}

/** The link a liveness feature watches: it may send a ping, and declare the link dead. */
export interface LivenessLink {
  ping(): void;
  dead(reason: string): void;
}

/** The feature object of the `liveness` option; build one with `liveness()` from `webconnection-websocket/liveness`. */
export interface LivenessFeature {
  /** The heartbeat's ping action, treated as a control action; undefined without a heartbeat. */
  readonly action: string | undefined;
  /** Starts watching a link that just opened. */
  watch(link: LivenessLink): { frame(): void; stop(): void };
}

/** Options of {@link WebConnectionWebSocket}; all optional. An invalid one throws an `ArgumentError` naming it, the value and the valid range. */
export interface WebConnectionOptions {
  /**
   * Where to connect. A relative URL resolves against the page (http becomes ws, https wss).
   * `groupId` and `userId` from `tryConnect` are added as query parameters.
   * @default "__initializeSocket.wc" relative to the page
   */
  url?: UrlProvider;
  /** WebSocket constructor to use; on Node before 22 pass the `ws` package's. @default globalThis.WebSocket */
  WebSocket?: WebSocketConstructor;
  /** WebSocket sub-protocols. @default undefined */
  protocols?: string | string[];
  /** Reconnect policy; see {@link ReconnectOptions}. */
  reconnect?: ReconnectOptions;
  /** Messages `send()` may queue while the connection is down; an integer >= 0 or Infinity. @default 1000 */
  queueLimit?: number;
  /** How frames are read and written: `jsonCodec()` and `textCodec` come from `webconnection-websocket/codecs`. @default the Web Connection envelope */
  codec?: Codec;
  /** Dead-link detection: `liveness({ heartbeat, staleTimeout })` from `webconnection-websocket/liveness`. @default undefined (off) */
  liveness?: LivenessFeature;
  /** Backoff waits that `online` and a visible page cut short: `networkSignals()` from `webconnection-websocket/network`. @default undefined (plain timers) */
  network?: NetworkSignals;
  /**
   * Keep-alive actions that reach only handlers subscribed with `on(action)`, never `onMessageHandler`.
   * @default ["ping", "pong", "tick"]
   */
  controlActions?: readonly string[];
  /** Build the transport yourself (tests, other transports). @default the reconnecting-websocket adapter */
  transport?: TransportFactory;
  /** Called at every transport and state transition, e.g. `logger: console.debug`. @default undefined (off, and free) */
  logger?: Logger;
  /**
   * Our resume extension (docs/protocol.md): the upgrade names a session; a server that supports
   * it greets the link, and then nothing is lost or doubled across a drop, both ways. A server
   * that does not sees the same frames as without it. Only with the Web Connection envelope
   * codec. `false`: the upgrade URL carries no session either. @default true
   */
  resume?: boolean;
  /**
   * Messages per second a backlog (the queue, and what resume sends again) goes out at after a
   * reconnect, so a server's rate limit does not drop it; Infinity for no pacing. Live sends are
   * not paced. In [1, Infinity]. @default 80
   */
  flushRate?: number;
}

/** The options after {@link resolveOptions}: validated, defaults applied, frozen. */
export interface ResolvedOptions extends PolicySettings {
  readonly url: string | (() => string | Promise<string>);
  readonly WebSocket: WebSocketConstructor | undefined;
  readonly protocols: string | string[] | undefined;
  readonly connectionTimeout: number;
  readonly queueLimit: number;
  readonly codec: Codec;
  readonly liveness: LivenessFeature | undefined;
  readonly network: NetworkSignals | undefined;
  /** Control actions, the heartbeat's included. */
  readonly control: ReadonlySet<string>;
  /** The longest control action: longer actions skip the set lookup. */
  readonly controlLength: number;
  readonly transport: TransportFactory | undefined;
  readonly log: Logger | undefined;
  readonly resume: boolean;
  readonly flushRate: number;
}

const KNOWN = 'url WebSocket protocols reconnect queueLimit codec liveness network controlActions transport logger resume flushRate'.split(' ');

/** A number option: absent means the default; present, it must be a number in [min, max] (an integer unless `int` is false). */
const num = (name: string, value: unknown, fallback: number, min: number, max: number, int = true): number => {
  const v = value ?? fallback;
  if (typeof v === 'number' && v >= min && v <= max && (!int || Number.isInteger(v) || v === Infinity)) return v;
  throw badArgument(name, `a number in [${min}, ${max}]`, value);
};

/** An option that must be absent or of `type`; a feature object must have its main `method`. */
const typed = <T>(name: string, value: T, type: 'function' | 'object', method?: string): T => {
  if (value === undefined || (typeof value === type && value && (!method || typeof (value as Record<string, unknown>)[method] === 'function'))) return value;
  throw badArgument(name, method ? `an object with ${method}()` : `a${type[0] === 'o' ? 'n' : ''} ${type}`, value);
};

/**
 * The one place options are read: absent (or explicitly undefined) keys take their default,
 * every value is checked, and the result is frozen. Throws an {@link ArgumentError} naming the
 * option, the value and what is valid.
 */
export function resolveOptions(o: WebConnectionOptions): ResolvedOptions {
  for (const key in o) if (!KNOWN.includes(key)) throw badArgument('An option', `one of ${KNOWN.join(', ')}`, key);
  const r = typed('reconnect', o.reconnect, 'object') ?? {};
  // Not 0: every bound grows from it, so 0 would mean no backoff at all.
  const minDelay = num('reconnect.minDelay', r.minDelay, 1000, 1, MAX_TIMER_MS, false);
  const url = o.url instanceof URL ? o.url.href : (o.url ?? '__initializeSocket.wc');
  if (typeof url !== 'string' && typeof url !== 'function') throw badArgument('url', 'a URL (string) or a function', url);
  const controlActions = o.controlActions ?? ['ping', 'pong', 'tick'];
  if (!Array.isArray(controlActions) || controlActions.some((a) => typeof a !== 'string')) throw badArgument('controlActions', 'an array of strings', controlActions);
  const liveness = typed('liveness', o.liveness, 'object', 'watch');
  const logger = typed('logger', o.logger, 'function');
  const resume = o.resume ?? true;
  if (typeof resume !== 'boolean') throw badArgument('resume', 'true or false', resume);
  const control = new Set(liveness?.action ? [...controlActions, liveness.action] : controlActions);
  return Object.freeze({
    url,
    WebSocket: typed('WebSocket', o.WebSocket, 'function'),
    protocols: o.protocols,
    minDelay,
    maxDelay: num('reconnect.maxDelay', r.maxDelay, Math.max(30_000, minDelay), minDelay, MAX_TIMER_MS, false),
    factor: num('reconnect.factor', r.factor, 2, 1, 1000, false),
    maxRetries: num('reconnect.maxRetries', r.maxRetries, Infinity, 0, Infinity),
    connectionTimeout: num('reconnect.connectionTimeout', r.connectionTimeout, 10_000, 1, MAX_TIMER_MS, false),
    retryDelay: typed('reconnect.retryDelay', r.retryDelay, 'function'),
    shouldReconnect: typed('reconnect.shouldReconnect', r.shouldReconnect, 'function'),
    queueLimit: num('queueLimit', o.queueLimit, 1000, 0, Infinity),
    codec: typed('codec', o.codec, 'object', 'decode') ?? webConnectionCodec,
    liveness,
    network: typed('network', o.network, 'object', 'wait'),
    control,
    controlLength: Math.max(0, ...[...control].map((a) => a.length)),
    transport: typed('transport', o.transport, 'function'),
    resume,
    flushRate: num('flushRate', o.flushRate, 80, 1, Infinity, false),
    log: logger && ((event: string, detail?: unknown) => {
      // A debugging aid must never break what it watches.
      try {
        logger(event, detail);
      } catch {
        /* ignored */
      }
    }),
  });
}
