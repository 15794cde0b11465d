import { createServer, type Server } from 'node:http';
import { WebSocketServer } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectError, type CloseInfo, type WebConnectionOptions } from '../../src/index';
import { recordingClient, type RecordingClient } from '../helpers/sdk-client';
import { waitFor } from '../helpers/wait';

/**
 * A real server whose every connection is closed by `onOpen` (or refused at the upgrade with an
 * HTTP status), so the close policy is exercised through `ws`, reconnecting-websocket and the SDK.
 */
async function scriptedServer(behaviour: { close?: (n: number) => [number, string] | 'terminate' | undefined; refuse?: (n: number) => number | undefined }) {
  const http: Server = createServer();
  const wss = new WebSocketServer({ noServer: true });
  let upgrades = 0;
  http.on('upgrade', (req, socket, head) => {
    const n = ++upgrades;
    const status = behaviour.refuse?.(n);
    if (status) return void socket.end(`HTTP/1.1 ${status} Refused\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    wss.handleUpgrade(req, socket, head, (ws) => {
      const action = behaviour.close?.(n);
      if (action === 'terminate') setTimeout(() => ws.terminate(), 10);
      else if (action) setTimeout(() => ws.close(...action), 10);
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const port = (http.address() as { port: number }).port;
  return {
    url: `ws://127.0.0.1:${port}/__initializeSocket.wc`,
    upgrades: () => upgrades,
    close: () =>
      new Promise<void>((r) => {
        wss.clients.forEach((c) => c.terminate());
        http.closeAllConnections();
        http.close(() => r());
      }),
  };
}

let server: Awaited<ReturnType<typeof scriptedServer>> | undefined;
let client: RecordingClient | undefined;
afterEach(async () => {
  client?.socket.close();
  client = undefined;
  await server?.close();
});

const fast: WebConnectionOptions['reconnect'] = { minDelay: 10, maxDelay: 20 };

describe('close-code policy against a real server', () => {
  it.each([
    [1008, 'policy violation'],
    [4401, 'not authenticated'],
    [4403, 'forbidden'],
  ])('a server close with %i (%s) stops reconnecting: state closed, closeReason names the code', async (code, reason) => {
    server = await scriptedServer({ close: () => [code, reason] });
    client = recordingClient(server.url, { reconnect: fast });
    const closes: CloseInfo[] = [];
    client.socket.onCloseHandler = (ev) => closes.push(ev);
    client.socket.tryConnect();
    await client.waitForState('closed');
    expect(client.socket.closeReason).toEqual({ code: 'server-refused', reason: `closed with ${code} (${reason}); shouldReconnect said not to reconnect` });
    expect(closes).toEqual([{ type: 'close', code, reason, wasClean: true, opened: true }]);
    await new Promise((r) => setTimeout(r, 200)); // a negative: nothing may happen within 10 retry delays
    expect(server.upgrades()).toBe(1);
    expect(() => client!.socket.send(client!.socket.createBroadcastMessage('a', 'b'))).toThrow(`send() while closed (closed with ${code} (${reason}); shouldReconnect said not to reconnect): call tryConnect() or reconnect() first.`);
  });

  it.each([
    [1000, 'normal'],
    [1001, 'going away'],
    [1011, 'server error'],
    [1013, 'try again later'],
    [4000, 'application code'],
    [4408, 'idle timeout'],
  ])('a server close with %i (%s) reconnects', async (code, reason) => {
    server = await scriptedServer({ close: (n) => (n === 1 ? [code, reason] : undefined) });
    client = recordingClient(server.url, { reconnect: fast });
    const closes: number[] = [];
    client.socket.onCloseHandler = (ev) => closes.push(ev.code);
    client.socket.tryConnect();
    await waitFor(() => server!.upgrades() === 2 && client!.socket.state === 'open', 'the second link open');
    expect(closes).toEqual([code]);
    expect(client.errors).toEqual([]);
  });

  it('a link that breaks without a close frame (1006) reconnects', async () => {
    server = await scriptedServer({ close: (n) => (n === 1 ? 'terminate' : undefined) });
    client = recordingClient(server.url, { reconnect: fast });
    const closes: CloseInfo[] = [];
    client.socket.onCloseHandler = (ev) => closes.push(ev);
    client.socket.tryConnect();
    await waitFor(() => server!.upgrades() === 2 && client!.socket.state === 'open', 'the second link open');
    expect(closes).toEqual([expect.objectContaining({ code: 1006, wasClean: false, opened: true })]);
  });

  it('a custom shouldReconnect is honoured both ways: it may reconnect after 4401 and stop after 1001', async () => {
    const codes: [number, string][] = [[4401, 'token expired'], [1001, 'going away']];
    server = await scriptedServer({ close: (n) => codes[n - 1] });
    const seen: number[] = [];
    client = recordingClient(server.url, { reconnect: { ...fast, shouldReconnect: ({ code }) => (seen.push(code), code !== 1001) } });
    client.socket.tryConnect();
    await client.waitForState('closed');
    expect(seen).toEqual([4401, 1001]);
    expect(server.upgrades()).toBe(2);
    expect(client.socket.closeReason).toEqual({ code: 'server-refused', reason: 'closed with 1001 (going away); shouldReconnect said not to reconnect' });
  });

  it('an upgrade refused with HTTP 401 is a failed attempt (1006, ConnectError), retried with backoff: browsers hide the status', async () => {
    server = await scriptedServer({ refuse: (n) => (n <= 3 ? 401 : undefined) });
    const attempts: number[] = [];
    const infos: CloseInfo[] = [];
    client = recordingClient(server.url, {
      reconnect: { retryDelay: (a) => (attempts.push(a), 10), shouldReconnect: (info) => (infos.push(info), true) },
    });
    const closes: number[] = [];
    client.socket.onCloseHandler = (ev) => closes.push(ev.code);
    client.socket.tryConnect();
    await client.waitForState('open');
    expect(attempts).toEqual([1, 2, 3]);
    expect(infos.map((i) => [i.code, i.opened])).toEqual([[1006, false], [1006, false], [1006, false]]);
    expect(client.errors).toHaveLength(3);
    expect(client.errors.every((e) => e instanceof ConnectError && e.code === 'connect-failed')).toBe(true);
    expect(closes).toEqual([]); // onCloseHandler is for links that were open
  });

  it('maxRetries: after that many failed attempts in a row the state is closed, and reconnect() starts again', async () => {
    let refuse = true;
    server = await scriptedServer({ refuse: () => (refuse ? 503 : undefined) });
    client = recordingClient(server.url, { reconnect: { ...fast, maxRetries: 2 } });
    client.socket.tryConnect();
    await client.waitForState('closed');
    expect(client.socket.closeReason).toEqual({ code: 'retries-exhausted', reason: 'gave up after 3 failed attempts (maxRetries 2)' });
    expect(server.upgrades()).toBe(3); // the first attempt and 2 retries
    refuse = false;
    client.socket.reconnect();
    await client.waitForState('open');
  });
});

describe('the url function', () => {
  it('a url function that rejects is reported (ConnectError) and retried with a growing backoff until it resolves', async () => {
    server = await scriptedServer({});
    let calls = 0;
    const attempts: number[] = [];
    client = recordingClient('', {
      url: async () => {
        await new Promise((r) => setTimeout(r, 1));
        if (++calls <= 3) throw new Error(`token service down (${calls})`);
        return server!.url;
      },
      reconnect: { retryDelay: (a) => (attempts.push(a), 5 * a) },
    });
    client.socket.tryConnect();
    await client.waitForState('open');
    expect(attempts).toEqual([1, 2, 3]);
    expect(client.errors.map((e) => [e.name, e.code, e.message])).toEqual([1, 2, 3].map((n) => ['ConnectError', 'url-failed', `Could not connect: url failed (token service down (${n})).`]));
    expect((client.errors[0]!.cause as Error).message).toBe('token service down (1)');
    expect(server.upgrades()).toBe(1);
  });

  it('a url function that returns an invalid URL is reported the same way and retried', async () => {
    server = await scriptedServer({});
    let calls = 0;
    client = recordingClient('', { url: () => (++calls === 1 ? 'ftp://nope/' : server!.url), reconnect: fast });
    client.socket.tryConnect();
    await client.waitForState('open');
    expect(client.errors.map((e) => [e.code, e.message])).toEqual([
      ['url-failed', 'Could not connect: url failed (url must be a ws(s)/http(s) URL or a path relative to the page, got "ftp://nope/").'],
    ]);
  });
});
