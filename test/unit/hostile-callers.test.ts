import { WebSocket as MockWebSocket } from 'mock-socket';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ConnectError,
  UnsentMessagesError,
  WebConnectionWebSocket,
  type Codec,
  type ReconnectOptions,
  type StateChange,
  type Transport,
  type TransportEvents,
  type TransportFactory,
  type WebConnectionError,
  type WebSocketConstructor,
} from '../../src/index';
import { jsonCodec } from '../../src/codecs';
import { liveness } from '../../src/liveness';
import { advanceUntil, useFakeClock } from '../helpers/fake-clock';
import { useMockClients } from '../helpers/mock-client';

/**
 * Hostile and careless callers of the client core (issue 9, found by a hostile review): a careless or hostile user's callbacks, feature
 * objects, transports and call orders. Tests under "defect:" fail on the reviewed code (708fd7e);
 * tests under "holds:" pass and cover ground no other test covers. Public API only.
 */
useFakeClock();
const mock = useMockClients();

/**
 * Unhandled rejections during a test, captured instead of reported by vitest, so a defect shows
 * as this test's failed expectation rather than an error pinned on whichever test runs next.
 */
const unhandled: unknown[] = [];
let saved: NodeJS.UnhandledRejectionListener[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeEach(() => {
  unhandled.length = 0;
  saved = process.listeners('unhandledRejection');
  process.removeAllListeners('unhandledRejection');
  process.on('unhandledRejection', onUnhandled);
});
afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
  saved.forEach((l) => process.on('unhandledRejection', l));
});

/** Advances the fake clock; returns what timer and event callbacks threw on the way (the fake clock rethrows them). */
async function advanceCatching(ms: number, step = 50): Promise<unknown[]> {
  const thrown: unknown[] = [];
  for (let t = 0; t < ms; t += step) {
    try {
      await vi.advanceTimersByTimeAsync(Math.min(step, ms - t));
    } catch (err) {
      thrown.push(err);
    }
  }
  return thrown;
}

/** Attempts made over `ms` of fake time. */
const attemptsOver = async (t: { attempts(): number }, ms: number) => {
  const before = t.attempts();
  await vi.advanceTimersByTimeAsync(ms);
  return t.attempts() - before;
};

/** A custom transport driven by the test: `open()` opens it, `sent` records what went out. */
function scriptedTransport(onSend?: (data: unknown, events: TransportEvents) => void) {
  const made: { events: TransportEvents; sent: unknown[]; open: boolean; transport: Transport }[] = [];
  const factory: TransportFactory = (_config, events) => {
    const self = { events, sent: [] as unknown[], open: false, transport: undefined as unknown as Transport };
    self.transport = {
      get isOpen() {
        return self.open;
      },
      send(data) {
        if (!self.open) return false;
        self.sent.push(data);
        onSend?.(data, events);
        return true;
      },
      reconnect() {},
      close() {
        self.open = false;
      },
    };
    made.push(self);
    return self.transport;
  };
  return { factory, made, open: (i = made.length - 1) => ((made[i]!.open = true), made[i]!.events.open()) };
}

/** A WebSocket whose every event the test fires by hand, in any order. */
class ScriptedSocket extends EventTarget {
  static CLOSING = 2;
  static all: ScriptedSocket[] = [];
  readyState = 0;
  bufferedAmount = 0;
  binaryType = 'blob';
  closeCalls: unknown[][] = [];
  constructor(readonly url: string) {
    super();
    ScriptedSocket.all.push(this);
  }
  send() {}
  close(...args: unknown[]) {
    this.closeCalls.push(args);
  }
  fire(type: 'open' | 'error' | 'message' | 'close', init: Record<string, unknown> = {}) {
    if (type === 'open') this.readyState = 1;
    if (type === 'close') this.readyState = 3;
    this.dispatchEvent(Object.assign(new Event(type), init));
  }
}
beforeEach(() => (ScriptedSocket.all = []));

const envelopeText = (action: string) => JSON.stringify({ action, message: '', groupId: '', userId: '', recipients: [] });

