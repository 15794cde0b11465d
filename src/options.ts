import type { Codec, CodecName } from './codecs';
import type { TransportFactory } from './transport/transport';

/** A WebSocket constructor: the browser's, the `ws` package's on Node, or a test double. */
export interface WebSocketConstructor {
  new (url: string, protocols?: string | string[]): WebSocket;
  readonly CLOSING: number;
}

/** Where to connect: a URL, or a function called before every attempt (e.g. to add a fresh token). */
export type UrlProvider = string | (() => string | Promise<string>);

/** Details of a close, as `reconnect.shouldReconnect` sees it. */
export interface CloseInfo {
  /** The close code: the server's, or 1006 when the link failed without a close frame. */
  code: number;
  reason: string;
  /** True when the server closed the connection with a close frame. */
  wasClean: boolean;
  /** False when the connection attempt failed before it opened. */
  opened: boolean;
}

/** How the client reconnects after a drop. */
export interface ReconnectOptions {
  /** Upper bound of the first retry delay, in ms (full jitter draws in [0, bound]). @default 1000 */
  minDelay?: number;
  /** Largest delay between attempts, in ms. @default 30000 */
  maxDelay?: number;
  /** Growth of the delay bound per failed attempt. @default 2 */
  factor?: number;
  /** Failed attempts in a row before giving up (state `closed`). @default Infinity */
  maxRetries?: number;
  /** Time an attempt may take to open before it counts as failed, in ms. @default 10000 */
  connectionTimeout?: number;
  /**
   * Delay before retry number `attempt` (1, 2, ...), in ms. Replaces the built-in exponential
   * backoff with full jitter.
   * @default random(0, min(maxDelay, minDelay * factor ** (attempt - 1)))
   */
  retryDelay?: (attempt: number) => number;
  /**
   * Whether to reconnect after this close. Return false to stop (state `closed`).
   * @default stops on 1008 (policy violation), 4401 and 4403 (auth); reconnects otherwise
   */
  shouldReconnect?: (close: CloseInfo) => boolean;
}

/** App-level keep-alive: a ping every `interval`; reconnect when nothing arrives within `timeout`. */
export interface HeartbeatOptions {
  /** Time between pings, in ms. */
  interval: number;
  /** Time to wait for any frame after a ping before reconnecting, in ms. */
  timeout: number;
  /** The action (or tag) of the ping message. @default "ping" */
  action?: string;
}

/** Options of {@link WebConnectionWebSocket}; all optional. */
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
  /** Messages `send()` may queue while the connection is down. @default 1000 */
  queueLimit?: number;
  /** How frames are read and written. @default "webconnection" */
  codec?: CodecName | Codec;
  /** App-level heartbeat; off unless given. @default undefined */
  heartbeat?: HeartbeatOptions;
  /** Reconnect when no frame at all arrives for this long, in ms; off unless given. @default undefined */
  staleTimeout?: number;
  /**
   * Keep-alive actions that reach only handlers subscribed with `on(action)`, never `onMessageHandler`.
   * @default ["ping", "pong", "tick"]
   */
  controlActions?: readonly string[];
  /** Build the transport yourself (tests, other transports). @default the reconnecting or direct adapter */
  transport?: TransportFactory;
}

/** Close codes after which the default policy stops reconnecting. */
export const NO_RECONNECT_CODES: readonly number[] = [1008, 4401, 4403];

export const DEFAULT_RECONNECT = {
  minDelay: 1000,
  maxDelay: 30_000,
  factor: 2,
  maxRetries: Infinity,
  connectionTimeout: 10_000,
};

export const DEFAULT_QUEUE_LIMIT = 1000;
export const DEFAULT_CONTROL_ACTIONS: readonly string[] = ['ping', 'pong', 'tick'];
