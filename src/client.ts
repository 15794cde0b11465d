import { encodePayload, resolveCodec, type Codec } from './codecs';
import { ArgumentError, ConnectError, FrameError, InvalidStateError, QueueFullError, WebConnectionError } from './errors';
import { createLiveness, type Liveness } from './liveness';
import { WebConnectionMessage } from './message';
import { DEFAULT_CONTROL_ACTIONS, DEFAULT_QUEUE_LIMIT, DEFAULT_RECONNECT, type CloseInfo, type WebConnectionOptions, type WebSocketConstructor } from './options';
import type { Envelope } from './protocol/envelope';
import { Outbox } from './outbox';
import { defaultShouldReconnect, fullJitterDelay } from './transport/backoff';
import { directTransport } from './transport/direct';
import { reconnectingTransport } from './transport/reconnecting';
import type { Frame, Transport, TransportConfig } from './transport/transport';
import { DEFAULT_SOCKET_PATH, toSocketUrl, withIdentity } from './url';

/** Where the connection is. */
export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

/** What `send()` did with a message. */
export type SendResult = 'sent' | 'queued' | 'dropped';

/** Passed to `onStateChange`. */
export interface StateChange {
  state: ConnectionState;
  previous: ConnectionState;
  /** Why the state is `closed`. */
  reason?: string;
  /** While `reconnecting`: failed attempts so far. */
  attempt?: number;
  /** While `reconnecting`: when the next attempt starts (ms since the epoch), for a countdown. */
  retryAt?: number;
}

/** The event `onCloseHandler` receives: the close of a link that was open. */
export interface CloseEventLike extends CloseInfo {
  type: 'close';
}

/** Maps each action to the type of its payload (a `type` or an `interface`: the generics take any object type). */
export type ActionMap = Record<string, unknown>;

/**
 * The constraint on an action map: `message` is text on the wire, so a payload is a string, an
 * object or an array (`unknown` is allowed). A number or boolean would come back as a string, so
 * a map declaring one fails to compile with this explanation.
 */
export type PayloadMap<T> = {
  [A in keyof T]: unknown extends T[A] ? unknown : T[A] extends string | object ? T[A] : 'payloads travel as text: a number or boolean would arrive as a string, so wrap it in an object';
};

/** Binary data `send()` passes through untouched. */
export type BinaryData = ArrayBuffer | ArrayBufferView | Blob;

/** What `send()` accepts: an envelope with a known action (or, for other codecs, their message type) or binary data. */
export type Outgoing<M, Out extends PayloadMap<Out>> = (M extends Envelope ? Envelope<keyof Out & string> : M | string) | BinaryData;

type Handler = (payload: unknown, message: unknown) => void;

const isBinary = (data: unknown): data is BinaryData =>
  data instanceof ArrayBuffer || ArrayBuffer.isView(data) || (typeof Blob !== 'undefined' && data instanceof Blob);

/**
 * A WebSocket client for the West Wind Web Connection message protocol. Code written for the
 * vendor's `webconnection-websocket.js` runs unchanged; everything else is opt-in.
 *
 * @typeParam In action -> payload map of messages from the server (types `on()`)
 * @typeParam Out action -> payload map of messages to the server (types `createBroadcastMessage()`)
 * @typeParam M what `onMessageHandler` receives: the envelope, or your type for other codecs
 *
 * @example
 * const socket = new WebConnectionWebSocket();
 * socket.onMessageHandler = (msg) => console.log(msg.action, msg.message);
 * socket.tryConnect(true, 'room-1', 'rick');
 * socket.send(socket.createBroadcastMessage('broadcastchatmessage', 'hello').addRecipient('room-1', 'group'));
 */
