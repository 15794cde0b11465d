// @vitest-environment happy-dom
import { Server, WebSocket as MockWebSocket } from 'mock-socket';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebConnectionWebSocket, type Wait } from '../../src/index';
import { networkSignals } from '../../src/network';
import { waitFor } from '../helpers/wait';

let n = 0;
const cleanups: (() => void)[] = [];
afterEach(() => {
  cleanups.splice(0).forEach((c) => c());
  vi.useRealTimers();
});

function setOnline(online: boolean) {
  Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => online });
  if (online) window.dispatchEvent(new Event('online'));
}

/** A client on a mock server, with the network feature; `waits` records every backoff wait as it begins. */
function client(retryDelay: number) {
  const url = `ws://net-${++n}.test/__initializeSocket.wc`;
  let server: Server | undefined = new Server(url);
  let connections = 0;
  server.on('connection', () => connections++);
  const attempts: number[] = [];
  const signals = networkSignals();
  const waits: number[] = [];
  const socket = new WebConnectionWebSocket({
    url: () => (attempts.push(Date.now()), url),
    WebSocket: MockWebSocket,
    network: { wait: (ms) => (waits.push(ms), signals.wait(ms)) },
    reconnect: { retryDelay: () => retryDelay },
  });
  cleanups.push(() => (socket.close(), server?.stop(), setOnline(true)));
  return {
    socket,
    attempts,
    waits,
    connections: () => connections,
    dropAndStop: () => (server!.close(), server!.stop(), (server = undefined)),
    restart: () => {
      server = new Server(url);
      server.on('connection', () => connections++);
    },
  };
}

/** A client whose link dropped and whose server is back, while it waits out a 60 s retry delay. */
async function waitingOutLongBackoff() {
  const c = client(60_000);
  c.socket.tryConnect();
  await waitFor(() => c.socket.state === 'open', 'open');
  c.dropAndStop();
  c.restart();
  await waitFor(() => c.waits.length === 1, 'the backoff wait to begin');
  expect(c.connections()).toBe(1); // and no new attempt yet
  return c;
}

describe('network signals: the wait between attempts', () => {
  it('the online event ends a long backoff at once', async () => {
    const c = await waitingOutLongBackoff();
    setOnline(true);
    await waitFor(() => c.socket.state === 'open', 'open again right after online', 2000);
    expect(c.waits).toEqual([60_000]);
  });

  it('the page becoming visible ends a long backoff', async () => {
    const c = await waitingOutLongBackoff();
    document.dispatchEvent(new Event('visibilitychange'));
    await waitFor(() => c.socket.state === 'open', 'open after visibilitychange', 2000);
  });

  it('reconnect() is an explicit request: it tries at once even while the browser says it is offline', async () => {
    const c = await waitingOutLongBackoff();
    setOnline(false);
    const before = c.attempts.length;
    c.socket.reconnect();
    await waitFor(() => c.socket.state === 'open', 'open after reconnect() while offline', 2000);
    expect(c.attempts.length).toBe(before + 1);
  });

  it('while offline there is no timer at all: only online (or wake) ends the wait; listeners go with it', () => {
    vi.useFakeTimers();
    setOnline(false);
    const add = vi.spyOn(window, 'addEventListener');
    const remove = vi.spyOn(window, 'removeEventListener');
    const ended: string[] = [];
    const w: Wait = networkSignals().wait(5);
    void w.promise.then(() => ended.push('ended'));
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(3_600_000);
    return Promise.resolve()
      .then(() => expect(ended).toEqual([]))
      .then(() => setOnline(true))
      .then(() => Promise.resolve())
      .then(() => {
        expect(ended).toEqual(['ended']);
        expect(remove.mock.calls.map((c) => c[0])).toEqual(add.mock.calls.map((c) => c[0]));
      });
  });

  it('online: a plain timer of the given length, which wake() ends early', async () => {
    vi.useFakeTimers();
    setOnline(true);
    const signals = networkSignals();
    const a = signals.wait(1000);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(1000);
    await a.promise;
    const b = signals.wait(60_000);
    b.wake();
    await b.promise;
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('the url function', () => {
  it('a url function that throws is reported (url-failed) and retried with backoff until it works', async () => {
    let calls = 0;
    const url = `ws://net-${++n}.test/__initializeSocket.wc`;
    const server = new Server(url);
    cleanups.push(() => server.stop());
    const socket = new WebConnectionWebSocket({
      url: () => {
        if (++calls < 3) throw new Error(`token expired (${calls})`);
        return url;
      },
      WebSocket: MockWebSocket,
      reconnect: { minDelay: 5, maxDelay: 10 },
    });
    cleanups.push(() => socket.close());
    const errors: [string, string][] = [];
    socket.onErrorHandler = (e) => errors.push([e.code, e.message]);
    socket.tryConnect();
    await waitFor(() => socket.state === 'open', 'open on the third call');
    expect(errors).toEqual([1, 2].map((n) => ['url-failed', `Could not connect: url failed (token expired (${n})).`]));
  });
});
