import { Server, WebSocket as MockWebSocket } from 'mock-socket';
import { afterEach, describe, expect, it } from 'vitest';
import { jsonCodec, textCodec } from '../../src/codecs';
import { liveness } from '../../src/liveness';
import {
  ArgumentError,
  InvalidStateError,
  QueueFullError,
  WebConnectionWebSocket,
  type Envelope,
  type WebConnectionError,
  type WebConnectionOptions,
} from '../../src/index';
import { waitFor } from '../helpers/wait';

let n = 0;
const servers: Server[] = [];
afterEach(() => servers.splice(0).forEach((s) => s.stop()));

/** A mock-socket server recording the frames it gets, and a client pointed at it. */
function setup(options: WebConnectionOptions = {}) {
  const url = `ws://mock-${++n}.test/__initializeSocket.wc`;
  const server = new Server(url);
  servers.push(server);
  const frames: string[] = [];
  const sockets: { send(d: string | ArrayBuffer): void; close(o?: { code: number; reason: string; wasClean: boolean }): void }[] = [];
  server.on('connection', (s) => {
    sockets.push(s as never);
    s.on('message', (d) => frames.push(String(d)));
  });
  const socket = new WebConnectionWebSocket({ url, WebSocket: MockWebSocket, reconnect: { minDelay: 1, maxDelay: 5 }, ...options });
  const seen = { messages: [] as Envelope[], errors: [] as WebConnectionError[], states: [] as string[] };
  socket.onMessageHandler = (m) => seen.messages.push(m);
  socket.onErrorHandler = (e) => seen.errors.push(e);
  socket.onStateChange = (c) => seen.states.push(c.state);
  const open = () => waitFor(() => socket.state === 'open', 'open');
  return { url, server, frames, sockets, socket, seen, open, actions: () => frames.map((f) => JSON.parse(f).action) };
}

describe('send(): queue, order, bounds', () => {
  it('queues before tryConnect and while connecting, then flushes in order after onOpenHandler (login first)', async () => {
    const t = setup();
    expect(t.socket.send(t.socket.createBroadcastMessage('q1', ''))).toBe('queued');
    // What send() said inside the handler, checked outside it: a throw in a handler is reported, not raised.
    let login: string | undefined;
    t.socket.onOpenHandler = () => void (login = t.socket.send(t.socket.createBroadcastMessage('login', '')));
    t.socket.tryConnect();
    expect(t.socket.send(t.socket.createBroadcastMessage('q2', ''))).toBe('queued');
    expect(t.socket.queued).toBe(2);
    await t.open();
    await waitFor(() => t.frames.length === 3, '3 frames');
    expect(t.actions()).toEqual(['login', 'q1', 'q2']);
    expect(login).toBe('sent');
    expect(t.seen.errors).toEqual([]);
    expect(t.socket.send(t.socket.createBroadcastMessage('now', ''))).toBe('sent');
    expect(t.socket.queued).toBe(0);
  });

  it('a full queue drops the new message, returns "dropped" and reports it with the message attached', () => {
    const t = setup({ queueLimit: 2 });
    const third = t.socket.createBroadcastMessage('c', '');
    t.socket.send(t.socket.createBroadcastMessage('a', ''));
    t.socket.send(t.socket.createBroadcastMessage('b', ''));
    expect(t.socket.send(third)).toBe('dropped');
    expect(t.seen.errors).toHaveLength(1);
    const err = t.seen.errors[0] as QueueFullError;
    expect(err).toBeInstanceOf(QueueFullError);
    expect(err.dropped).toBe(third);
    expect(err.limit).toBe(2);
    expect(err.code).toBe('queue-full');
    expect(err.message).toMatch(/queueLimit 2.*Raise queueLimit/);
  });

  it('bad payloads throw before anything is queued', () => {
    const t = setup();
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(() => t.socket.createBroadcastMessage('a', circular)).toThrow(ArgumentError);
    expect(() => t.socket.createBroadcastMessage('a', { n: 10n })).toThrow(/BigInt/);
    expect(() => t.socket.send({ message: 'no action' } as never)).toThrow(ArgumentError);
    expect(() => t.socket.send({ action: '' } as never)).toThrow(/"action" must be a non-empty string, got ""/);
    expect(() => t.socket.createBroadcastMessage('' as never, 'x')).toThrow(/The action must be a non-empty string, got ""/);
    expect(t.socket.queued).toBe(0);
  });

  it('send() after close() throws InvalidStateError; reconnect() makes it usable again', async () => {
    const t = setup();
    t.socket.tryConnect();
    await t.open();
    t.socket.close();
    expect(t.socket.state).toBe('closed');
    expect(t.socket.closeReason).toEqual({ code: 'client-closed', reason: 'closed by the client' });
    expect(() => t.socket.send(t.socket.createBroadcastMessage('late', ''))).toThrow(InvalidStateError);
    expect(() => t.socket.send(t.socket.createBroadcastMessage('late', ''))).toThrow(/call tryConnect\(\) or reconnect\(\) first/);
    t.socket.reconnect();
    await t.open();
    expect(t.socket.send(t.socket.createBroadcastMessage('again', ''))).toBe('sent');
  });
});

