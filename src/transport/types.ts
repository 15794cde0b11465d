import type { ReasonCode, WebConnectionError } from '../errors';
import type { ReconnectPolicy } from './policy';

/**
 * A WebSocket constructor: the browser's, the `ws` package's on Node, or a test double. Only
 * `new` is used, so the `ws` package's class fits as it is.
 */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

/**
 * The part of a WebSocket the SDK relies on; the browser's and the `ws` package's both have it
 * (and `addEventListener`, which every WebSocket has but whose types differ between them).
 */
export interface WebSocketLike {
  readonly readyState: number;
  readonly bufferedAmount: number;
  binaryType: string;
  send(data: never): void;
  close(code?: number, reason?: string): void;
}

/** Details of a close, as `reconnect.shouldReconnect` and `onCloseHandler` see them. */
export interface CloseInfo {
  /** The close code: the server's, or 1006 when the link failed without a close frame. */
  code: number;
  reason: string;
  /** True when the link ended with a close frame. */
  wasClean: boolean;
  /** False when the connection attempt failed before it opened. */
  opened: boolean;
  /**
   * Bytes the socket still held, never put on the network, when the link ended (browsers keep
   * `bufferedAmount` after a close). 0 or absent when none or unknown.
   */
  unsent?: number;
}

/** Data a transport carries: text frames, and binary frames as ArrayBuffer. */
export type Frame = string | ArrayBuffer;

/** What `send()` may hand a transport. */
export type Sendable = string | ArrayBufferLike | ArrayBufferView | Blob;

/** A wait that can be cut short; see {@link TransportConfig.wait}. */
export interface Wait {
  promise: Promise<void>;
  /** Ends the wait now. */
  wake(): void;
}

/** What a transport tells the protocol layer, in the order things happen. */
export interface TransportEvents {
  /** The link is open: `send()` now transmits. */
  open(): void;
  message(data: Frame): void;
  /** A socket ended: an open link dropped (`opened: true`) or an attempt failed. Reported once per socket. */
  close(info: CloseInfo): void;
  /** Another attempt starts after `delay` ms; `attempt` counts failures since the last stable link. */
  retry(attempt: number, delay: number): void;
  /** The transport stopped for good on its own (not after `close()`). */
  stop(code: ReasonCode, reason: string): void;
  /** Something went wrong that did not stop the transport (an attempt failed, a policy threw). */
  error(err: WebConnectionError): void;
}

/** Everything a transport needs, already validated, with defaults applied. */
export interface TransportConfig {
  /** Resolves the URL of the next attempt; may reject (a failed attempt). */
  url: () => Promise<string>;
  WebSocket: WebSocketConstructor;
  protocols: string | string[] | undefined;
  /** Time an attempt (url included) may take to open, in ms. */
  connectionTimeout: number;
  /** False after `tryConnect(false)`: a custom transport must not reconnect on its own then. */
  autoReconnect: boolean;
  /** Decides, after every close, whether and when to try again. */
  policy: ReconnectPolicy;
  /** Sleeps between attempts (the network feature makes it end early when the network returns). */
  wait: (ms: number) => Wait;
  /** The logger option, when set. */
  log: ((event: string, detail?: unknown) => void) | undefined;
  /** The built-in transport (the reconnecting-websocket adapter), for a transport that wraps it, as `sharedTransport()` does. */
  builtin: TransportFactory;
  /**
   * The client's `queueLimit`: a transport that holds frames it has not yet passed on (a shared
   * link's view, until the leading tab takes them) holds at most this many (at least 1), and
   * refuses more (`send()` returns false), so the client queues and reports as it does offline.
   */
  queueLimit: number;
}

/**
 * A connection that the protocol layer drives without knowing how it reconnects. It starts
 * connecting when created.
 */
export interface Transport {
  /** True while the link is open and `send()` transmits. */
  readonly isOpen: boolean;
  /** Bytes the open link's socket has not yet put on the network (0 when there is no link). Optional for custom transports. */
  readonly bufferedAmount?: number;
  /** Transmits now; returns false (and sends nothing) when the link is not open, or cannot take more now. */
  send(data: Sendable): boolean;
  /** False when the link cannot carry the resume extension (a link shared between tabs): the client does not ask for it. */
  readonly resumable?: boolean;
  /** Drops the current link or wait and connects again at once, with the backoff reset. */
  reconnect(): void;
  /**
   * Drops an open link that went silent as if it broke: `close` (1006, `reason`), then the
   * policy decides (backoff, or stop). Optional for custom transports; without it the client
   * calls `reconnect()`.
   */
  drop?(reason: string): void;
  /**
   * Stops for good, timers included; an open link is closed with `code` and `reason`, a connecting
   * one is abandoned. May return how many of the frames last given to `send()` it has not passed
   * on and may never send (a shared link's view: those the leading tab has not taken yet).
   */
  close(code: number, reason: string): number | void;
}

/** Builds a transport; pass one as `options.transport` to replace the built-in adapter. */
export type TransportFactory = (config: TransportConfig, events: TransportEvents) => Transport;