describe('defect: a throwing logger (an unguarded user callback) wedges or spins the client', () => {
  it('a logger that throws on "connect" does not stop the client from ever connecting', async () => {
    const t = mock.make({ logger: (event) => { if (event === 'connect') throw new TypeError("Cannot read properties of undefined (reading 'code')"); } });
    t.listen();
    t.socket.tryConnect();
    await advanceCatching(60_000, 1000);
    expect(unhandled).toEqual([]);
    expect(t.socket.state).toBe('open');
  });

  it('a logger that throws on "error" does not make the client hammer a down server with no backoff', async () => {
    const t = mock.make({ reconnect: {}, logger: (event) => { if (event === 'error') throw new Error('logger bug'); } });
    t.socket.tryConnect(); // nobody listens: every attempt fails
    // Default full jitter from 1 s doubling: a handful in 10 s. Measured on 708fd7e: ~2000.
    expect(await attemptsOver(t, 10_000)).toBeLessThanOrEqual(12);
  });

  it('a logger that throws on "state": tryConnect() does not throw, onOpenHandler runs and the queue goes out', async () => {
    let broken = true;
    const t = mock.make({ logger: (event) => { if (broken && event === 'state') throw new Error('logger bug'); } });
    try {
      t.listen();
      t.socket.send(t.socket.createBroadcastMessage('queued', 'q'));
      expect(() => t.socket.tryConnect()).not.toThrow();
      const thrown = await advanceCatching(2000);
      expect(thrown).toEqual([]);
      expect(t.seen.opens).toBe(1);
      expect(t.frames.map((f) => JSON.parse(f as string).action)).toEqual(['queued']);
    } finally {
      broken = false;
    }
  });
});

describe('defect: user-supplied WebSocket classes and feature objects are not guarded', () => {
  it('a WebSocket class with on* handlers but no addEventListener (the WebSocketConstructor type allows it) is a ConnectError, not a silent hang in connecting', async () => {
    class HandlersOnly {
      static CLOSING = 2;
      readyState = 0;
      bufferedAmount = 0;
      binaryType = 'blob';
      onopen = null;
      onclose = null;
      onmessage = null;
      onerror = null;
      constructor(readonly url: string) {}
      send() {}
      close() {}
    }
    const Ctor: WebSocketConstructor = HandlersOnly; // compiles: the public type does not require addEventListener
    const t = mock.make({ WebSocket: Ctor as unknown as typeof MockWebSocket });
    t.socket.tryConnect();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(unhandled).toEqual([]);
    expect(t.seen.errors.some((e) => e instanceof ConnectError)).toBe(true);
  });

  it('a network feature whose wait() throws: the client is not wedged in reconnecting; it finds the server when it returns', async () => {
    const t = mock.make({ network: { wait() { throw new Error('feature bug'); } } });
    t.socket.tryConnect(); // the first attempt fails, then the wait throws
    await vi.advanceTimersByTimeAsync(5000);
    t.listen();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(unhandled).toEqual([]);
    expect(t.socket.state).toBe('open');
  });

  it('a network feature whose wait() returns no promise does not turn the backoff into a hot loop', async () => {
    const t = mock.make({ reconnect: {}, network: { wait: () => ({}) as never } });
    t.socket.tryConnect();
    // Measured on 708fd7e: ~400 attempts in 2 s.
    expect(await attemptsOver(t, 2000)).toBeLessThanOrEqual(8);
  });

  it('a liveness feature whose watch() throws: reported, and the queued messages still go out', async () => {
    const t = mock.make({ liveness: { action: undefined, watch() { throw new Error('feature bug'); } } });
    t.socket.send(t.socket.createBroadcastMessage('queued', 'q'));
    t.listen();
    t.socket.tryConnect();
    const thrown = await advanceCatching(2000);
    expect(thrown).toEqual([]);
    expect(t.frames.map((f) => JSON.parse(f as string).action)).toEqual(['queued']);
    expect(t.socket.queued).toBe(0);
  });

  it('a liveness feature whose watch() returns an object without frame(): incoming messages are still delivered', async () => {
    const t = mock.make({ liveness: { action: undefined, watch: () => ({ stop() {} }) as never } });
    t.listen();
    t.socket.tryConnect();
    await advanceUntil(() => t.socket.state === 'open', 'open');
    expect(() => t.connections[0]!.send(envelopeText('hello'))).not.toThrow();
    expect(t.seen.messages.map((m) => m.action)).toEqual(['hello']);
  });

  it("a codec whose key() returns null (a JS codec's 'no key') neither throws out of the socket's event nor loses the message", async () => {
    const codec: Codec = { ...jsonCodec('type'), key: (m) => ((m as { type?: string }).type ?? null) as unknown as string | undefined };
    const t = mock.make({ codec });
    t.listen();
    t.socket.tryConnect();
    await advanceUntil(() => t.socket.state === 'open', 'open');
    expect(() => t.connections[0]!.send('{"untagged":true}')).not.toThrow();
    // Delivered to onMessageHandler, or at least reported as a bad frame: never lost in silence.
    expect(t.seen.messages.length + t.codes().filter((c) => c === 'frame-invalid').length).toBe(1);
  });

  it('a heartbeat ping the codec cannot encode is reported, never an exception thrown from a timer (which kills a Node process)', async () => {
    const base = jsonCodec('type');
    const codec: Codec = { ...base, encode: (m) => { if (!(m as { body?: unknown }).body) throw new TypeError('every message needs a body'); return base.encode(m); } };
    const t = mock.make({ codec, liveness: liveness({ heartbeat: { interval: 1000, timeout: 500 } }) });
    t.listen();
    t.socket.tryConnect();
    await advanceUntil(() => t.socket.state === 'open', 'open');
    const thrown = await advanceCatching(5000);
    expect(thrown).toEqual([]);
  });
});