describe('receiving', () => {
  it('a malformed frame is a FrameError; the connection stays and later frames arrive', async () => {
    const t = setup();
    t.socket.tryConnect();
    await t.open();
    const s = t.sockets[0]!;
    for (const bad of ['nope', '[]', '{"action":3}']) s.send(bad);
    s.send('{"action":"fine","message":"ok"}');
    await waitFor(() => t.seen.messages.length === 1, 'the valid frame');
    expect(t.seen.errors.map((e) => e.name)).toEqual(['FrameError', 'FrameError', 'FrameError']);
    expect((t.seen.errors[0] as WebConnectionError & { frame: unknown }).frame).toBe('nope');
    expect(t.seen.messages[0]).toMatchObject({ action: 'fine', message: 'ok', groupId: '', recipients: [] });
    expect(t.socket.state).toBe('open');
  });

  it('on(action) gets the parsed payload; control actions skip onMessageHandler; unsubscribe works', async () => {
    const t = setup();
    const got: unknown[] = [];
    const off = t.socket.on('data', (payload) => got.push(payload));
    const pings: unknown[] = [];
    t.socket.on('ping', () => pings.push(1));
    t.socket.tryConnect();
    await t.open();
    const s = t.sockets[0]!;
    s.send(JSON.stringify({ action: 'data', message: '{"x":1}' }));
    s.send(JSON.stringify({ action: 'ping' }));
    s.send(JSON.stringify({ action: 'tick', message: 'now' }));
    s.send(JSON.stringify({ action: 'pong' }));
    s.send(JSON.stringify({ action: 'marker' }));
    await waitFor(() => t.seen.messages.some((m) => m.action === 'marker'), 'marker');
    expect(got).toEqual([{ x: 1 }]);
    expect(pings).toEqual([1]);
    expect(t.seen.messages.map((m) => m.action)).toEqual(['data', 'marker']);
    off();
    s.send(JSON.stringify({ action: 'data', message: '{"x":2}' }));
    s.send(JSON.stringify({ action: 'marker2' }));
    await waitFor(() => t.seen.messages.some((m) => m.action === 'marker2'), 'marker2');
    expect(got).toEqual([{ x: 1 }]);
  });

  it('binary frames go to onBinaryHandler as ArrayBuffer, or are reported when nobody takes them', async () => {
    const t = setup();
    t.socket.tryConnect();
    await t.open();
    t.sockets[0]!.send(new Uint8Array([1, 2]).buffer);
    await waitFor(() => t.seen.errors.length === 1, 'a report');
    expect(t.seen.errors[0]!.message).toMatch(/no onBinaryHandler/);
    const got: ArrayBuffer[] = [];
    t.socket.onBinaryHandler = (b) => got.push(b);
    t.sockets[0]!.send(new Uint8Array([3]).buffer);
    await waitFor(() => got.length === 1, 'binary');
    expect([...new Uint8Array(got[0]!)]).toEqual([3]);
  });

  it('a handler that throws is reported and does not stop delivery', async () => {
    const t = setup();
    t.socket.onMessageHandler = (m) => {
      t.seen.messages.push(m);
      throw new Error('boom');
    };
    t.socket.tryConnect();
    await t.open();
    t.sockets[0]!.send('{"action":"a"}');
    t.sockets[0]!.send('{"action":"b"}');
    await waitFor(() => t.seen.messages.length === 2, 'both');
    expect(t.seen.errors.map((e) => e.message)).toEqual(['A handler threw: boom', 'A handler threw: boom']);
  });
});

