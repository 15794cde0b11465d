// @vitest-environment happy-dom
import { Server, WebSocket as MockWebSocket } from 'mock-socket';
import { afterEach, describe, expect, it } from 'vitest';
import { WebConnectionWebSocket } from '../../src/index';
import { waitFor } from '../helpers/wait';

let n = 0;
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function setOnline(online: boolean) {
  Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => online });
  if (online) window.dispatchEvent(new Event('online'));
}

function client(options: ConstructorParameters<typeof WebConnectionWebSocket>[0] = {}) {
  const url = `ws://net-${++n}.test/__initializeSocket.wc`;
  let server: Server | undefined = new Server(url);
  let connections = 0;
  server.on('connection', () => connections++);
  const attempts: number[] = [];
  const socket = new WebConnectionWebSocket({ url: () => (attempts.push(Date.now()), url), WebSocket: MockWebSocket as never, ...options });
  const errors: string[] = [];
  socket.onErrorHandler = (e) => errors.push(e.message);
  cleanups.push(() => (socket.close(), server?.stop(), setOnline(true)));
  return {
    socket,
    attempts,
    errors,
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
  const c = client({ reconnect: { retryDelay: () => 60_000 } });
  c.socket.tryConnect();
  await waitFor(() => c.socket.state === 'open', 'open');
  c.dropAndStop();
  await waitFor(() => c.socket.state === 'reconnecting', 'reconnecting');
  c.restart();
  await new Promise((r) => setTimeout(r, 20)); // the backoff wait has begun
  expect(c.connections()).toBe(1); // and no new attempt yet
  return c;
}

describe('network signals and URL refresh', () => {
  it('the online event ends a long backoff at once', async () => {
    const c = await waitingOutLongBackoff();
    setOnline(true);
    await waitFor(() => c.socket.state === 'open', 'open again right after online', 2000);
  });

  it('no attempts while navigator.onLine is false; one as soon as it is back', async () => {
    const c = client({ reconnect: { retryDelay: () => 5 } });
    c.socket.tryConnect();
    await waitFor(() => c.socket.state === 'open', 'open');
    setOnline(false);
    c.dropAndStop();
    await waitFor(() => c.socket.state === 'reconnecting', 'reconnecting');
    const before = c.attempts.length;
    await new Promise((r) => setTimeout(r, 200)); // 40 retry delays' worth of time
    expect(c.attempts.length).toBe(before);
    c.restart();
    setOnline(true);
    await waitFor(() => c.socket.state === 'open', 'open after online', 2000);
    expect(c.attempts.length).toBe(before + 1);
  });

  it('the page becoming visible ends a long backoff', async () => {
    const c = await waitingOutLongBackoff();
    document.dispatchEvent(new Event('visibilitychange'));
    await waitFor(() => c.socket.state === 'open', 'open after visibilitychange', 2000);
  });

  it('a url function that throws is reported and retried with backoff until it works', async () => {
    let calls = 0;
    const url = `ws://net-${++n}.test/__initializeSocket.wc`;
    const server = new Server(url);
    cleanups.push(() => server.stop());
    const socket = new WebConnectionWebSocket({
      url: () => {
        if (++calls < 3) throw new Error(`token expired (${calls})`);
        return url;
      },
      WebSocket: MockWebSocket as never,
      reconnect: { minDelay: 5, maxDelay: 10 },
    });
    const errors: string[] = [];
    socket.onErrorHandler = (e) => errors.push(e.message);
    socket.tryConnect();
    await waitFor(() => socket.state === 'open', 'open on the third call');
    expect(errors).toEqual(['The url option failed: token expired (1); retrying.', 'The url option failed: token expired (2); retrying.']);
    socket.close();
  });
});
