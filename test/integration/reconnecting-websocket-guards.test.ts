import { spawn } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { CloseInfo } from '../../src/index';
import { waitFor } from '../helpers/wait';
import { recordingClient } from '../helpers/sdk-client';
import { connectRaw } from '../helpers/raw-client';
import { createTestServer, type TestServer } from '../server/index.mjs';

/**
 * reconnecting-websocket 4.4.0 is abandoned and has known defects. For each one: the package alone
 * shows it (in a child process, as some crash the process), and the SDK, built on the same package,
 * does not.
 */
let server: TestServer | undefined;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  await server?.close();
  server = undefined;
});

function raw(defect: string, url: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['test/fixtures/raw-reconnecting-websocket.mjs', defect, url]);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill(), 10_000);
    child.on('exit', () => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()!));
      } catch {
        reject(new Error(`no result from the raw ${defect} run: ${out}`));
      }
    });
  });
}

/** A port with nothing listening: a server started and closed again. */
async function deadPort(): Promise<number> {
  const s = await createTestServer({ static: false });
  await s.close();
  return s.port;
}

/** A TCP server that accepts connections and never answers the WebSocket handshake. */
async function silentServer(): Promise<{ url: string; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const tcp: Server = createServer((s) => sockets.push(s));
  await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise((r) => { sockets.forEach((s) => s.destroy()); tcp.close(r); }));
  return { url: `ws://127.0.0.1:${(tcp.address() as { port: number }).port}/__initializeSocket.wc`, sockets };
}

