// @vitest-environment happy-dom
import { Server, WebSocket as MockWebSocket } from 'mock-socket';
import { afterEach, describe, expect, it } from 'vitest';
import { WebConnectionWebSocket } from '../../src/index';
import { waitFor } from '../helpers/wait';
import { liveness } from '../../src/liveness';

/** Counts live timers and window/document listeners by wrapping the functions that make them. */
function instrument() {
  const live = new Set<unknown>();
  const listeners = new Set<string>();
  const ids = new Map<unknown, number>();
  const key = (label: string, type: unknown, fn: unknown) => {
    if (!ids.has(fn)) ids.set(fn, ids.size);
    return `${label}:${String(type)}#${ids.get(fn)}`;
  };
  const g = globalThis as unknown as Record<string, (...a: unknown[]) => unknown>;
  const originals: [object, string, unknown][] = [];
  const wrap = (obj: Record<string, unknown>, name: string, fn: (orig: (...a: unknown[]) => unknown) => (...a: unknown[]) => unknown) => {
    const orig = obj[name] as (...a: unknown[]) => unknown;
    originals.push([obj, name, orig]);
    obj[name] = fn(orig.bind(obj));
  };
  wrap(g, 'setTimeout', (orig) => (fn, ms, ...a) => {
    const id: unknown = orig((...args: unknown[]) => (live.delete(id), (fn as (...x: unknown[]) => void)(...args)), ms, ...a);
    live.add(id);
    return id;
  });
  wrap(g, 'clearTimeout', (orig) => (id) => (live.delete(id), orig(id)));
  wrap(g, 'setInterval', (orig) => (...a) => {
    const id = orig(...a);
    live.add(id);
    return id;
  });
  wrap(g, 'clearInterval', (orig) => (id) => (live.delete(id), orig(id)));
  for (const [label, target] of [['window', window], ['document', document]] as const) {
    const t = target as unknown as Record<string, unknown>;
    wrap(t, 'addEventListener', (orig) => (type, fn, ...a) => (listeners.add(key(label, type, fn)), orig(type, fn, ...a)));
    wrap(t, 'removeEventListener', (orig) => (type, fn, ...a) => (listeners.delete(key(label, type, fn)), orig(type, fn, ...a)));
  }
  return {
    timers: () => live.size,
    /** Listeners added and not removed. */
    listeners: () => [...listeners],
    added: () => ids.size,
    restore: () => originals.reverse().forEach(([obj, name, orig]) => ((obj as Record<string, unknown>)[name] = orig)),
  };
}

let restore: (() => void) | undefined;
afterEach(() => restore?.());

/**
 * What is alive while the client sits on an open link: the figures that must not grow. Timers are
 * the fewest seen over 60 ms, so a ping or a message delivery in flight does not count.
 */
const snapshot = async (counters: ReturnType<typeof instrument>, server: Server) => {
  let timers = Infinity;
  for (let i = 0; i < 20; i++) {
    timers = Math.min(timers, counters.timers());
    await new Promise((r) => setTimeout(r, 3));
  }
  // By type: each link's watch has listener functions of its own; what counts is how many are alive.
  return { timers, listeners: counters.listeners().map((l) => l.replace(/#\d+$/, '')).sort(), serverSockets: server.clients().length };
};

/**
 * Opens a client on a mock server, takes a snapshot once the link is steady, then lets `breakLinks`
 * end 100 links in a row, and takes another once the 101st is steady. `breakLinks(true)` starts the
 * cycles, `breakLinks(false)` ends them.
 */
async function hundredCycles(name: string, setUp: (server: Server, breaking: () => boolean) => void, options: ConstructorParameters<typeof WebConnectionWebSocket>[0]) {
  const url = `ws://${name}.test/__initializeSocket.wc`;
  const server = new Server(url);
  let connections = 0;
  let breaking = false;
  server.on('connection', () => connections++);
  setUp(server, () => breaking && connections <= 101);
  const counters = instrument();
  restore = counters.restore;
  const socket = new WebConnectionWebSocket({ url, WebSocket: MockWebSocket, ...options });
  const errors: string[] = [];
  socket.onErrorHandler = (e) => errors.push(e.message);
  const steady = async () => {
    await waitFor(() => socket.state === 'open', 'open', 5000);
    await new Promise((r) => setTimeout(r, 50));
    expect(socket.state).toBe('open');
  };
  socket.tryConnect(true, 'g', 'u');
  await steady();
  const before = await snapshot(counters, server);
  breaking = true;
  server.clients().forEach((c) => c.close({ code: 1001, reason: 'drop', wasClean: true }));
  await waitFor(() => connections >= 101, '100 more connections', 25_000);
  await steady();
  const after = await snapshot(counters, server);
  socket.close();
  server.stop();
  await waitFor(() => counters.timers() === 0, `no live timers (still ${counters.timers()})`, 2000).catch(() => undefined);
  return { before, after, closed: { timers: counters.timers(), listeners: counters.listeners() }, added: counters.added(), errors };
}

describe('no leaks across reconnects', () => {
  it('100 links dropped by the server leave timer, listener and socket counts where they started', { timeout: 30_000 }, async () => {
    const r = await hundredCycles(
      'drops',
      (server, breaking) => server.on('connection', (s) => breaking() && setTimeout(() => s.close({ code: 1001, reason: 'drop', wasClean: true }), 1)),
      { reconnect: { retryDelay: () => 1 }, liveness: liveness({ heartbeat: { interval: 1000, timeout: 1000 }, staleTimeout: 5000 }) },
    );
    expect(r.after).toEqual(r.before);
    expect(r.before.serverSockets).toBe(1);
    expect(r.closed).toEqual({ timers: 0, listeners: [] });
    expect(r.added).toBeGreaterThanOrEqual(100); // the heartbeat's visibility listener, once per link
  });

  it('100 links declared dead by the heartbeat (each on a fresh reconnecting-websocket) leave the counts where they started', { timeout: 30_000 }, async () => {
    const r = await hundredCycles(
      'silent',
      (server, breaking) =>
        server.on('connection', (s) =>
          s.on('message', (data) => {
            if (!breaking() && JSON.parse(String(data)).action === 'ping') s.send('{"action":"pong"}');
          }),
        ),
      { reconnect: { retryDelay: () => 1 }, liveness: liveness({ heartbeat: { interval: 10, timeout: 10 } }) },
    );
    expect(r.after).toEqual(r.before);
    expect(r.before.serverSockets).toBe(1); // every abandoned socket was closed
    expect(r.closed).toEqual({ timers: 0, listeners: [] });
    expect(r.errors.filter((e) => /^Went silent/.test(e))).toHaveLength(100);
  });
});