describe('defect: state-machine holes', () => {
  it.each<[string, ReconnectOptions]>([
    ['retryDelay gives NaN', { retryDelay: () => Number.NaN }],
    ['shouldReconnect throws', { shouldReconnect: () => { throw new Error('policy bug'); }, retryDelay: () => 10 }],
  ])('close() from onErrorHandler when the policy reports that %s: the state ends closed, and tryConnect() connects again', async (_what, reconnect) => {
    const t = mock.make({ reconnect });
    t.socket.onErrorHandler = (e) => {
      t.seen.errors.push(e);
      if (e.code === 'policy-invalid') t.socket.close(); // "on a config error, stop"
    };
    t.socket.tryConnect(); // nobody listens: the first attempt fails, the policy runs
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.codes()).toContain('policy-invalid');
    expect(t.socket.state).toBe('closed'); // on 708fd7e: 'reconnecting', forever (connecting, closed, reconnecting)
    t.listen();
    t.socket.tryConnect(); // a no-op while 'reconnecting'
    await vi.advanceTimersByTimeAsync(5000);
    expect(t.socket.state).toBe('open');
  });

  it('a custom transport that stops synchronously in its factory leaves the client closed, not connecting forever', () => {
    const transport: TransportFactory = (_config, events) => {
      events.stop('connect-failed', 'no network API here');
      return { isOpen: false, send: () => false, reconnect() {}, close() {} };
    };
    const s = new WebConnectionWebSocket({ url: 'ws://x.test/', WebSocket: ScriptedSocket, transport });
    const states: string[] = [];
    s.onStateChange = (c) => states.push(c.state);
    s.tryConnect();
    expect(s.state).toBe('closed'); // on 708fd7e: 'connecting' (closed, then connecting)
    expect(states.at(-1)).toBe('closed');
  });

  it('a custom transport that is open at once (events.open() in its factory): tryConnect() does not throw, the state is open', () => {
    const transport: TransportFactory = (_config, events) => {
      const t: Transport = { isOpen: true, send: () => true, reconnect() {}, close() {} };
      events.open();
      return t;
    };
    const s = new WebConnectionWebSocket({ url: 'ws://x.test/', WebSocket: ScriptedSocket, transport });
    expect(() => s.tryConnect()).not.toThrow(); // on 708fd7e: TypeError: Cannot read properties of undefined (reading 'isOpen')
    expect(s.state).toBe('open');
  });

  it('a transport factory that throws on an identity change changes nothing: the old link and its queue stay, and the throw reaches the caller', () => {
    let n = 0;
    const transport: TransportFactory = () => {
      if (++n === 2) throw new Error('factory bug');
      return { isOpen: false, send: () => false, reconnect() {}, close() {} };
    };
    const s = new WebConnectionWebSocket({ url: 'ws://x.test/', WebSocket: ScriptedSocket, transport });
    const handedBack: unknown[] = [];
    s.onErrorHandler = (e) => e instanceof UnsentMessagesError && handedBack.push(...e.messages);
    s.tryConnect(true, 'g', 'alice');
    s.send(s.createBroadcastMessage('note', "alice's"));
    expect(() => s.tryConnect(true, 'g', 'bob')).toThrow('factory bug');
    // On 708fd7e the message was gone, reported nowhere, and no transport was left behind a 'connecting' state.
    expect(s.queued).toBe(1);
    expect(handedBack).toEqual([]);
    expect(s.createBroadcastMessage('x', '').userId).toBe('alice');
    expect(() => s.reconnect()).not.toThrow();
  });

  it('reconnect() from onErrorHandler on a failed attempt connects now, not after the 30 s backoff', async () => {
    const t = mock.make({ reconnect: { retryDelay: () => 30_000 } });
    let asked = false;
    t.socket.onErrorHandler = (e) => {
      t.seen.errors.push(e);
      if (!asked && e.code === 'connect-failed') {
        asked = true;
        t.listen(); // "the server is back": the user clicks "retry now"
        t.socket.reconnect();
      }
    };
    t.socket.tryConnect();
    await vi.advanceTimersByTimeAsync(1000);
    expect(t.socket.state).toBe('open'); // on 708fd7e: 'reconnecting' until 30 s have passed
  });

  it('reconnect() during a backoff wait tells onStateChange: no countdown to a retryAt that is no longer true', async () => {
    const t = mock.make({ reconnect: { retryDelay: () => 30_000 } });
    t.socket.tryConnect();
    await advanceUntil(() => t.socket.state === 'reconnecting', 'reconnecting');
    const before = t.seen.changes.length;
    t.socket.reconnect();
    const now = Date.now();
    const last = t.seen.changes.at(-1)!;
    expect(t.seen.changes.length).toBeGreaterThan(before);
    expect(last.state === 'connecting' || (last.state === 'reconnecting' && last.retryAt! <= now)).toBe(true);
  });
});

