import { Server, WebSocket as MockWebSocket } from 'mock-socket';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ArgumentError, QueueFullError, WebConnectionWebSocket, isWebConnectionError, type WebConnectionError, type WebConnectionOptions } from '../../src/index';
import { waitFor } from '../helpers/wait';

/**
 * The send queue: what send() returns, order across a drop, the bound, and payloads that cannot be
 * sent. (The login-first order after onOpenHandler is in client.test.ts and the guard tests.)
 */
let n = 0;
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

type ServerSocket = { send(d: string): void; close(o?: { code: number; reason: string; wasClean: boolean }): void };

function setup(options: WebConnectionOptions = {}) {
  const url = `ws://queue-${++n}.test/__initializeSocket.wc`;
  const server = new Server(url);
  const frames: (string | number[])[] = [];
  const connections: ServerSocket[] = [];
  server.on('connection', (s) => {
    connections.push(s as unknown as ServerSocket);
    s.on('message', (d) => frames.push(typeof d === 'string' ? d : [...new Uint8Array(d as ArrayBuffer)]));
  });
  const socket = new WebConnectionWebSocket({ url, WebSocket: MockWebSocket, reconnect: { retryDelay: () => 1 }, ...options });
  const errors: WebConnectionError[] = [];
  socket.onErrorHandler = (e) => errors.push(e);
  cleanups.push(() => {
    socket.close();
    server.stop();
  });
  const actions = () => frames.map((f) => (typeof f === 'string' ? (JSON.parse(f) as { action: string }).action : `binary:${f.join(',')}`));
  return { url, socket, server, frames, connections, errors, actions, open: () => waitFor(() => socket.state === 'open', 'open') };
}

const msg = (socket: WebConnectionWebSocket, action: string) => socket.createBroadcastMessage(action, '');

describe('send queue', () => {
  it('messages sent while reconnecting are queued and go out once each, in order, on the next link', async () => {
    // The url function holds every attempt after the first until the test opens the gate.
    let openGate!: () => void;
    const gate = new Promise<void>((r) => (openGate = r));
    let calls = 0;
    const t = setup({ url: async () => (++calls > 1 && (await gate), t.url) });
    t.socket.tryConnect();
    await t.open();
    expect(t.socket.send(msg(t.socket, 'before'))).toBe('sent');
    await waitFor(() => t.frames.length === 1, 'the first frame');
    t.connections[0]!.close({ code: 1001, reason: 'restart', wasClean: true });
    await waitFor(() => calls === 2, 'the held attempt');
    expect(t.socket.state).toBe('reconnecting');
    expect(['q1', 'q2', 'q3'].map((a) => t.socket.send(msg(t.socket, a)))).toEqual(['queued', 'queued', 'queued']);
    expect(t.socket.queued).toBe(3);
    openGate();
    await t.open();
    await waitFor(() => t.frames.length === 4, 'the queued frames');
    expect(t.socket.send(msg(t.socket, 'after'))).toBe('sent');
    await waitFor(() => t.frames.length === 5, 'the last frame');
    expect(t.actions()).toEqual(['before', 'q1', 'q2', 'q3', 'after']);
    expect(t.socket.queued).toBe(0);
    expect(t.connections).toHaveLength(2);
  });

  it('binary data keeps its place in the queue between text messages', async () => {
    const t = setup();
    t.socket.send(msg(t.socket, 'text-1'));
    expect(t.socket.send(new Uint8Array([7, 8]))).toBe('queued');
    t.socket.send(msg(t.socket, 'text-2'));
    t.socket.tryConnect();
    await waitFor(() => t.frames.length === 3, 'three frames');
    expect(t.actions()).toEqual(['text-1', 'binary:7,8', 'text-2']);
  });

  it('queueLimit 0: nothing is queued while down; each send is "dropped" and reported with the message', async () => {
    const t = setup({ queueLimit: 0 });
    const m = msg(t.socket, 'lost');
    expect(t.socket.send(m)).toBe('dropped');
    expect(t.socket.queued).toBe(0);
    expect(t.errors).toHaveLength(1);
    const err = t.errors[0]!;
    expect(err).toBeInstanceOf(QueueFullError);
    expect(isWebConnectionError(err)).toBe(true);
    expect((err as QueueFullError).dropped).toBe(m);
    expect((err as QueueFullError).limit).toBe(0);
    t.socket.tryConnect();
    await t.open();
    expect(t.socket.send(msg(t.socket, 'live'))).toBe('sent');
    await waitFor(() => t.frames.length === 1, 'the live frame');
    expect(t.actions()).toEqual(['live']);
  });

  it('overflow keeps the queued messages: they arrive, the dropped one never does', async () => {
    const t = setup({ queueLimit: 2 });
    expect(['a', 'b', 'c', 'd'].map((a) => t.socket.send(msg(t.socket, a)))).toEqual(['queued', 'queued', 'dropped', 'dropped']);
    expect(t.errors.map((e) => ((e as QueueFullError).dropped as { action: string }).action)).toEqual(['c', 'd']);
    t.socket.tryConnect();
    await t.open();
    // The backlog goes first (on a first link after a moment's wait for a greeting): then the marker.
    await waitFor(() => t.socket.queued === 0, 'the backlog sent');
    t.socket.send(msg(t.socket, 'marker'));
    await waitFor(() => t.actions().includes('marker'), 'the marker');
    expect(t.actions()).toEqual(['a', 'b', 'marker']);
  });

  it('without onErrorHandler a full queue still says so, on console.error', () => {
    const t = setup({ queueLimit: 0 });
    t.socket.onErrorHandler = null;
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    cleanups.push(() => spy.mockRestore());
    expect(t.socket.send(msg(t.socket, 'x'))).toBe('dropped');
    expect(spy).toHaveBeenCalledTimes(1);
    expect(spy.mock.calls[0]![0]).toBeInstanceOf(QueueFullError);
  });

  it.each([
    ['a circular payload', () => {
      const env: Record<string, unknown> = { action: 'a', message: '' };
      env.self = env;
      return env;
    }, /circular/],
    ['a BigInt payload', () => ({ action: 'a', message: '', count: 10n }), /BigInt/],
    ['no action', () => ({ message: 'x' }), /"action" must be a non-empty string, got undefined/],
    ['an unknown recipient type', () => ({ action: 'a', recipients: [{ type: 'room', value: 'x' }] }), /known type/],
  ])('send() of an envelope with %s throws ArgumentError; nothing is queued or sent', async (_name, make, reason) => {
    const t = setup();
    expect(() => t.socket.send(make() as never)).toThrow(ArgumentError);
    expect(() => t.socket.send(make() as never)).toThrow(reason);
    expect(t.socket.queued).toBe(0);
    t.socket.tryConnect();
    await t.open();
    expect(() => t.socket.send(make() as never)).toThrow(ArgumentError);
    t.socket.send(msg(t.socket, 'marker'));
    await waitFor(() => t.frames.length === 1, 'the marker');
    expect(t.actions()).toEqual(['marker']);
    expect(t.errors).toEqual([]);
  });

  it('createBroadcastMessage with a circular or BigInt payload throws ArgumentError before anything exists to queue', () => {
    const t = setup();
    const circular: unknown[] = [];
    circular.push(circular);
    expect(() => t.socket.createBroadcastMessage('a', circular)).toThrow(ArgumentError);
    expect(() => t.socket.createBroadcastMessage('a', [1n])).toThrow(/as JSON \(.*BigInt/);
    expect(t.socket.queued).toBe(0);
  });
});