describe('guards against reconnecting-websocket 4.4.0 defects', () => {
  it('#125/#141: after maxRetries gave up, reconnect() connects again', async () => {
    server = await createTestServer({ static: false });
    expect(await raw('max-retries', server.wsUrl)).toEqual({ opened: false });

    const port = server.port;
    await server.close();
    const client = recordingClient(`ws://127.0.0.1:${port}/__initializeSocket.wc`, { reconnect: { minDelay: 5, maxDelay: 10, maxRetries: 2 } });
    client.socket.tryConnect();
    await client.waitForState('closed');
    expect(client.socket.closeReason).toEqual({ code: 'retries-exhausted', reason: 'gave up after 3 failed attempts (maxRetries 2)' });
    expect(client.errors.filter((e) => e.name === 'ConnectError')).toHaveLength(3);
    server = await createTestServer({ port, static: false });
    client.socket.reconnect();
    await client.waitForState('open');
    client.socket.close();
  });

  it('#165: close() before the socket exists, then reconnect() connects', async () => {
    server = await createTestServer({ static: false });
    expect(await raw('close-before-open', server.wsUrl)).toEqual({ opened: false });

    // The first attempt waits for its URL; close() lands there, before any socket exists.
    const url = server.wsUrl;
    let calls = 0;
    let release: (() => void) | undefined;
    const client = recordingClient('', { url: () => (++calls === 1 ? new Promise<string>((r) => (release = () => r(url))) : url) });
    client.socket.tryConnect();
    await waitFor(() => calls === 1, 'the url function to be called');
    client.socket.close();
    expect(client.socket.state).toBe('closed');
    release!();
    // A macrotask runs after every queued microtask: the held attempt has finished and bailed out.
    await new Promise((r) => setImmediate(r));
    client.socket.reconnect();
    await client.waitForState('open');
    expect(calls).toBe(2);
    client.socket.close();
  });

  it('#134: a url function that rejects is reported and retried, not the end of reconnecting', async () => {
    server = await createTestServer({ static: false });
    expect(await raw('rejecting-url', server.wsUrl)).toEqual({ opened: false, calls: 1 });

    let calls = 0;
    const url = server.wsUrl;
    const client = recordingClient('', { url: () => (++calls === 1 ? Promise.reject(new Error('token service down')) : Promise.resolve(url)) });
    client.socket.tryConnect();
    await client.waitForState('open');
    expect(calls).toBe(2);
    expect(client.errors[0]).toMatchObject({ name: 'ConnectError', message: expect.stringContaining('token service down') });
    client.socket.close();
  });

  it('#183: closing while the ws socket is still connecting throws no uncaught error on Node', async () => {
    const silent = await silentServer();
    expect(await raw('close-while-connecting', silent.url)).toEqual({ uncaught: 'WebSocket was closed before the connection was established' });

    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown) => uncaught.push(err);
    process.prependListener('uncaughtException', onUncaught);
    cleanups.push(() => process.off('uncaughtException', onUncaught));
    // The connection timeout closes connecting sockets, as does reconnect() and close().
    const client = recordingClient(silent.url, { reconnect: { connectionTimeout: 100, minDelay: 5, maxDelay: 10 } });
    client.socket.tryConnect();
    await waitFor(() => client.errors.some((e) => e.code === 'connect-timeout'), 'a connect-timeout error');
    await waitFor(() => silent.sockets.length > 1, 'a second attempt');
    client.socket.close();
    // The reconnect() path closes a connecting socket too.
    client.socket.reconnect();
    await waitFor(() => silent.sockets.length > 2, 'a third attempt');
    client.socket.reconnect();
    client.socket.close();
    await new Promise((r) => setTimeout(r, 200));
    expect(uncaught).toEqual([]);
  });

  it('a failed connect is reported as 1006, not opened, to onErrorHandler: never a clean close with code 1000', async () => {
    const port = await deadPort();
    const url = `ws://127.0.0.1:${port}/__initializeSocket.wc`;
    expect(await raw('failed-connect-close', url)).toEqual({ code: 1000, wasClean: true });

    // The close policy is where the SDK shows a close's details for an attempt that never opened.
    const infos: CloseInfo[] = [];
    const client = recordingClient(url, { reconnect: { maxRetries: 0, shouldReconnect: (info) => (infos.push(info), true) } });
    const closes: unknown[] = [];
    client.socket.onCloseHandler = (ev) => closes.push(ev);
    client.socket.tryConnect();
    await client.waitForState('closed');
    expect(infos).toEqual([{ code: 1006, reason: expect.any(String), wasClean: false, opened: false }]);
    expect(closes).toEqual([]);
    expect(client.errors.map((e) => e.name)).toEqual(['ConnectError']);
    expect(client.errors[0]!.message).toMatch(/^Could not connect: /);
  });

  it('a connect timeout is a ConnectError naming the timeout', async () => {
    const silent = await silentServer();
    const client = recordingClient(silent.url, { reconnect: { maxRetries: 0, connectionTimeout: 100 } });
    client.socket.tryConnect();
    await client.waitForState('closed');
    expect(client.errors[0]?.message).toMatch(/no answer within 100 ms/);
  });

  it("its own queue would go out before open handlers: the SDK's login sent in onOpenHandler goes first", async () => {
    server = await createTestServer({ static: false });
    const spy = await connectRaw(server.wsUrl, { groupId: 'spy' });
    cleanups.push(() => spy.close());
    const toSpy = (action: string) => JSON.stringify({ action, recipients: [{ type: 'group', value: 'spy' }] });
    await raw('queue-before-open-handler', server.wsUrl);
    // The raw run sent {"action":"queued"} then {"action":"login"} with no recipients: everyone, spy included.
    await spy.next((m) => m.action === 'login');
    expect(spy.received.map((m) => (m as { action: string }).action)).toEqual(['queued', 'login']);
    spy.received.length = 0;

    // Queued before tryConnect() and while connecting: the second kind is what a naive adapter
    // hands to the package's queue, which goes out before any open handler runs.
    const client = recordingClient(server.wsUrl);
    const results = [client.socket.send(JSON.parse(toSpy('queued-1')))];
    client.socket.onOpenHandler = () => void results.push(client.socket.send(JSON.parse(toSpy('login'))));
    client.socket.tryConnect();
    results.push(client.socket.send(JSON.parse(toSpy('queued-2'))), client.socket.send(JSON.parse(toSpy('queued-3'))));
    await waitFor(() => spy.received.length >= 4, 'four messages at the spy');
    expect(spy.received.map((m) => (m as { action: string }).action)).toEqual(['login', 'queued-1', 'queued-2', 'queued-3']);
    expect(results).toEqual(['queued', 'queued', 'queued', 'sent']);
    expect(client.errors).toEqual([]);
    client.socket.close();
  });
});
