import { Server, WebSocket as MockWebSocket } from 'mock-socket';
import { describe, expect, it, vi } from 'vitest';
import { WebConnectionWebSocket, type CloseEventLike, type StateChange, type WebConnectionError, type WebConnectionOptions } from '../../src/index';
import { advanceUntil, useFakeClock } from '../helpers/fake-clock';

/**
 * Connection state as a user sees it: onStateChange, closeReason, what close() and reconnect() do,
 * and maxRetries. Mock sockets on the fake clock, so "no further attempt" is checked over a long
 * stretch of time without waiting for it.
 */
let n = 0;
const cleanups = useFakeClock();

type ServerSocket = { close(o?: { code: number; reason: string; wasClean: boolean }): void };

function setup(options: WebConnectionOptions = {}) {
  const url = `ws://state-${++n}.test/__initializeSocket.wc`;
  let attempts = 0;
  // Counts every socket the transport builds, whether a server is there or not.
  const Counting = class extends MockWebSocket {
    constructor(u: string | URL, p?: string | string[]) {
      super(u, p);
      attempts++;
    }
  };
  const socket = new WebConnectionWebSocket({ url, WebSocket: Counting as never, reconnect: { retryDelay: () => 10 }, ...options });
  const seen = { changes: [] as StateChange[], errors: [] as WebConnectionError[], closes: [] as CloseEventLike[], opens: 0 };
  socket.onStateChange = (c) => seen.changes.push(c);
  socket.onErrorHandler = (e) => seen.errors.push(e);
  socket.onCloseHandler = (ev) => seen.closes.push(ev);
  socket.onOpenHandler = () => seen.opens++;
  let server: Server | undefined;
  const connections: ServerSocket[] = [];
  const listen = () => {
    server = new Server(url);
    server.on('connection', (s) => connections.push(s as unknown as ServerSocket));
  };
  const stopServer = () => {
    server?.close({ code: 1001, reason: 'server going away', wasClean: true });
    server?.stop();
    server = undefined;
  };
  cleanups.push(() => {
    socket.close();
    stopServer();
  });
  return { socket, seen, connections, listen, stopServer, attempts: () => attempts, states: () => seen.changes.map((c) => c.state) };
}

/** A client connected to a listening mock server, its link open. */
async function openClient() {
  const t = setup();
  t.listen();
  t.socket.tryConnect();
  await advanceUntil(() => t.socket.state === 'open', 'open');
  return t;
}