export class WebConnectionWebSocket<In extends PayloadMap<In> = ActionMap, Out extends PayloadMap<Out> = In, M = Envelope<keyof In & string>> {
  /** Every message from the server, except keep-alive control actions (see `controlActions`). */
  onMessageHandler: ((msg: M) => void) | null = null;
  /** A link opened (the first time and after every reconnect). Messages sent here go before queued ones. */
  onOpenHandler: ((ev: Event) => void) | null = null;
  /** An open link closed. Failed attempts go to `onErrorHandler` instead. */
  onCloseHandler: ((ev: CloseEventLike) => void) | null = null;
  /** Errors that do not throw: malformed frames, failed connects, a full queue. Without it they go to `console.error`. */
  onErrorHandler: ((err: WebConnectionError) => void) | null = null;
  /** The connection state changed (and, while reconnecting, before every new attempt). */
  onStateChange: ((change: StateChange) => void) | null = null;
  /** Binary frames, as ArrayBuffer. */
  onBinaryHandler: ((data: ArrayBuffer) => void) | null = null;

  readonly #options: WebConnectionOptions;
  readonly #codec: Codec;
  readonly #outbox: Outbox<string | BinaryData>;
  readonly #handlers = new Map<string, Set<Handler>>();
  readonly #control: ReadonlySet<string>;
  readonly #liveness: Liveness;
  #transport: Transport | undefined;
  #state: ConnectionState = 'idle';
  #closeReason: string | undefined;
  #identity = { groupId: '', userId: '', reconnect: true };
  #inOpenHandler = false;

