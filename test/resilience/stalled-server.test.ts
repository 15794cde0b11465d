import { WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { SilentLinkError, type CloseInfo } from '../../src/index';
import { useRecordingClients } from '../helpers/sdk-client';
import { peakPerWindow } from '../helpers/storm.mjs';
import { quietPeriod, waitFor } from '../helpers/wait';
import { liveness } from '../../src/liveness';

/**
 * A server that accepts every connection and answers `ping` with `pong` until `stall()`: from then
 * on the links it already has stay open but get no answer (a stalled process, a GC pause, a
 * wedged proxy); new connections are answered again.
 */
async function stallingServer() {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => wss.once('listening', r));
  const upgrades: number[] = [];
  const stalled = new WeakSet<ServerSocket>();
  wss.on('connection', (ws) => {
    upgrades.push(Date.now());
    ws.on('message', (data) => {
      if (!stalled.has(ws) && JSON.parse(String(data)).action === 'ping') ws.send('{"action":"pong"}');
    });
  });
  return {
    url: `ws://127.0.0.1:${(wss.address() as { port: number }).port}/__initializeSocket.wc`,
    upgrades,
    stall: () => wss.clients.forEach((ws) => stalled.add(ws)),
    /** Every link goes unanswered, also the ones made later. */
    stallForever: () => wss.on('connection', (ws) => stalled.add(ws)).clients.forEach((ws) => stalled.add(ws)),
    close: () => new Promise<void>((r) => (wss.clients.forEach((c) => c.terminate()), wss.close(() => r()))),
  };
}

let server: Awaited<ReturnType<typeof stallingServer>> | undefined;
afterEach(async () => {
  await server?.close();
});
const { client: recordingClient, made: clients } = useRecordingClients();

describe('fault: a stalled server (links open, pings unanswered)', () => {
  it('a link declared dead counts as a failure: the backoff grows instead of a reconnect every interval + timeout', async () => {
    server = await stallingServer();
    server.stallForever();
    const delays: number[] = [];
    const c = recordingClient(server.url, { liveness: liveness({ heartbeat: { interval: 100, timeout: 100 } }), reconnect: { retryDelay: (attempt) => (delays.push(attempt), 250 * attempt) } });
    const retries: { attempt?: number; retryAt?: number }[] = [];
    c.socket.onStateChange = (s) => void (s.attempt && retries.push(s));
    c.socket.tryConnect();
    // Three links declared dead in a row: without backoff each would be retried at once, at attempt 1.
    await waitFor(() => delays.length >= 3, 'three retries', 10_000);
    expect(delays.slice(0, 3)).toEqual([1, 2, 3]);
    expect(retries.slice(0, 3).map((r) => r.attempt)).toEqual([1, 2, 3]);
    expect(retries[0]).toMatchObject({ attempt: 1, retryAt: expect.any(Number) }); // the countdown a UI shows
    // Each of those links was declared dead and reported as such.
    expect(c.errors.filter((e) => e.code === 'link-silent').length).toBeGreaterThanOrEqual(3);
    expect(c.errors.every((e) => e instanceof SilentLinkError)).toBe(true);
  });

  it('clients of a server that stalls together come back spread by the jitter, not all at once', { timeout: 20_000 }, async () => {
    server = await stallingServer();
    const n = 50;
    for (let i = 0; i < n; i++) {
      const c = recordingClient(server.url, { liveness: liveness({ heartbeat: { interval: 200, timeout: 300 } }), reconnect: { minDelay: 1000, maxDelay: 2000 } });
      c.socket.tryConnect(true, 'stall', `u${i}`);
    }
    for (const c of clients) await c.waitForState('open');
    server.upgrades.length = 0;
    server.stall();
    await waitFor(() => server!.upgrades.length >= n && clients.every((c) => c.socket.state === 'open'), 'every client back', 10_000);
    const peak = peakPerWindow(server.upgrades);
    const spread = Math.max(...server.upgrades) - Math.min(...server.upgrades);
    console.log(`stalled server, ${n} clients: peak reconnects per 100 ms ${peak}, spread over ${spread} ms (without jitter all ${n} come back within a few ms)`);
    expect(peak).toBeLessThanOrEqual(n / 2);
    // One new link each: no extra attempts (a few allowed for a pong held up by a loaded machine).
    expect(server.upgrades.length).toBeLessThanOrEqual(n + 3);
  });

  it('the close policy sees a dead link as 1006 "went silent" and may stop reconnecting', async () => {
    server = await stallingServer();
    server.stallForever();
    const seen: CloseInfo[] = [];
    const c = recordingClient(server.url, { liveness: liveness({ heartbeat: { interval: 50, timeout: 50 } }), reconnect: { shouldReconnect: (info) => (seen.push(info), false) } });
    const closes: number[] = [];
    c.socket.onCloseHandler = (ev) => closes.push(ev.code);
    c.socket.tryConnect();
    await c.waitForState('closed', 3000);
    expect(seen).toEqual([{ code: 1006, reason: expect.stringMatching(/^went silent: no answer to the heartbeat ping/), wasClean: false, opened: true }]);
    expect(closes).toEqual([1006]);
    expect(c.socket.closeReason?.code).toBe('server-refused');
    expect(c.socket.closeReason?.reason).toMatch(/^closed with 1006 \(went silent: .*\); shouldReconnect said not to reconnect$/);
    await quietPeriod(200, 'no reconnect after the policy said stop');
    expect(server.upgrades).toHaveLength(1);
  });

  it('tryConnect(false): a dead link ends in state closed, with no reconnect behind the user\'s back', async () => {
    server = await stallingServer();
    server.stallForever();
    const c = recordingClient(server.url, { liveness: liveness({ heartbeat: { interval: 50, timeout: 50 } }) });
    c.socket.tryConnect(false);
    await c.waitForState('closed', 3000);
    expect(c.socket.closeReason?.code).toBe('no-reconnect');
    expect(c.errors.map((e) => e.code)).toEqual(['link-silent']);
    await quietPeriod(300, 'no reconnect behind the user\'s back');
    expect(server.upgrades).toHaveLength(1);
    expect(c.states).toEqual(['connecting', 'open', 'closed']);
  });
});