describe('state and close policy', () => {
  it('idle -> connecting -> open -> reconnecting -> open, onCloseHandler for the drop', async () => {
    const t = setup();
    const closes: number[] = [];
    t.socket.onCloseHandler = (ev) => closes.push(ev.code);
    expect(t.socket.state).toBe('idle');
    t.socket.tryConnect();
    await t.open();
    t.sockets[0]!.close({ code: 1001, reason: 'bye', wasClean: true });
    await waitFor(() => t.sockets.length === 2 && t.socket.state === 'open', 'reconnected');
    expect(t.seen.states).toEqual(['connecting', 'open', 'reconnecting', 'open']);
    expect(closes).toEqual([1001]);
  });

  it.each([1008, 4401, 4403])('a server close with %i stops reconnecting, with the reason exposed', async (code) => {
    const t = setup();
    t.socket.tryConnect();
    await t.open();
    t.sockets[0]!.close({ code, reason: 'no', wasClean: true });
    await waitFor(() => t.socket.state === 'closed', 'closed');
    expect(t.socket.closeReason).toEqual({ code: 'server-refused', reason: `closed with ${code} (no); shouldReconnect said not to reconnect` });
    await new Promise((r) => setTimeout(r, 30));
    expect(t.sockets).toHaveLength(1);
  });

  it('shouldReconnect and retryDelay are honoured', async () => {
    const delays: number[] = [];
    const t = setup({ reconnect: { shouldReconnect: (c) => c.code !== 4000 + 99, retryDelay: (a) => (delays.push(a), 1) } });
    t.socket.tryConnect();
    await t.open();
    t.sockets[0]!.close({ code: 1008, reason: 'policy', wasClean: true });
    await waitFor(() => t.sockets.length === 2 && t.socket.state === 'open', 'reconnected despite 1008');
    expect(delays).toEqual([1]);
    t.sockets[1]!.close({ code: 4099, reason: 'stop', wasClean: true });
    await waitFor(() => t.socket.state === 'closed', 'closed by the custom policy');
  });

  it('tryConnect twice: same identity is a no-op, another identity reconnects and keeps the queue', async () => {
    const t = setup();
    t.socket.tryConnect(true, 'g', 'u');
    await t.open();
    t.socket.tryConnect(true, 'g', 'u');
    expect(t.sockets).toHaveLength(1);
    t.socket.tryConnect(true, 'g2', 'u2');
    expect(t.socket.send(t.socket.createBroadcastMessage('kept', ''))).toBe('queued');
    await waitFor(() => t.sockets.length === 2 && t.socket.state === 'open', 'second identity');
    await waitFor(() => t.frames.length === 1, 'kept message');
    expect(JSON.parse(t.frames[0]!)).toMatchObject({ action: 'kept', groupId: 'g2', userId: 'u2' });
  });

  it('tryConnect(false) does not reconnect after a drop', async () => {
    const t = setup();
    t.socket.tryConnect(false);
    await t.open();
    t.sockets[0]!.close({ code: 1001, reason: 'bye', wasClean: true });
    await waitFor(() => t.socket.state === 'closed', 'closed');
    expect(t.socket.closeReason?.code).toBe('no-reconnect');
  });

  it('reconnect() before tryConnect() says what to do', () => {
    expect(() => setup().socket.reconnect()).toThrow('reconnect() before tryConnect(): call tryConnect() first.');
  });
});

