import { ArgumentError, ConnectError, DeliveryError, FrameError, InvalidStateError, QueueFullError, ReplayGapError, SilentLinkError, UnsentMessagesError, WebConnectionError, badArgument, show, type ReasonCode } from './errors';
import { WebConnectionMessage } from './message';
import { resolveOptions, type ResolvedOptions, type WebConnectionOptions } from './options';
import { Outbox } from './outbox';
import { encodePayload, webConnectionCodec } from './protocol/codec';
import { serializeEnvelope, type Envelope } from './protocol/envelope';
import { ResumeSession } from './resume';
import { byteLength } from './transport/bytes';
import { createPolicy } from './transport/policy';
import { reconnectingTransport } from './transport/reconnecting';
import type { CloseInfo, Frame, Sendable, Transport, TransportConfig, TransportEvents, WebSocketConstructor } from './transport/types';
import { sleep } from './transport/wait';
import { toSocketUrl, withIdentity } from './url';

/** Where the connection is. */
export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

/** What `send()` did with a message. */
export type SendResult = 'sent' | 'queued' | 'dropped';

/** Why the state is `closed`: a code to switch on, and a sentence to show. */
export interface CloseReason {
  code: ReasonCode;
  reason: string;
}

/** Passed to `onStateChange`. */
export interface StateChange {
  state: ConnectionState;
  previous: ConnectionState;
  /** When `closed`: why, as a code ({@link ReasonCode}). */
  code?: ReasonCode;
  /** When `closed`: why, in words. */
  reason?: string;
  /** While `reconnecting`: failed attempts so far. */
  attempt?: number;
  /** While `reconnecting`: when the next attempt starts (ms since the epoch), for a countdown. */
  retryAt?: number;
}

/** Passed to `onResumeHandler` when a server that supports our resume extension greets a link. */
export interface ResumeInfo {
  /** The server still had this client's session: nothing was lost either way. */
  resumed: boolean;
  /** Frames the server sent again that this client had missed while away. */
  replayed: number;
  /** Messages this client sent again because the server had not acknowledged them. */
  resent: number;
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

/** Binary data `send()` passes through untouched (queued data is copied first). */
export type BinaryData = ArrayBuffer | ArrayBufferView | Blob;

/** What `send()` accepts: an envelope with a known action (or, for other codecs, their message type) or binary data. */
export type Outgoing<M, Out extends PayloadMap<Out>> = (M extends Envelope ? Envelope<keyof Out & string> : M | string) | BinaryData;

type Handler = (payload: unknown, message: unknown) => void;

/** Messages sent per task when the queue flushes without pacing; then it yields, so a long backlog never freezes the page. */
const FLUSH_BATCH = 1000;
/** The link is open but took no more just now (a shared link's leading tab is busy): the queue tries again this much later. */
const REFUSED_RETRY_MS = 100;
/**
 * On a first link, with a backlog: how long the queue waits for a greeting (a server that resumes
 * greets at once), so the backlog goes numbered. A server that does not greet costs this once.
 */
const GREETING_MS = 500;
/** Frames in the tail that are never queued again: pings, acks, numbered frames (resume resends them), logins. */
const SKIP = {};
/** After the server refused a frame for now (its rate limit), what it did not take goes again this much later. */
const RETRY_AFTER_REJECT_MS = 1000;
/** With resume: what is still unacknowledged this long after the last progress goes again (the server drops duplicates). */
const RESEND_AFTER_MS = 2000;
/** The server learns what this client received every this many frames, or this long after one. */
const ACK_EVERY = 50;
const ACK_AFTER_MS = 250;

const isBinary = (data: unknown): data is BinaryData =>
  data instanceof ArrayBuffer || ArrayBuffer.isView(data) || (typeof Blob !== 'undefined' && data instanceof Blob);

/** A copy of binary data, so what is queued cannot change (or be detached) before it goes out. Blobs are immutable. */
const copyBinary = (data: BinaryData): Sendable => {
  try {
    return data instanceof ArrayBuffer ? data.slice(0) : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice() : data;
  } catch (cause) {
    throw new ArgumentError('Cannot queue detached binary data: send data you still own.', { cause });
  }
};

/** A close code the WebSocket API accepts from a client. */
const validCloseCode = (code: unknown) => code === 1000 || (Number.isInteger(code) && (code as number) >= 3000 && (code as number) <= 4999);

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
  /** An open link closed (also at once on `close()`). Failed attempts go to `onErrorHandler` instead. */
  onCloseHandler: ((ev: CloseEventLike) => void) | null = null;
  /** Errors that do not throw: malformed frames, failed connects, a full queue... Without it they go to `console.error` (at most one per code per second). */
  onErrorHandler: ((err: WebConnectionError) => void) | null = null;
  /** The connection state changed (and, while reconnecting, before every new attempt). */
  onStateChange: ((change: StateChange) => void) | null = null;
  /** Binary frames, as ArrayBuffer. */
  onBinaryHandler: ((data: ArrayBuffer) => void) | null = null;
  /**
   * With a server that supports our resume extension: a message `send()` took was processed by
   * the server (once; in send order). Never called with a server that does not.
   */
  onAckHandler: ((message: Outgoing<M, Out>) => void) | null = null;
  /** With a server that supports our resume extension: a link was greeted; what was replayed and resent. */
  onResumeHandler: ((info: ResumeInfo) => void) | null = null;