describe('defect: the queue', () => {
  it('a handler that runs while the flush transmits (switching identity) neither loses the next message nor hands back one already sent', () => {
    // A loopback transport: the reply to "logout" arrives while send() runs.
    const tr = scriptedTransport((data, events) => {
      if (String(data).includes('"logout"')) events.message(envelopeText('loggedout'));
    });
    // Without resume: a backlog on a first link would wait a moment for a greeting first.
    const s = new WebConnectionWebSocket({ url: 'ws://x.test/', WebSocket: ScriptedSocket, transport: tr.factory, resume: false });
    const handedBack: string[] = [];
    s.onErrorHandler = (e) => e instanceof UnsentMessagesError && handedBack.push(...e.messages.map((m) => (m as { action: string }).action));
    s.tryConnect(true, 'g', 'alice');
    s.send(s.createBroadcastMessage('logout', ''));
    s.send(s.createBroadcastMessage('draft', 'unsent'));
    s.onMessageHandler = (m) => {
      if (m.action !== 'loggedout') return;
      s.tryConnect(true, 'g', 'bob');
      s.send(s.createBroadcastMessage('hello', 'from bob')); // queued for bob's link
    };
    tr.open(0);
    expect(tr.made[0]!.sent.map((f) => JSON.parse(f as string).action)).toEqual(['logout']);
    expect(handedBack).toEqual(['draft']); // on 708fd7e: ['logout', 'draft'] — 'logout' went out AND came back
    expect(s.queued).toBe(1); // on 708fd7e: 0 — bob's 'hello' was shifted out by alice's flush, never sent
  });
});

