import type { WebConnectionError } from '../errors';
import type { CloseInfo, ReconnectOptions, WebSocketConstructor } from '../options';

/** Data a transport carries: text frames, and binary frames as ArrayBuffer. */
export type Frame = string | ArrayBuffer;

/** What a transport tells the protocol layer. Called in the order things happen. */
export interface TransportEvents {
  /** The link is open: `send()` now transmits. */
  open(): void;
  message(data: Frame): void;
  /** A socket ended: an open link dropped (`opened: true`) or an attempt failed. */
  close(info: CloseInfo): void;
  /** Another attempt starts after `delay` ms; `attempt` counts failures since the last stable link. */
  retry(attempt: number, delay: number): void;
  /** The transport stopped for good (no more attempts); `reason` says why. */
  stop(reason: string): void;
  /** Something went wrong that did not stop the transport (e.g. the URL function threw). */
  error(err: WebConnectionError): void;
}

/** Everything a transport needs, with defaults already applied. */
export interface TransportConfig {
  /** Resolves the URL of the next attempt; may reject (reported, then retried with backoff). */
  url: () => Promise<string>;
  WebSocket: WebSocketConstructor;
  protocols: string | string[] | undefined;
  reconnect: Required<ReconnectOptions>;
}

/**
 * A connection that the protocol layer drives without knowing how it reconnects. It starts
 * connecting when created.
 */
export interface Transport {
  /** True while the link is open and `send()` transmits. */
  readonly isOpen: boolean;
  /** Transmits now; returns false (and sends nothing) when the link is not open. */
  send(data: string | ArrayBufferLike | ArrayBufferView | Blob): boolean;
  /** Drops the current link or wait and connects again at once, with the backoff reset. */
  reconnect(): void;
  /**
   * Drops an open link that went silent as if it broke: `close` (1006, `reason`), then the usual
   * backoff and close policy, or `stop` when automatic reconnect is off. Optional for custom
   * transports; without it the client calls `reconnect()`.
   */
  drop?(reason: string): void;
  /** Stops for good; an open link is closed with `code` and `reason`. */
  close(code?: number, reason?: string): void;
}

export type TransportFactory = (config: TransportConfig, events: TransportEvents) => Transport;