describe('other servers: codecs and option checks', () => {
  it('json codec: a WebSharper-style tagged union dispatches on "type"; send() takes the object', async () => {
    const t = setup({ codec: jsonCodec() });
    const ints: unknown[] = [];
    t.socket.on('int', (payload) => ints.push(payload));
    t.socket.tryConnect();
    await t.open();
    t.sockets[0]!.send('{"type":"int","Item":5}');
    await waitFor(() => ints.length === 1, 'the int case');
    expect(ints[0]).toEqual({ type: 'int', Item: 5 });
    expect(t.socket.send({ type: 'ExampleRequest', Item1: 3, Item2: 2 } as never)).toBe('sent');
    await waitFor(() => t.frames.length === 1, 'the request');
    expect(JSON.parse(t.frames[0]!)).toEqual({ type: 'ExampleRequest', Item1: 3, Item2: 2 });
  });

  it('text codec: raw strings both ways, as an echo server with a tick sends them', async () => {
    const t = setup({ codec: textCodec });
    const got: unknown[] = [];
    t.socket.onMessageHandler = (m) => got.push(m);
    t.socket.tryConnect();
    await t.open();
    t.socket.send('hello' as never);
    await waitFor(() => t.frames.length === 1, 'sent');
    expect(t.frames[0]).toBe('hello');
    t.sockets[0]!.send('2026-11-22 15:00:00 +0000 UTC');
    await waitFor(() => got.length === 1, 'the tick');
    expect(got).toEqual(['2026-11-22 15:00:00 +0000 UTC']);
    expect(t.seen.errors).toEqual([]);
  });

  it.each([
    [{ queueLimit: -1 }, 'queueLimit must be a number in [0, Infinity], got -1.'],
    [{ heartbeat: { interval: 1, timeout: 1 } }, /An option must be one of url, .*, got "heartbeat"/],
    [{ codec: 'json' }, 'codec must be an object with decode(), got "json".'],
  ])('bad options are an ArgumentError at construction: %j', (options, message) => {
    expect(() => new WebConnectionWebSocket(options as WebConnectionOptions)).toThrow(ArgumentError);
    expect(() => new WebConnectionWebSocket(options as WebConnectionOptions)).toThrow(message);
  });
});

describe('closing from inside a handler', () => {
  it('close() in onOpenHandler leaves no heartbeat running and keeps the queue', async () => {
    // A transport whose close event never comes: only the client's own state can stop the heartbeat.
    const sent: unknown[] = [];
    const socket = new WebConnectionWebSocket({
      url: 'ws://x.test/',
      WebSocket: MockWebSocket,
      liveness: liveness({ heartbeat: { interval: 5, timeout: 5 } }),
      transport: (_config, events) => {
        let open = true;
        queueMicrotask(() => events.open());
        return { get isOpen() { return open; }, bufferedAmount: 0, send: (d) => (sent.push(d), open), reconnect() {}, close() { open = false; } };
      },
    });
    const errors: unknown[] = [];
    socket.onErrorHandler = (e) => errors.push(e);
    socket.send(socket.createBroadcastMessage('queued', ''));
    socket.onOpenHandler = () => socket.close();
    socket.tryConnect();
    await waitFor(() => socket.state === 'closed', 'closed');
    await new Promise((r) => setTimeout(r, 60));
    expect(errors).toEqual([]); // no "went silent" from a heartbeat left running
    expect(sent).toEqual([]);
    expect(socket.queued).toBe(1);
  });
});