describe('defect: timers and bounds', () => {
  it('connectionTimeout bounds the whole attempt, url function included: a slow url plus a silent socket fail at 10 s, not 19 s', async () => {
    const s = new WebConnectionWebSocket({
      url: () => new Promise<string>((resolve) => setTimeout(resolve, 9000, 'ws://x.test/')),
      WebSocket: ScriptedSocket, // never opens
      reconnect: { connectionTimeout: 10_000, retryDelay: () => 60_000 },
    });
    const failedAt: number[] = [];
    const start = Date.now();
    s.onErrorHandler = (e) => e.code === 'connect-timeout' && failedAt.push(Date.now() - start);
    s.tryConnect();
    await vi.advanceTimersByTimeAsync(25_000);
    s.close();
    expect(failedAt).toHaveLength(1);
    expect(failedAt[0]).toBeLessThanOrEqual(10_050); // on 708fd7e: 19000
  });

  it('close() while the url function is pending leaves no timer behind (on Node it would hold the process for connectionTimeout)', async () => {
    const s = new WebConnectionWebSocket({ url: () => new Promise<string>(() => {}), WebSocket: ScriptedSocket });
    s.tryConnect();
    await vi.advanceTimersByTimeAsync(10);
    s.close();
    await vi.advanceTimersByTimeAsync(0);
    expect(vi.getTimerCount()).toBe(0); // on 708fd7e: 1 (the 10 s race timer)
  });

  it('minDelay: 0 is refused at construction: every bound grows from it, so it would mean no backoff at all', () => {
    // On 708fd7e it was accepted: ~2000 attempts in 10 s against a down server (every bound is 0 * factor^n = 0).
    expect(() => mock.make({ reconnect: { minDelay: 0 } })).toThrow('reconnect.minDelay must be a number in [1, 2147483647], got 0.');
  });
});

describe('defect: errors that never reach the user', () => {
  it("without onErrorHandler, a second identity change within a second still shows its unsent messages (they exist nowhere else)", () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const s = new WebConnectionWebSocket({ url: 'ws://x.test/', WebSocket: ScriptedSocket, transport: scriptedTransport().factory });
      s.tryConnect(true, 'g', 'alice');
      s.send(s.createBroadcastMessage('a', "alice's"));
      s.tryConnect(true, 'g', 'bob');
      s.send(s.createBroadcastMessage('b', "bob's"));
      s.tryConnect(true, 'g', 'carol');
      const shown = log.mock.calls.flat().filter((x): x is UnsentMessagesError => x instanceof UnsentMessagesError);
      expect(shown.flatMap((e) => e.messages.map((m) => (m as { action: string }).action))).toEqual(['a', 'b']); // on 708fd7e: ['a']
    } finally {
      log.mockRestore();
    }
  });

  it('without onErrorHandler, two different exceptions from two handlers in the same second both reach the console', async () => {
    const t = mock.make();
    t.socket.onErrorHandler = null;
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      t.socket.onOpenHandler = () => { throw new TypeError('bug A in onOpenHandler'); };
      t.socket.onMessageHandler = () => { throw new RangeError('bug B in onMessageHandler'); };
      t.listen();
      t.socket.tryConnect();
      await advanceUntil(() => t.socket.state === 'open', 'open');
      t.connections[0]!.send(envelopeText('x'));
      const text = log.mock.calls.map((c) => String(c[0])).join('\n');
      expect(text).toContain('bug A');
      expect(text).toContain('bug B'); // on 708fd7e: suppressed (one line per code per second)
    } finally {
      log.mockRestore();
    }
  });

  it('an onErrorHandler that throws does not bring back the console flood: 1000 bad frames, a few lines', async () => {
    const t = mock.make();
    t.socket.onErrorHandler = () => { throw new Error('handler bug'); };
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      t.listen();
      t.socket.tryConnect();
      await advanceUntil(() => t.socket.state === 'open', 'open');
      for (let i = 0; i < 1000; i++) t.connections[0]!.send(`not json ${i}`);
      expect(log.mock.calls.length).toBeLessThanOrEqual(4); // on 708fd7e: 1000
    } finally {
      log.mockRestore();
    }
  });

  it('an async handler whose promise rejects is reported (handler-threw) like one that throws', async () => {
    const t = mock.make();
    let reject!: (err: Error) => void;
    const pending = new Promise<void>((_, r) => (reject = r));
    pending.catch(() => {}); // keeps the test free of an unhandled rejection on any code
    t.socket.onMessageHandler = (() => pending) as never;
    t.listen();
    t.socket.tryConnect();
    await advanceUntil(() => t.socket.state === 'open', 'open');
    t.connections[0]!.send(envelopeText('x'));
    reject(new Error('async bug'));
    await vi.advanceTimersByTimeAsync(10);
    expect(t.codes()).toContain('handler-threw');
  });

  it('a custom transport needs no WebSocket constructor (Node 20 has none): tryConnect() does not demand one', () => {
    expect((globalThis as { WebSocket?: unknown }).WebSocket).toBeUndefined(); // Node 20, as engines allows
    const s = new WebConnectionWebSocket({ url: 'ws://x.test/', transport: scriptedTransport().factory });
    expect(() => s.tryConnect()).not.toThrow(); // on 708fd7e: ArgumentError "No WebSocket here: ... pass the ws package's"
    s.close();
  });

  it('a URL object for url (the WebSocket constructor takes one) works, or the error does not claim a string was passed where a function was expected', () => {
    let message = '';
    try {
      new WebConnectionWebSocket({ url: new URL('ws://x.test/') as unknown as string });
    } catch (err) {
      message = (err as Error).message;
    }
    // on 708fd7e: 'url must be a function, got "ws://x.test/".' — reads as if a string were refused
    expect(message).not.toMatch(/must be a function, got "/);
  });
});