  /** @param options see {@link WebConnectionOptions}; all optional. */
  constructor(options: WebConnectionOptions = {}) {
    this.#options = options;
    this.#codec = resolveCodec(options.codec ?? 'webconnection');
    const limit = options.queueLimit ?? DEFAULT_QUEUE_LIMIT;
    if (!(limit >= 0)) throw new ArgumentError(`queueLimit must be a number >= 0, got ${String(limit)}.`);
    this.#outbox = new Outbox(limit);
    const heartbeat = options.heartbeat;
    if (heartbeat && !(heartbeat.interval > 0 && heartbeat.timeout > 0)) {
      throw new ArgumentError(`heartbeat needs interval and timeout in ms, both > 0; got ${JSON.stringify(heartbeat)}.`);
    }
    if (options.staleTimeout !== undefined && !(options.staleTimeout > 0)) {
      throw new ArgumentError(`staleTimeout must be a number of ms > 0, got ${String(options.staleTimeout)}.`);
    }
    this.#control = new Set([...(options.controlActions ?? DEFAULT_CONTROL_ACTIONS), ...(heartbeat ? [heartbeat.action ?? 'ping'] : [])]);
    this.#liveness = createLiveness(
      { heartbeat, staleTimeout: options.staleTimeout },
      () => this.#transport?.send(this.#codec.encode(this.#codec.control(heartbeat?.action ?? 'ping'))),
      (reason) => {
        this.#report(new ConnectError(`The connection went silent: ${reason}.${this.#identity.reconnect ? ' Reconnecting.' : ''}`));
        const transport = this.#transport;
        // A silent link counts as a broken one (backoff, close policy); reconnect() would skip both.
        if (transport?.drop) transport.drop(`the connection went silent: ${reason}`);
        else transport?.reconnect();
      },
    );
  }

  /** Where the connection is: `idle | connecting | open | reconnecting | closed`. */
  get state(): ConnectionState {
    return this.#state;
  }

  /** Why the state is `closed` (the client closed it, the retries ran out, the server refused), else undefined. */
  get closeReason(): string | undefined {
    return this.#state === 'closed' ? this.#closeReason : undefined;
  }

  /** Messages waiting for the link. */
  get queued(): number {
    return this.#outbox.size;
  }

  /**
   * Connects. `groupId` and `userId` travel as query parameters and tell the server who this
   * connection is. Called again while connected with the same arguments it does nothing; with
   * other arguments it reconnects with the new identity (queued messages are kept).
   * @param reconnect reconnect automatically after a drop @default true
   * @throws {ArgumentError} for an invalid url, or no url and no page to resolve the default against
   */
  tryConnect(reconnect = true, groupId?: string, userId?: string): void {
    const identity = { groupId: groupId ?? '', userId: userId ?? '', reconnect };
    const active = this.#transport && this.#state !== 'closed';
    if (active && JSON.stringify(identity) === JSON.stringify(this.#identity)) return;
    const config = this.#config(identity);
    this.#identity = identity;
    this.#stopTransport();
    this.#setState('connecting', {});
    const factory = this.#options.transport ?? (reconnect ? reconnectingTransport : directTransport);
    const transport: Transport = factory(config, {
      open: () => this.#current(transport) && this.#opened(),
      message: (data) => this.#current(transport) && this.#receive(data),
      close: (info) => this.#current(transport) && this.#closed(info),
      retry: (attempt, delay) => this.#current(transport) && this.#setState('reconnecting', { attempt, retryAt: Date.now() + delay }),
      stop: (reason) => this.#current(transport) && this.#setState('closed', { reason }),
      error: (err) => this.#current(transport) && this.#report(err),
    });
    this.#transport = transport;
  }

  /**
   * Creates a message with `action` and `message` (a non-string payload is serialized as JSON),
   * `groupId`/`userId` preset from `tryConnect`, and `addRecipient()`.
   * @throws {ArgumentError} when the payload cannot be serialized (circular, BigInt)
   */
  createBroadcastMessage<A extends keyof Out & string>(action: A, message: Out[A]): WebConnectionMessage<A> {
    if (typeof action !== 'string' || !action) throw new ArgumentError(`The action must be a non-empty string, got ${JSON.stringify(action)}.`);
    return new WebConnectionMessage(action, encodePayload(message), this.#identity.groupId, this.#identity.userId);
  }

  /**
   * Sends a message: at once when the link is open, else queued in order (up to `queueLimit`) and
   * sent after the next `onOpenHandler`. A full queue drops THIS message, reports a
   * {@link QueueFullError} carrying it, and returns `'dropped'`.
   * @throws {ArgumentError} for a message the codec cannot encode (nothing is queued)
   * @throws {InvalidStateError} after `close()` or once reconnecting gave up
   */
  send(message: Outgoing<M, Out>): SendResult {
    if (this.#state === 'closed') {
      throw new InvalidStateError(`send() while the connection is closed (${this.#closeReason}): call tryConnect() or reconnect() first.`);
    }
    const data = isBinary(message) ? message : this.#codec.encode(message);
    const transport = this.#transport;
    if (transport?.isOpen && (this.#inOpenHandler || !this.#outbox.size) && transport.send(data)) return 'sent';
    if (this.#outbox.offer(data)) return 'queued';
    this.#report(new QueueFullError(message, this.#outbox.limit));
    return 'dropped';
  }

  /**
   * Subscribes to one action; the handler gets the payload (a JSON `message` parsed) and the whole
   * message. Control actions such as `ping` reach only these handlers. Returns the unsubscribe function.
   * @example const off = socket.on('chat', (text, msg) => show(msg.userId, text));
   */
  on<A extends keyof In & string>(action: A, handler: (payload: In[A], message: M) => void): () => void {
    let set = this.#handlers.get(action);
    if (!set) this.#handlers.set(action, (set = new Set()));
    set.add(handler as Handler);
    return () => void set.delete(handler as Handler);
  }

  /** Closes the connection and stops reconnecting; `reconnect()` or `tryConnect()` starts again. */
  close(code = 1000, reason = ''): void {
    this.#liveness.stop();
    const transport = this.#transport;
    this.#setState('closed', { reason: 'closed by the client' });
    transport?.close(code, reason);
  }

  /** Drops the current link (or waiting period) and connects again now, also after `close()` or giving up. */
  reconnect(): void {
    const transport = this.#transport;
    if (!transport) throw new InvalidStateError('reconnect() before tryConnect(): call tryConnect() first.');
    this.#liveness.stop();
    if (this.#state === 'closed') this.#setState('connecting', {});
    transport.reconnect();
  }

  #config(identity: { groupId: string; userId: string }): TransportConfig {
    const o = this.#options;
    const WebSocketImpl = o.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (typeof WebSocketImpl !== 'function') {
      throw new ArgumentError('No WebSocket implementation here: on Node before 22 pass the `ws` package, e.g. new WebConnectionWebSocket({ WebSocket }) with `import { WebSocket } from "ws"`.');
    }
    const source = o.url ?? DEFAULT_SOCKET_PATH;
    if (typeof source !== 'string' && typeof source !== 'function') {
      throw new ArgumentError(`The url option must be a string or a function returning one, got ${typeof source}.`);
    }
    const fixed = typeof source === 'string' ? toSocketUrl(source) : undefined;
    const r = { ...DEFAULT_RECONNECT, ...o.reconnect };
    return {
      url: async () => withIdentity(fixed ?? toSocketUrl(await (source as () => string | Promise<string>)()), identity.groupId, identity.userId),
      WebSocket: WebSocketImpl,
      protocols: o.protocols,
      reconnect: {
        ...r,
        retryDelay: o.reconnect?.retryDelay ?? ((attempt) => fullJitterDelay(attempt, r)),
        shouldReconnect: o.reconnect?.shouldReconnect ?? defaultShouldReconnect,
      },
    };
  }

  #current(transport: Transport): boolean {
    return transport === this.#transport;
  }

  #opened(): void {
    this.#setState('open', {});
    this.#inOpenHandler = true;
    try {
      this.#call(this.onOpenHandler, new Event('open'));
    } finally {
      this.#inOpenHandler = false;
    }
    // The handler may have closed or replaced the connection.
    const transport = this.#transport;
    if (this.#state !== 'open' || !transport) return;
    this.#outbox.flush((data) => transport.send(data));
    this.#liveness.start();
  }

  #closed(info: CloseInfo): void {
    if (info.opened) {
      this.#liveness.stop();
      // Without automatic reconnect the transport's stop() follows and says why.
      if (this.#state !== 'closed' && this.#identity.reconnect) this.#setState('reconnecting', {});
      this.#call(this.onCloseHandler, { type: 'close', ...info });
    } else if (this.#state !== 'closed') {
      this.#report(new ConnectError(`Could not connect: ${info.reason}.`));
    }
  }

  #receive(data: Frame): void {
    this.#liveness.frame();
    if (typeof data !== 'string') {
      if (this.onBinaryHandler) this.#call(this.onBinaryHandler, data);
      else this.#report(new FrameError('a binary frame arrived and no onBinaryHandler is set', data));
      return;
    }
    let decoded;
    try {
      decoded = this.#codec.decode(data);
    } catch (cause) {
      this.#report(new FrameError((cause as Error).message, data, { cause }));
      return;
    }
    const { key, message, payload } = decoded;
    if (key === undefined || !this.#control.has(key)) this.#call(this.onMessageHandler, message as M);
    const handlers = key === undefined ? undefined : this.#handlers.get(key);
    // A copy, so a handler that unsubscribes does not skip the next one.
    if (handlers?.size) for (const handler of [...handlers]) this.#call(handler, payload, message);
  }

  #setState(state: ConnectionState, detail: Omit<StateChange, 'state' | 'previous'>): void {
    const previous = this.#state;
    if (state === previous && state !== 'reconnecting') return;
    if (state === 'closed') this.#closeReason = detail.reason;
    this.#state = state;
    this.#call(this.onStateChange, { state, previous, ...detail });
  }

  #stopTransport(): void {
    const old = this.#transport;
    this.#transport = undefined;
    this.#liveness.stop();
    old?.close(1000, 'reconnecting with a new identity');
  }

  #report(err: WebConnectionError): void {
    if (this.onErrorHandler) this.#call(this.onErrorHandler, err);
    else console.error(err);
  }

  /** Runs a user callback; one that throws is reported and never breaks the connection. */
  #call<A extends unknown[]>(fn: ((...args: A) => void) | null | undefined, ...args: A): void {
    if (!fn) return;
    try {
      fn.apply(this, args);
    } catch (cause) {
      if ((fn as unknown) === this.onErrorHandler) console.error(cause);
      else this.#report(new WebConnectionError(`A handler threw: ${(cause as Error)?.message ?? cause}`, { cause }));
    }
  }
}