describe('state, close() and reconnect()', () => {
  it('onStateChange reports each step with the previous state; idle before tryConnect', async () => {
    const t = setup();
    t.listen();
    expect(t.socket.state).toBe('idle');
    expect(t.socket.closeReason).toBeUndefined();
    t.socket.tryConnect();
    expect(t.socket.state).toBe('connecting');
    await advanceUntil(() => t.socket.state === 'open', 'open');
    t.connections[0]!.close({ code: 1001, reason: 'going away', wasClean: true });
    await advanceUntil(() => t.connections.length === 2 && t.socket.state === 'open', 'the second link');
    t.socket.close();
    expect(t.seen.changes.map(({ state, previous }) => `${previous}->${state}`)).toEqual([
      'idle->connecting',
      'connecting->open',
      'open->reconnecting',
      'reconnecting->reconnecting', // the retry announcement, with attempt and retryAt
      'reconnecting->open',
      'open->closed',
    ]);
    expect(t.seen.changes.at(-1)!.reason).toBe('closed by the client');
    expect(t.socket.closeReason).toBe('closed by the client');
  });

  it('while reconnecting: attempt counts failures and retryAt says when the next one starts (the injected retryDelay)', async () => {
    const delays: number[] = [];
    const t = setup({ reconnect: { retryDelay: (attempt) => (delays.push(attempt), attempt * 100) } });
    t.socket.tryConnect(); // nobody listens: every attempt fails
    await advanceUntil(() => delays.length === 3, 'three retries');
    const retries = t.seen.changes.filter((c) => c.attempt !== undefined);
    expect(retries.map((c) => c.attempt)).toEqual([1, 2, 3]);
    for (const c of retries) expect(c.state).toBe('reconnecting');
    // retryAt is absolute: consecutive ones are at least the delay apart.
    expect(retries[1]!.retryAt! - retries[0]!.retryAt!).toBeGreaterThanOrEqual(200);
    expect(retries[2]!.retryAt! - retries[1]!.retryAt!).toBeGreaterThanOrEqual(300);
    expect(delays).toEqual([1, 2, 3]);
  });

  it('failed attempts go to onErrorHandler as ConnectError, never to onCloseHandler', async () => {
    const t = setup();
    t.socket.tryConnect();
    await advanceUntil(() => t.seen.errors.length >= 3, 'three failures');
    expect(t.seen.closes).toEqual([]);
    expect(t.seen.opens).toBe(0);
    for (const e of t.seen.errors) {
      expect(e.name).toBe('ConnectError');
      expect(e.message).toMatch(/^Could not connect: /);
    }
  });

  it('close() while reconnecting stops every further attempt, however long one waits', async () => {
    const t = setup();
    t.socket.tryConnect();
    await advanceUntil(() => t.attempts() >= 3, 'three attempts');
    t.socket.close();
    const attempts = t.attempts();
    t.listen(); // a server now would be found by any further attempt
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.attempts()).toBe(attempts);
    expect(t.connections).toHaveLength(0);
    expect(t.socket.state).toBe('closed');
  });

  it('close() of an open link: onCloseHandler once, no reconnect', async () => {
    const t = await openClient();
    t.socket.close(1000, 'bye');
    await advanceUntil(() => t.seen.closes.length === 1, 'the close');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.seen.closes).toHaveLength(1);
    expect(t.attempts()).toBe(1);
    expect(t.socket.state).toBe('closed');
  });

  it('reconnect() on an open link: the old link closes (reported), a new one opens, onOpenHandler runs again', async () => {
    const t = await openClient();
    t.socket.reconnect();
    await advanceUntil(() => t.connections.length === 2 && t.socket.state === 'open', 'the new link');
    expect(t.seen.opens).toBe(2);
    expect(t.seen.closes).toHaveLength(1);
    expect(t.seen.closes[0]).toMatchObject({ type: 'close', opened: true });
  });

  it('reconnect() during a long backoff starts the next attempt at once', async () => {
    const t = setup({ reconnect: { retryDelay: () => 60_000 } });
    t.socket.tryConnect();
    await advanceUntil(() => t.seen.errors.length === 1 && t.states().at(-1) === 'reconnecting', 'the first failure');
    t.listen();
    t.socket.reconnect();
    await advanceUntil(() => t.socket.state === 'open', 'open', 1000);
  });

  it('maxRetries: that many failed retries, then closed with the reason; reconnect() starts again', async () => {
    const t = setup({ reconnect: { maxRetries: 2, retryDelay: () => 10 } });
    t.socket.tryConnect();
    await advanceUntil(() => t.socket.state === 'closed', 'giving up');
    expect(t.attempts()).toBe(3); // the first attempt and 2 retries
    expect(t.socket.closeReason).toBe('gave up after 3 failed attempts (reconnect.maxRetries 2)');
    expect(t.seen.changes.at(-1)).toMatchObject({ state: 'closed', previous: 'reconnecting', reason: t.socket.closeReason });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.attempts()).toBe(3);
    t.listen();
    t.socket.reconnect();
    expect(t.socket.state).toBe('connecting');
    await advanceUntil(() => t.socket.state === 'open', 'open after reconnect()');
    // The count starts afresh: a later outage gets its full maxRetries again.
    t.stopServer();
    await advanceUntil(() => t.socket.state === 'closed', 'giving up again');
    expect(t.socket.closeReason).toBe('gave up after 3 failed attempts (reconnect.maxRetries 2)');
  });

  it('tryConnect() after close() connects again', async () => {
    const t = await openClient();
    t.socket.close();
    t.socket.tryConnect();
    await advanceUntil(() => t.socket.state === 'open' && t.connections.length === 2, 'open again');
  });
});
