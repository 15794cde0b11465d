// @vitest-environment happy-dom
import { Server, WebSocket as MockWebSocket } from 'mock-socket';
import { afterEach, describe, expect, it } from 'vitest';
import { WebConnectionWebSocket } from '../../src/index';
import { waitFor } from '../helpers/wait';

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

describe('no leaks across reconnects', () => {
  it('100 reconnect cycles leave timer and listener counts where they started', { timeout: 30_000 }, async () => {
    const url = 'ws://leaks.test/__initializeSocket.wc';
    const server = new Server(url);
    let connections = 0;
    // Every connection is dropped by the server right after it opens.
    server.on('connection', (s) => {
      connections++;
      setTimeout(() => s.close({ code: 1001, reason: 'drop', wasClean: true }), 1);
    });
    const counters = instrument();
    restore = counters.restore;
    const socket = new WebConnectionWebSocket({
      url,
      WebSocket: MockWebSocket as never,
      reconnect: { retryDelay: () => 1 },
      heartbeat: { interval: 1000, timeout: 1000 },
      staleTimeout: 5000,
    });
    socket.onErrorHandler = () => {};
    socket.tryConnect(true, 'g', 'u');
    await waitFor(() => connections >= 100, '100 connections', 25_000);
    socket.close();
    server.stop();
    await waitFor(() => counters.timers() === 0, `no live timers (still ${counters.timers()})`, 2000).catch(() => undefined);
    expect(counters.timers()).toBe(0);
    expect(counters.added()).toBeGreaterThanOrEqual(100); // the heartbeat's visibility listener, once per link
    expect(counters.listeners(), JSON.stringify(counters.listeners())).toEqual([]);
  });
});