describe('holds: odd event orders, storms and re-entrancy (no defect found)', () => {
  it("a socket's late error and close after close() of an open link: onCloseHandler once, no second link", async () => {
    const t = mock.make({}, ScriptedSocket as unknown as typeof MockWebSocket);
    t.socket.tryConnect();
    await advanceUntil(() => ScriptedSocket.all.length === 1, 'a socket');
    const ws = ScriptedSocket.all[0]!;
    ws.fire('open');
    expect(t.socket.state).toBe('open');
    t.socket.close(4000, 'bye');
    ws.fire('error');
    ws.fire('close', { code: 1006, reason: '', wasClean: false });
    ws.fire('message', { data: envelopeText('late') });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.seen.closes).toEqual([{ type: 'close', code: 4000, reason: 'bye', wasClean: true, opened: true }]);
    expect(t.seen.messages).toEqual([]);
    expect(ScriptedSocket.all).toHaveLength(1);
    expect(t.socket.state).toBe('closed');
  });

  it('a socket that still fires open after close() while connecting: no onOpenHandler, state stays closed, the socket was told to close', async () => {
    const t = mock.make({}, ScriptedSocket as unknown as typeof MockWebSocket);
    t.socket.tryConnect();
    await advanceUntil(() => ScriptedSocket.all.length === 1, 'a socket');
    const ws = ScriptedSocket.all[0]!;
    t.socket.close();
    ws.fire('open');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.seen.opens).toBe(0);
    expect(t.socket.state).toBe('closed');
    expect(ws.closeCalls.length).toBeGreaterThan(0);
    expect(ScriptedSocket.all).toHaveLength(1);
  });

  it('an error without a close on an open link counts as a break (1006): one onCloseHandler, one reconnect', async () => {
    const t = mock.make({}, ScriptedSocket as unknown as typeof MockWebSocket);
    t.socket.tryConnect();
    await advanceUntil(() => ScriptedSocket.all.length === 1, 'a socket');
    ScriptedSocket.all[0]!.fire('open');
    ScriptedSocket.all[0]!.fire('error');
    ScriptedSocket.all[0]!.fire('close', { code: 1006, reason: '', wasClean: false }); // late, and ignored
    await advanceUntil(() => ScriptedSocket.all.length === 2, 'the next socket');
    expect(t.seen.closes.map((c) => [c.code, c.wasClean])).toEqual([[1006, false]]);
    expect(t.states()).toEqual(['connecting', 'open', 'reconnecting']);
  });

  it('100 reconnect() calls in one tick on an open link: one onCloseHandler, one new socket, one open', async () => {
    const t = mock.make();
    t.listen();
    t.socket.tryConnect();
    await advanceUntil(() => t.socket.state === 'open', 'open');
    for (let i = 0; i < 100; i++) t.socket.reconnect();
    await advanceUntil(() => t.socket.state === 'open', 'open again');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.seen.closes).toHaveLength(1);
    expect(t.attempts()).toBe(2);
    expect(t.seen.opens).toBe(2);
  });

  it('close() / reconnect() alternated 50 times in one tick, ending with close(): no socket is ever built', async () => {
    const t = mock.make();
    t.listen();
    t.socket.tryConnect();
    for (let i = 0; i < 50; i++) {
      t.socket.close();
      t.socket.reconnect();
    }
    t.socket.close();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.attempts()).toBe(0);
    expect(t.socket.state).toBe('closed');
  });

  it('a drop in the middle of a batched flush: every queued message arrives exactly once, in order, over two links', async () => {
    const t = mock.make({ queueLimit: 2500, flushRate: Infinity });
    for (let i = 0; i < 2500; i++) t.socket.send(t.socket.createBroadcastMessage('n', String(i)));
    t.listen();
    // The server drops the first link as soon as it opens: the first batch went out, the rest wait.
    let first = true;
    t.socket.onOpenHandler = () => {
      t.seen.opens++;
      if (first) queueMicrotask(() => t.connections[0]!.close({ code: 1001, reason: 'drop', wasClean: true }));
      first = false;
    };
    t.socket.tryConnect();
    await advanceUntil(() => t.seen.opens === 2 && t.socket.queued === 0, 'the second link flushed', 20_000);
    await vi.advanceTimersByTimeAsync(1000);
    const got = (t.frames as string[]).map((f) => Number(JSON.parse(f).message));
    expect(got).toEqual(Array.from({ length: 2500 }, (_, i) => i));
  });

  it('an identity storm (20 tryConnect() with alternating users in one tick): one socket at the end, each queued message handed back once', async () => {
    const t = mock.make();
    const handedBack: string[] = [];
    t.socket.onErrorHandler = (e) => e instanceof UnsentMessagesError && handedBack.push(...e.messages.map((m) => (m as { message: string }).message));
    t.listen();
    t.socket.tryConnect(true, 'g', 'u0');
    for (let i = 1; i <= 20; i++) {
      t.socket.send(t.socket.createBroadcastMessage('m', `from u${i - 1}`));
      t.socket.tryConnect(true, 'g', `u${i % 2}`);
    }
    await advanceUntil(() => t.socket.state === 'open', 'open');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.attempts()).toBe(1);
    expect(handedBack).toEqual(Array.from({ length: 20 }, (_, i) => `from u${i}`));
    expect(t.frames).toEqual([]);
  });

  it('close() from onStateChange("open"): onCloseHandler once, no onOpenHandler, no flush, no timer left', async () => {
    const t = mock.make({ liveness: liveness({ heartbeat: { interval: 1000, timeout: 1000 } }) });
    t.socket.send(t.socket.createBroadcastMessage('kept', ''));
    const changes: StateChange[] = [];
    t.socket.onStateChange = (c) => (changes.push(c), c.state === 'open' && t.socket.close());
    t.listen();
    t.socket.tryConnect();
    await advanceUntil(() => t.socket.state === 'closed', 'closed');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(changes.map((c) => c.state)).toEqual(['connecting', 'open', 'closed']);
    expect(t.seen.opens).toBe(0);
    expect(t.seen.closes).toHaveLength(1);
    expect(t.socket.queued).toBe(1);
    expect(t.frames).toEqual([]);
  });

  it('a down server for 10 minutes with the defaults: attempts never stop and never outpace the backoff; the return is found within maxDelay', async () => {
    const t = mock.make({ reconnect: {} });
    t.socket.tryConnect();
    const attempts = await attemptsOver(t, 600_000);
    // Bounds 1, 2, 4, 8, 16 s then 30 s, full jitter: ~40 expected; never wedged, never spinning.
    expect(attempts).toBeGreaterThanOrEqual(15);
    expect(attempts).toBeLessThanOrEqual(120);
    expect(t.socket.state).toBe('reconnecting');
    t.listen();
    await advanceUntil(() => t.socket.state === 'open', 'open', 30_100);
  });

  it('retryDelay giving NaN with maxRetries 2: each attempt reported (connect-failed, policy-invalid), then closed with retries-exhausted', async () => {
    const t = mock.make({ reconnect: { retryDelay: () => Number.NaN, maxRetries: 2 } });
    t.socket.tryConnect();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.socket.closeReason?.code).toBe('retries-exhausted');
    const codes = new Set(t.seen.errors.map((e: WebConnectionError) => e.code));
    expect([...codes].sort()).toEqual(['connect-failed', 'policy-invalid']);
  });
});
