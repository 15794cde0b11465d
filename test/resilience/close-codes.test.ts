import { afterEach, describe, expect, it } from 'vitest';
import { ConnectError, type CloseInfo, type WebConnectionOptions } from '../../src/index';
import { scriptedWsServer } from '../helpers/scripted-ws-server';
import { recordingClient, type RecordingClient } from '../helpers/sdk-client';
import { waitFor } from '../helpers/wait';

let server: Awaited<ReturnType<typeof scriptedWsServer>> | undefined;
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
    server = await scriptedWsServer({ close: () => [code, reason] });
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
    server = await scriptedWsServer({ close: (n) => (n === 1 ? [code, reason] : undefined) });
    client = recordingClient(server.url, { reconnect: fast });
    const closes: number[] = [];
    client.socket.onCloseHandler = (ev) => closes.push(ev.code);
    client.socket.tryConnect();
    await waitFor(() => server!.upgrades() === 2 && client!.socket.state === 'open', 'the second link open');
    expect(closes).toEqual([code]);
    expect(client.errors).toEqual([]);
  });

  it('a link that breaks without a close frame (1006) reconnects', async () => {
    server = await scriptedWsServer({ close: (n) => (n === 1 ? 'terminate' : undefined) });
    client = recordingClient(server.url, { reconnect: fast });
    const closes: CloseInfo[] = [];
    client.socket.onCloseHandler = (ev) => closes.push(ev);
    client.socket.tryConnect();
    await waitFor(() => server!.upgrades() === 2 && client!.socket.state === 'open', 'the second link open');
    expect(closes).toEqual([expect.objectContaining({ code: 1006, wasClean: false, opened: true })]);
  });

  it('a custom shouldReconnect is honoured both ways: it may reconnect after 4401 and stop after 1001', async () => {
    const codes: [number, string][] = [[4401, 'token expired'], [1001, 'going away']];
    server = await scriptedWsServer({ close: (n) => codes[n - 1] });
    const seen: number[] = [];
    client = recordingClient(server.url, { reconnect: { ...fast, shouldReconnect: ({ code }) => (seen.push(code), code !== 1001) } });
    client.socket.tryConnect();
    await client.waitForState('closed');
    expect(seen).toEqual([4401, 1001]);
    expect(server.upgrades()).toBe(2);
    expect(client.socket.closeReason).toEqual({ code: 'server-refused', reason: 'closed with 1001 (going away); shouldReconnect said not to reconnect' });
  });

  it('an upgrade refused with HTTP 401 is a failed attempt (1006, ConnectError), retried with backoff: browsers hide the status', async () => {
    server = await scriptedWsServer({ refuse: (n) => (n <= 3 ? 401 : undefined) });
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
    server = await scriptedWsServer({ refuse: () => (refuse ? 503 : undefined) });
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
    server = await scriptedWsServer({});
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
    server = await scriptedWsServer({});
    let calls = 0;
    client = recordingClient('', { url: () => (++calls === 1 ? 'ftp://nope/' : server!.url), reconnect: fast });
    client.socket.tryConnect();
    await client.waitForState('open');
    expect(client.errors.map((e) => [e.code, e.message])).toEqual([
      ['url-failed', 'Could not connect: url failed (url must be a ws(s)/http(s) URL or a path relative to the page, got "ftp://nope/").'],
    ]);
  });
});