  /**
   * What a transport reports, for the client that made it: ignored once the client has let the
   * transport go (`#token` is the current one's), and held back while its factory runs. One
   * object per transport, not a closure per event.
   */
  static #Events = class implements TransportEvents {
    #early: (() => void)[] | undefined = [];
    constructor(readonly client: WebConnectionWebSocket) {}
    #live(fn: () => void): void {
      const c = this.client;
      if (c.#token !== this) return;
      if (this.#early) this.#early.push(() => c.#token === this && fn());
      else fn();
    }
    /** The factory returned: what it emitted meanwhile happens now. */
    ready(): void {
      const early = this.#early!;
      this.#early = undefined;
      early.forEach((replay) => replay());
    }
    open() {
      this.#live(() => this.client.#opened());
    }
    message(data: Frame) {
      if (this.#early) this.#live(() => this.client.#receive(data));
      else if (this.client.#token === this) this.client.#receive(data);
    }
    close(info: CloseInfo) {
      this.#live(() => this.client.#closed(info));
    }
    retry(attempt: number, delay: number) {
      this.#live(() => this.client.#retry(attempt, delay));
    }
    stop(code: ReasonCode, reason: string) {
      this.#live(() => this.client.#stop(code, reason));
    }
    error(err: WebConnectionError) {
      this.#live(() => this.client.#report(err));
    }
  };

  readonly #o: ResolvedOptions;
  readonly #outbox: Outbox;
  /** Made by the first on(): most clients never subscribe. */
  #handlers: Map<string, Set<Handler>> | undefined;
  #transport: Transport | undefined;
  /** Identifies the current transport: events of a replaced one are ignored. */
  #token: object | undefined;
  /** Bumped by every lifecycle call, so one that a handler superseded does not finish its work. */
  #op = 0;
  #state: ConnectionState = 'idle';
  #closeReason: CloseReason | undefined;
  #groupId = '';
  #userId = '';
  #auto = true;
  #inOpenHandler = false;
  /** The pump's timer waits for flushRate's pace (not for room on a link that refused). */
  #paced = false;
  #watch: { frame(): void; stop(): void } | undefined;
  /** Our resume extension's session; undefined when it is off (the option, or another codec). */
  #resume: ResumeSession | undefined;
  /** Waiting for a known server's hello, or for the retry after a refusal: the queue waits too. */
  #holding = false;
  /**
   * What went out on this link since the socket last had nothing buffered, every frame: a close
   * that says how many bytes the socket still held finds here which frames those were. Beside
   * each, the message to queue again if it never left, or SKIP.
   */
  #tail: Sendable[] = [];
  #tailMessages: unknown[] = [];
  #inSinceAck = 0;
  #timers: Record<'pump' | 'hello' | 'retry' | 'ack' | 'resend', ReturnType<typeof setTimeout> | undefined> = { pump: undefined, hello: undefined, retry: undefined, ack: undefined, resend: undefined };
  /** When each error code last went to the console (without an onErrorHandler). */
  #quiet: Record<string, number> | undefined;

  /**
   * @param options see {@link WebConnectionOptions}; all optional.
   * @throws {ArgumentError} for an invalid option, naming it, the value and what is valid
   */
  constructor(options: WebConnectionOptions = {}) {
    if (typeof options !== 'object' || options === null) throw badArgument('options', 'an object', options);
    this.#o = resolveOptions(options);
    this.#outbox = new Outbox(this.#o.queueLimit);
  }

  /** Where the connection is: `idle | connecting | open | reconnecting | closed`. */
  get state(): ConnectionState {
    return this.#state;
  }

  /** Why the state is `closed` (a code and a sentence), else undefined. */
  get closeReason(): CloseReason | undefined {
    return this.#state === 'closed' ? this.#closeReason : undefined;
  }

  /** Messages waiting for the link. */
  get queued(): number {
    return this.#outbox.size;
  }

  /** Bytes the open link's socket has not yet put on the network. */
  get bufferedAmount(): number {
    return this.#transport?.bufferedAmount ?? 0;
  }

  /**
   * Connects. `groupId` and `userId` travel as query parameters and tell the server who this
   * connection is. Called again with the same arguments while not closed it does nothing; with
   * other ones it replaces the link (without an `onCloseHandler` call for the old one). A new
   * identity never sends the previous one's queue: those messages come back in an
   * {@link UnsentMessagesError} through `onErrorHandler`.
   * @param reconnect reconnect automatically after a drop @default true
   * @throws {ArgumentError} for an invalid url, no WebSocket implementation, or ids that are not strings
   */
  tryConnect(reconnect = true, groupId = '', userId = ''): void {
    if (typeof groupId + typeof userId !== 'stringstring') throw badArgument('groupId and userId', 'strings', [groupId, userId]);
    const same = groupId === this.#groupId && userId === this.#userId;
    if (this.#transport && this.#state !== 'closed' && same && reconnect === this.#auto) return;
    // Everything that can throw comes before anything changes; the factory, too.
    // One resume session per identity: a new user is a new conversation.
    let session = same && this.#resume ? this.#resume : this.#o.resume && this.#o.codec === webConnectionCodec ? new ResumeSession() : undefined;
    const config = this.#config(reconnect, groupId, userId, session);
    const old = this.#transport;
    const oldToken = this.#token;
    const events = new WebConnectionWebSocket.#Events(this as unknown as WebConnectionWebSocket);
    this.#token = events;
    try {
      this.#transport = (this.#o.transport ?? reconnectingTransport)(config, events);
    } catch (err) {
      this.#token = oldToken;
      throw err;
    }
    // The old transport goes (its events are ignored from now on). What it never passed on goes on
    // the new link; with a new identity it is handed back, with the queue.
    this.#stopWatch();
    const untaken = this.#untail(old?.close(1000, 'replaced by tryConnect()') || 0, byteLength);
    this.#tail.length = this.#tailMessages.length = 0;
    let unsent: unknown[] = [];
    let unconfirmed: unknown[] = [];
    if (old && !same) {
      unconfirmed = [...(this.#resume?.clear() ?? []), ...untaken.map((item) => item[1])];
      unsent = this.#outbox.clear();
    } else this.#outbox.requeue(untaken);
    // A link that cannot carry resume (shared between tabs) goes without it.
    if (this.#transport.resumable === false) session = undefined;
    this.#resume = session;
    this.#op++;
    this.#groupId = groupId;
    this.#userId = userId;
    this.#auto = reconnect;
    this.#setState('connecting', {});
    events.ready();
    if (unsent.length || unconfirmed.length) this.#report(new UnsentMessagesError(unsent, unconfirmed));
  }

  /**
   * Creates a message with `action` and `message` (a non-string payload is serialized as JSON),
   * `groupId`/`userId` preset from `tryConnect`, and `addRecipient()`.
   * @throws {ArgumentError} for an empty action or a payload JSON cannot carry (circular, BigInt, a symbol, a function)
   */
  createBroadcastMessage<A extends keyof Out & string>(action: A, message: Out[A]): WebConnectionMessage<A> {
    if (typeof action !== 'string' || !action) throw badArgument('The action', 'a non-empty string', action);
    return new WebConnectionMessage(action, encodePayload(message), this.#groupId, this.#userId);
  }

  /**
   * Sends a message: at once when the link is open, else queued in order (up to `queueLimit`;
   * binary data is copied) and sent after the next `onOpenHandler`. A full queue drops THIS
   * message, reports a {@link QueueFullError} carrying it, and returns `'dropped'`.
   * @throws {ArgumentError} for a message the codec cannot encode (nothing is queued)
   * @throws {InvalidStateError} after `close()` or once reconnecting gave up
   */
  send(message: Outgoing<M, Out>): SendResult {
    if (this.#state === 'closed') throw new InvalidStateError(`send() while closed (${this.#closeReason!.reason}): call tryConnect() or reconnect() first.`);
    // An envelope from createBroadcastMessage is never binary: no three type checks per send.
    const binary = !(message instanceof WebConnectionMessage) && isBinary(message);
    const frame = binary ? message : this.#o.codec.encode(message);
    const t = this.#transport;
    const ready = this.#inOpenHandler || !(this.#outbox.size || this.#holding || this.#resume?.resending);
    if (t?.isOpen && ready && this.#transmit(t, frame, message, this.#inOpenHandler)) return 'sent';
    const queued = binary ? copyBinary(message) : frame;
    if (this.#outbox.offer(queued, binary ? queued : message)) {
      // An open link that did not take it now (a busy leading tab): the queue tries again soon.
      if (t?.isOpen && !this.#holding && !this.#timers.pump) {
        this.#paced = false;
        this.#timers.pump = setTimeout(() => this.#pump(t, this.#token!), REFUSED_RETRY_MS);
      }
      return 'queued';
    }
    this.#report(new QueueFullError(message, this.#outbox.limit));
    return 'dropped';
  }

  /** Empties the send queue; returns the messages that were waiting, oldest first, as passed to `send()`. */
  clearQueue(): unknown[] {
    return this.#outbox.clear();
  }

  /**
   * Subscribes to one action; the handler gets the payload (a JSON `message` parsed) and the whole
   * message. Control actions such as `ping` reach only these handlers. Returns the unsubscribe function.
   * @example const off = socket.on('chat', (text, msg) => show(msg.userId, text));
   */
  on<A extends keyof In & string>(action: A, handler: (payload: In[A], message: M) => void): () => void {
    if (typeof handler !== 'function') throw badArgument('The handler', 'a function', handler);
    const handlers = (this.#handlers ??= new Map());
    let set = handlers.get(action);
    if (!set) handlers.set(action, (set = new Set()));
    set.add(handler as Handler);
    return () => void set.delete(handler as Handler);
  }

  /**
   * Closes the connection and stops reconnecting, timers included; an open link is closed with
   * `code` and `reason` and reported to `onCloseHandler` at once. `reconnect()` or `tryConnect()`
   * starts again; queued messages stay.
   * @param code 1000 or 3000-4999 @default 1000
   * @param reason at most 123 UTF-8 bytes @default ""
   * @throws {ArgumentError} for another code or a longer reason, before anything changes
   */
  close(code = 1000, reason = ''): void {
    if (!validCloseCode(code)) throw badArgument('The close code', '1000 or an integer in [3000, 4999]', code);
    if (typeof reason !== 'string' || byteLength(reason) > 123) throw badArgument('The close reason', 'a string of at most 123 UTF-8 bytes', reason);
    const op = ++this.#op;
    this.#stopWatch();
    this.#transport?.close(code, reason);
    // Unless onCloseHandler started something new.
    if (op === this.#op) this.#setState('closed', { code: 'client-closed', reason: 'closed by the client' });
  }

  /**
   * Drops the current link (or waiting period) and connects again now, with the backoff reset;
   * also after `close()` or giving up. An explicit request: it tries even while the browser says
   * it is offline.
   * @throws {InvalidStateError} before the first `tryConnect()`
   */
  reconnect(): void {
    const t = this.#transport;
    if (!t) throw new InvalidStateError('reconnect() before tryConnect(): call tryConnect() first.');
    const op = ++this.#op;
    this.#stopWatch();
    t.reconnect();
    if (op === this.#op && this.#state !== 'connecting') this.#setState('connecting', {});
  }

  #config(autoReconnect: boolean, groupId: string, userId: string, session: ResumeSession | undefined): TransportConfig {
    const o = this.#o;
    const WebSocket = o.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!o.transport && typeof WebSocket !== 'function') throw new ArgumentError('No WebSocket here: pass one, e.g. the "ws" package\'s on Node before 22.');
    const { url, network } = o;
    const fixed = typeof url === 'string' ? toSocketUrl(url) : undefined;
    return {
      url: async () => {
        const u = fixed ?? (await (url as () => string | Promise<string>)());
        if (typeof u !== 'string') throw badArgument('The url function\'s result', 'a string', u);
        const identified = withIdentity(fixed ?? toSocketUrl(u), groupId, userId);
        // Read at every attempt: the session says what it received so far.
        return session ? session.url(identified) : identified;
      },
      WebSocket: WebSocket!,
      protocols: o.protocols,
      connectionTimeout: o.connectionTimeout,
      autoReconnect,
      policy: createPolicy(o, autoReconnect, (err) => this.#report(err)),
      wait: network
        ? (ms) => {
            let cause: unknown;
            try {
              const w = network.wait(ms);
              if (typeof w?.promise?.then === 'function' && typeof w.wake === 'function') return w;
            } catch (err) {
              cause = err;
            }
            this.#featureFailed('network.wait()', cause);
            return sleep(ms);
          }
        : sleep,
      log: o.log,
      builtin: reconnectingTransport,
      queueLimit: o.queueLimit,
    };
  }

  /** A feature object misbehaved: reported, and the client carries on without it for this step. */
  #featureFailed(what: string, cause: unknown): void {
    this.#report(new WebConnectionError(`${what} failed${cause ? ` (${(cause as Error)?.message ?? cause})` : ''}; carried on without it.`, 'feature-failed', cause));
  }

  /** Stops what belongs to one link: the liveness watch, and the queue's and resume's timers. */
  #stopWatch(): void {
    this.#watch?.stop();
    this.#watch = undefined;
    const timers = this.#timers;
    for (const k in timers) clearTimeout(timers[k as 'pump']), (timers[k as 'pump'] = undefined);
    this.#holding = false;
    if (this.#resume) this.#resume.active = false;
  }

  #opened(): void {
    const token = this.#token;
    const t = this.#transport!;
    const still = () => this.#token === token && this.#state === 'open' && t.isOpen;
    this.#stopWatch();
    this.#tail.length = this.#tailMessages.length = 0;
    this.#setState('open', {});
    this.#inOpenHandler = true;
    try {
      if (still()) this.#call(this.onOpenHandler, new Event('open'));
    } finally {
      this.#inOpenHandler = false;
    }
    // A handler may have closed or replaced the connection.
    if (!still()) return;
    const { liveness, codec } = this.#o;
    try {
      const watch = liveness?.watch({
        ping: () => {
          try {
            this.#wire(t, codec.encode(codec.control(liveness.action!)), SKIP);
          } catch (err) {
            this.#featureFailed('The heartbeat ping', err);
          }
        },
        dead: (reason) => this.#silent(t, reason),
      });
      if (watch && (typeof watch.frame !== 'function' || typeof watch.stop !== 'function')) throw new TypeError('watch() must return { frame, stop }');
      this.#watch = watch;
    } catch (err) {
      this.#featureFailed('liveness', err);
    }
    // A server known to resume greets the link first: its hello says what to send again. On a
    // first link a backlog waits a moment for a greeting, so it goes numbered if it can.
    const r = this.#resume;
    if (r && (r.known || (!r.probed && this.#outbox.size))) {
      this.#holding = true;
      const timeout = this.#o.connectionTimeout;
      this.#timers.hello = setTimeout(() => this.#noHello(t, token!), r.known ? timeout : Math.min(GREETING_MS, timeout));
    }
    this.#pump(t, token!);
  }

  /**
   * Hands a frame to the link. With resume on (announced on this link) an envelope is numbered
   * and kept until acknowledged, whether or not this link takes it (with `queueLimit` 0 nothing
   * is kept: it goes unnumbered). `linkScoped`: sent from onOpenHandler, for this link only (a
   * login): never numbered, never sent again.
   */
  #transmit(t: Transport, frame: Sendable, message: unknown, linkScoped?: boolean): boolean {
    const r = this.#resume;
    const limit = this.#o.queueLimit;
    if (r?.active && !linkScoped && typeof frame === 'string' && limit) {
      if (r.pending >= limit) return false;
      this.#wire(t, r.number(frame, message), SKIP);
      this.#timers.resend ??= setTimeout(() => this.#resendStalled(t), RESEND_AFTER_MS);
      return true;
    }
    return this.#wire(t, frame, linkScoped ? SKIP : message);
  }

  /**
   * Gives the socket one frame and notes it in the tail (see #tail): `message` is queued again
   * if the link dies with the frame still in the socket; SKIP for a frame that is not. Binary
   * data in the tail is a copy, so what goes again is what went first.
   */
  #wire(t: Transport, frame: Sendable, message: unknown): boolean {
    const tail = this.#tail;
    const messages = this.#tailMessages;
    // The socket had nothing left to send: what was sent before has left it.
    const drained = tail.length > 0 && !t.bufferedAmount;
    if (!t.send(frame)) return false;
    if (drained) tail.length = messages.length = 0;
    // A frame the socket sent at once (bufferedAmount back to 0) cannot be in its buffer later.
    if (t.bufferedAmount) {
      if (typeof frame !== 'string' && message !== SKIP) message = frame = copyBinary(frame as BinaryData);
      // No tuple per send: this is the hot path. Bounded (amortised): the oldest half goes.
      const cap = Math.max(this.#o.queueLimit, 1000);
      if (tail.push(frame) > 2 * cap) tail.splice(0, cap), messages.splice(0, cap);
      messages.push(message);
    }
    return true;
  }

  /**
   * Takes the newest frames out of the tail, as many as reach back `amount` (each measured by
   * `size`): those never left the socket. Returns the messages among them to queue again.
   */
  #untail(amount: number, size: (frame: Sendable) => number): [Sendable, unknown][] {
    const tail = this.#tail;
    const messages = this.#tailMessages;
    let i = tail.length;
    while (amount > 0 && i > 0) amount -= size(tail[--i]!);
    const back: [Sendable, unknown][] = [];
    for (let k = i; k < tail.length; k++) if (messages[k] !== SKIP) back.push([tail[k]!, messages[k]]);
    tail.length = messages.length = i;
    return back;
  }

  /**
   * Sends what waits, in order: first what resume sends again, then the queue. Paced by
   * `flushRate` (batches of a tenth of it, at least one, each when the last one's share of a
   * second is over), or without pacing a batch per task, so a long backlog neither floods the
   * server nor freezes the page.
   */
  #pump(t: Transport, token: object): void {
    clearTimeout(this.#timers.pump);
    this.#timers.pump = undefined;
    const r = this.#resume;
    const rate = this.#o.flushRate;
    const batch = rate === Infinity ? FLUSH_BATCH : Math.max(1, Math.floor(rate / 10));
    let n = batch;
    for (; n > 0; n--) {
      if (this.#token !== token || this.#holding || !t.isOpen) return;
      const again = r?.nextResend();
      if (again !== undefined) {
        if (!this.#wire(t, again, SKIP)) {
          r!.unresend();
          break;
        }
        this.#timers.resend ??= setTimeout(() => this.#resendStalled(t), RESEND_AFTER_MS);
        continue;
      }
      const item = this.#outbox.take();
      if (!item) return;
      if (!this.#transmit(t, item[0], item[1])) {
        this.#outbox.putBack(item);
        break;
      }
    }
    // The link took no more (n > 0): a little later, or at the next acknowledgement. Else the next batch, when its pace says.
    this.#paced = n === 0;
    this.#timers.pump = setTimeout(() => this.#pump(t, token), n > 0 ? REFUSED_RETRY_MS : rate === Infinity ? 0 : (batch * 1000) / rate);
  }

  /**
   * No greeting came: on a first link the server does not resume, and the backlog goes as it is.
   * A server that resumed before and does not greet now has its link dropped, as a broken one (the
   * next may be greeted); a second such link in a row and it no longer counts as resuming: what it
   * never acknowledged is handed back, and the queue goes unnumbered.
   */
  #noHello(t: Transport, token: object): void {
    clearTimeout(this.#timers.hello);
    this.#timers.hello = undefined;
    const r = this.#resume!;
    if (r.known) {
      if (++r.ungreeted < 2) {
        this.#report(new ConnectError(`The server resumed this session before but did not greet this link within ${this.#o.connectionTimeout} ms: the link is dropped and the session resumed on the next one.`, 'connect-timeout'));
        if (this.#token === token && t.isOpen) this.#drop(t, 'the server did not greet');
        return;
      }
      this.#report(new ReplayGapError(r.abandon(), 'the server no longer resumes this session (two links in a row without its greeting)'));
    } else r.probed = true;
    if (this.#token !== token) return;
    this.#holding = false;
    this.#pump(t, token);
  }

  /** Drops the link as a broken one (backoff, close policy); a transport without drop() reconnects. */
  #drop(t: Transport, reason: string): void {
    if (t.drop) t.drop(reason);
    else t.reconnect();
  }

  /** The resume extension's frames from the server; none of them reaches a handler. */
  #control(key: string, m: Envelope): void {
    const r = this.#resume!;
    const t = this.#transport!;
    const token = this.#token!;
    const count = (n: unknown) => (Number.isSafeInteger(n) && (n as number) >= 0 ? (n as number) : 0);
    if (key === 'wc:hello') {
      clearTimeout(this.#timers.hello);
      this.#timers.hello = undefined;
      const resumed = m.wcResumed === true;
      const hello = r.hello(resumed, count(m.wcAck));
      this.#holding = false;
      this.#acked(hello.acked);
      if (hello.gap) this.#report(new ReplayGapError(hello.unconfirmed, hello.gap));
      this.#call(this.onResumeHandler, { resumed, replayed: Number(m.wcReplay) || 0, resent: hello.resent });
    } else if (key === 'wc:ack') {
      this.#acked(r.acknowledge(count(m.wcAck)));
    } else if (key === 'wc:reject') {
      const seq = Number(m.wcRejected);
      const retry = m.wcRetry === true;
      this.#report(new DeliveryError(m.message, r.reject(seq, retry), retry));
      // Unless onErrorHandler closed or replaced the link.
      if (retry && !this.#holding && this.#token === token && this.#state === 'open' && t.isOpen) {
        this.#holding = true;
        this.#timers.retry = setTimeout(() => {
          this.#holding = false;
          r.resendFrom(seq);
          this.#pump(t, token);
        }, RETRY_AFTER_REJECT_MS);
      }
      return;
    }
    // Acknowledgements make room; a hello lets the queue go. Neither cuts a paced wait short.
    if (this.#token === token && !(this.#paced && this.#timers.pump)) this.#pump(t, token);
  }

  #acked(messages: unknown[]): void {
    if (messages.length) {
      // Progress: the stall timer starts over.
      clearTimeout(this.#timers.resend);
      this.#timers.resend = undefined;
      const t = this.#transport;
      if (t && this.#resume?.pending) this.#timers.resend = setTimeout(() => this.#resendStalled(t), RESEND_AFTER_MS);
    }
    for (const m of messages) this.#call(this.onAckHandler, m as Outgoing<M, Out>);
  }

  /**
   * Nothing was acknowledged for a while although messages wait for it: whatever refusal or ack
   * the link lost, everything unacknowledged goes again (the server drops what it already has).
   */
  #resendStalled(t: Transport): void {
    this.#timers.resend = undefined;
    const r = this.#resume;
    if (!r?.pending || t !== this.#transport) return;
    if (!this.#holding && t.isOpen) {
      r.resendFrom(0);
      this.#pump(t, this.#token!);
    }
    this.#timers.resend ??= setTimeout(() => this.#resendStalled(t), RESEND_AFTER_MS);
  }

  /** Tells the server what arrived: every ACK_EVERY frames, or ACK_AFTER_MS after one. */
  #ackSoon(): void {
    if (++this.#inSinceAck >= ACK_EVERY) return this.#sendAck();
    this.#timers.ack ??= setTimeout(() => this.#sendAck(), ACK_AFTER_MS);
  }

  #sendAck(): void {
    clearTimeout(this.#timers.ack);
    this.#timers.ack = undefined;
    this.#inSinceAck = 0;
    const r = this.#resume;
    const t = this.#transport;
    if (!r || r.lastIn <= r.acked || !t?.isOpen) return;
    r.acked = r.lastIn;
    this.#wire(t, serializeEnvelope({ action: 'wc:ack', message: '', groupId: '', userId: '', recipients: [], wcAck: r.lastIn }), SKIP);
  }

  #silent(t: Transport, reason: string): void {
    this.#watch = undefined;
    this.#report(new SilentLinkError(`Went silent: ${reason}.`, 'link-silent'));
    if (t !== this.#transport) return;
    // A silent link counts as a broken one (backoff, close policy); reconnect() would skip both.
    this.#drop(t, `went silent: ${reason}`);
  }

  #closed(info: CloseInfo): void {
    this.#stopWatch();
    // The last frames whose bytes never left the socket go back to the front of the queue. Only
    // those: a frame that may have been sent is never sent twice (resume resends numbered ones).
    this.#outbox.requeue(this.#untail(info.unsent ?? 0, byteLength));
    this.#o.log?.('close', info);
    this.#call(this.onCloseHandler, { type: 'close', ...info });
  }

  #retry(attempt: number, delay: number): void {
    this.#stopWatch();
    this.#setState('reconnecting', { attempt, retryAt: Date.now() + delay });
  }

  #stop(code: ReasonCode, reason: string): void {
    this.#stopWatch();
    this.#setState('closed', { code, reason });
  }

  #receive(data: Frame): void {
    this.#watch?.frame();
    if (typeof data !== 'string') {
      if (this.onBinaryHandler) this.#call(this.onBinaryHandler, data);
      else this.#report(new FrameError('binary, and no onBinaryHandler is set', data, 'binary-unhandled'));
      return;
    }
    const { codec, control, controlLength } = this.#o;
    let message: unknown;
    let key: unknown;
    try {
      message = codec.decode(data);
      key = codec.key(message);
      if (typeof key !== 'string') key = undefined;
    } catch (cause) {
      return this.#report(new FrameError((cause as Error)?.message ?? String(cause), data, 'frame-invalid', cause));
    }
    const r = this.#resume;
    if (r) {
      if (typeof key === 'string' && key.length < 10 && key.startsWith('wc:') && (r.active || key === 'wc:hello')) return this.#control(key, message as Envelope);
      const t = this.#transport!;
      // A link's greeting is its first frame: this link has none.
      if (this.#timers.hello !== undefined) this.#noHello(t, this.#token!);
      const seq = (message as { wcSeq?: unknown }).wcSeq;
      if (r.active && seq !== undefined) {
        // A replayed frame already delivered is dropped; what arrives is acknowledged, a little later.
        const at = r.receive(seq);
        if (at !== 'next') {
          if (at === 'invalid') this.#report(new FrameError(`its wcSeq, ${show(seq)}, is not a positive integer`, data));
          if (at === 'ahead') {
            this.#report(new FrameError(`it is numbered ${seq} but ${r.lastIn + 1} was next; the link is replaced so the server sends the missing ones again`, data));
            this.#drop(t, 'frames from the server were missing');
          }
          return;
        }
        this.#ackSoon();
      }
    }
    // Most actions are longer than any control action: no set lookup for them.
    if (key === undefined || (key as string).length > controlLength || !control.has(key as string)) {
      const handler = this.onMessageHandler;
      if (handler) {
        try {
          this.#settled(handler.call(this, message as M));
        } catch (cause) {
          this.#threw(cause);
        }
      }
    }
    const set = key !== undefined ? this.#handlers?.get(key as string) : undefined;
    if (set?.size) {
      let payload: unknown;
      try {
        payload = codec.payload(message);
      } catch (cause) {
        return this.#report(new FrameError((cause as Error)?.message ?? String(cause), data, 'frame-invalid', cause));
      }
      // A copy, so a handler that unsubscribes does not skip the next one.
      for (const handler of [...set]) this.#call(handler, payload, message);
    }
  }

  #setState(state: ConnectionState, detail: Omit<StateChange, 'state' | 'previous'>): void {
    const previous = this.#state;
    if (state === previous && state !== 'reconnecting') return;
    if (state === 'closed') this.#closeReason = { code: detail.code!, reason: detail.reason! };
    this.#state = state;
    const change: StateChange = { state, previous, ...detail };
    this.#o.log?.('state', change);
    this.#call(this.onStateChange, change);
  }

  #report(err: WebConnectionError): void {
    this.#o.log?.('error', err);
    const handler = this.onErrorHandler;
    if (handler) {
      try {
        return this.#settled(handler.call(this, err), true);
      } catch (cause) {
        err = new WebConnectionError(`onErrorHandler threw: ${(cause as Error)?.message ?? cause}`, 'handler-threw', cause);
      }
    }
    // The console: a flood of one kind (bad frames, say) costs a line a second; handed-back messages always show.
    const key = err.code === 'handler-threw' ? err.message : err.code;
    const now = Date.now();
    const quiet = (this.#quiet ??= {});
    if (err.code === 'identity-changed' || now - (quiet[key] ?? -Infinity) >= 1000) {
      quiet[key] = now;
      console.error(err);
    }
  }

  #threw(cause: unknown): void {
    this.#report(new WebConnectionError(`A handler threw: ${(cause as Error)?.message ?? cause}`, 'handler-threw', cause));
  }

  /** An async handler's rejection is reported like a throw (`onErrorHandler`'s own goes to the console). */
  #settled(result: unknown, isErrorHandler?: boolean): void {
    if (typeof (result as Promise<unknown>)?.then === 'function') {
      (result as Promise<unknown>).then(undefined, (cause) => (isErrorHandler ? console.error(cause) : this.#threw(cause)));
    }
  }

  /** Runs a user callback; one that throws (or rejects) is reported and never breaks the connection. */
  #call<A extends unknown[]>(fn: ((...args: A) => void) | null, ...args: A): void {
    if (!fn) return;
    try {
      this.#settled(fn.apply(this, args));
    } catch (cause) {
      this.#threw(cause);
    }
  }
}
