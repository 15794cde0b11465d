import { Server, WebSocket as MockWebSocket } from 'mock-socket';
import { describe, expect, it, vi } from 'vitest';
import { WebConnectionWebSocket, type Envelope, type WebConnectionError } from '../../src/index';
import { advanceUntil, useFakeClock } from '../helpers/fake-clock';
import { liveness } from '../../src/liveness';

/**
 * The heartbeat as a user sees it, through the client and a mock socket, on vitest's fake clock:
 * what goes on the wire, when the client gives up on a silent link, and that a late timer (a
 * throttled background tab) raises no false alarm.
 */
const INTERVAL = 1000;
const TIMEOUT = 500;

let n = 0;
const cleanups = useFakeClock();

type ServerSocket = { send(d: string): void; on(ev: 'message', fn: (d: unknown) => void): void };

function setup(answerPings: boolean) {
  const url = `ws://heartbeat-${++n}.test/__initializeSocket.wc`;
  const server = new Server(url);
  const connections: ServerSocket[] = [];
  const received: Envelope[] = [];
  server.on('connection', (raw) => {
    const s = raw as unknown as ServerSocket;
    connections.push(s);
    s.on('message', (d) => {
      const msg = JSON.parse(String(d)) as Envelope;
      received.push(msg);
      if (answerPings && msg.action === 'ping') s.send('{"action":"pong"}');
    });
  });
  const socket = new WebConnectionWebSocket({
    url,
    WebSocket: MockWebSocket,
    liveness: liveness({ heartbeat: { interval: INTERVAL, timeout: TIMEOUT } }),
    reconnect: { retryDelay: () => 0 },
  });
  const seen = { messages: [] as Envelope[], errors: [] as WebConnectionError[], states: [] as string[], pongs: 0 };
  socket.onMessageHandler = (m) => seen.messages.push(m);
  socket.onErrorHandler = (e) => seen.errors.push(e);
  socket.onStateChange = (c) => seen.states.push(c.state);
  socket.on('pong', () => seen.pongs++);
  cleanups.push(() => {
    socket.close();
    server.stop();
  });
  const pings = () => received.filter((m) => m.action === 'ping').length;
  return { socket, server, connections, received, seen, pings };
}

describe('heartbeat through the client (fake clock)', () => {
  it('sends {"action":"ping"} after an idle interval, not before; the pong reaches on("pong") only', async () => {
    const t = setup(true);
    t.socket.tryConnect();
    await advanceUntil(() => t.socket.state === 'open', 'open');
    await vi.advanceTimersByTimeAsync(INTERVAL - 100);
    expect(t.pings()).toBe(0);
    await advanceUntil(() => t.pings() === 1, 'ping', 400);
    expect(t.received[0]).toEqual({ action: 'ping', message: '', groupId: '', userId: '', recipients: [] });
    await advanceUntil(() => t.seen.pongs === 1, 'pong');
    expect(t.seen.messages).toEqual([]);
  });

  it('answered pings keep one link for a long time: no reconnect, no error', async () => {
    const t = setup(true);
    t.socket.tryConnect();
    await advanceUntil(() => t.socket.state === 'open', 'open');
    await vi.advanceTimersByTimeAsync(20 * INTERVAL);
    expect(t.pings()).toBeGreaterThanOrEqual(15);
    expect(t.seen.pongs).toBe(t.pings());
    expect(t.connections).toHaveLength(1);
    expect(t.seen.errors).toEqual([]);
    expect(t.seen.states).toEqual(['connecting', 'open']);
  });

  it('no frame within timeout after a ping: reports the silence and reconnects', async () => {
    const t = setup(false);
    t.socket.tryConnect();
    await advanceUntil(() => t.socket.state === 'open', 'open');
    const opened = Date.now();
    await advanceUntil(() => t.seen.errors.length > 0, 'silence report');
    // A ping at about `interval`, then `timeout` of silence; checks run every quarter period.
    expect(Date.now() - opened).toBeGreaterThanOrEqual(INTERVAL + TIMEOUT);
    expect(Date.now() - opened).toBeLessThanOrEqual(INTERVAL + TIMEOUT + 300);
    expect(t.seen.errors[0]!.name).toBe('SilentLinkError');
    expect(t.seen.errors[0]!.code).toBe('link-silent');
    expect(t.seen.errors[0]!.message).toMatch(/^Went silent: no answer to the heartbeat ping .*heartbeat\.timeout 500 ms/);
    await advanceUntil(() => t.connections.length === 2 && t.socket.state === 'open', 'a new link');
    expect(t.seen.states).toContain('reconnecting');
    expect(t.seen.states.at(-1)).toBe('open');
  });

  it('frames keep a link alive without pings: a server that talks is never pinged', async () => {
    const t = setup(false);
    t.socket.tryConnect();
    await advanceUntil(() => t.socket.state === 'open', 'open');
    const talk = setInterval(() => t.connections[0]!.send('{"action":"chat","message":"hi"}'), INTERVAL / 3);
    cleanups.push(() => clearInterval(talk));
    // One big jump: the fake clock still runs every timer due on the way, frames and checks interleaved.
    await vi.advanceTimersByTimeAsync(30 * INTERVAL);
    expect(t.seen.messages.length).toBeGreaterThan(80);
    expect(t.pings()).toBe(0);
    expect(t.seen.errors).toEqual([]);
    expect(t.connections).toHaveLength(1);
  });

  it('a late timer (throttled tab): the clock jumps far past interval + timeout, frames arrived meanwhile: no false alarm', async () => {
    const t = setup(false);
    t.socket.tryConnect();
    await advanceUntil(() => t.socket.state === 'open', 'open');
    await vi.advanceTimersByTimeAsync(INTERVAL / 2); // visible for a while: the checks are running
    // The clock moves a minute on and no timer runs, as in a background tab; a frame still arrives.
    vi.setSystemTime(Date.now() + 60 * INTERVAL);
    t.connections[0]!.send('{"action":"chat","message":"while hidden"}');
    await advanceUntil(() => t.seen.messages.length === 1, 'the frame');
    // Now the overdue check runs, late.
    await vi.advanceTimersByTimeAsync(INTERVAL / 2);
    expect(t.seen.errors).toEqual([]);
    expect(t.pings()).toBe(0);
    expect(t.connections).toHaveLength(1);
    expect(t.socket.state).toBe('open');
  });

  it('a late timer with no frame at all: a ping goes out and gets its full timeout, no instant alarm', async () => {
    const t = setup(true);
    t.socket.tryConnect();
    await advanceUntil(() => t.socket.state === 'open', 'open');
    await vi.advanceTimersByTimeAsync(INTERVAL / 2);
    vi.setSystemTime(Date.now() + 60 * INTERVAL);
    await advanceUntil(() => t.pings() === 1, 'the late ping', INTERVAL);
    await advanceUntil(() => t.seen.pongs === 1, 'pong');
    await vi.advanceTimersByTimeAsync(TIMEOUT * 2);
    expect(t.seen.errors).toEqual([]);
    expect(t.connections).toHaveLength(1);
  });
});
