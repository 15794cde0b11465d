import { readdirSync, readFileSync } from 'node:fs';
import ReconnectingWebSocket from 'reconnecting-websocket';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createTestServer, type TestServer } from '../server/index.mjs';
import { waitFor } from '../helpers/wait';

/**
 * The built files, as they ship: reconnecting-websocket compiled from its source with its debug
 * calls and unused members removed, and its private members mangled by terser. These tests run
 * the bundles themselves against the real server.
 */
const DIST = new URL('../../dist/', import.meta.url);
type Sdk = typeof import('../../src/index');
const builds: [string, () => Promise<Sdk>][] = [
  ['dist/index.js', () => import('../../dist/index.js' as string) as Promise<Sdk>],
  ['dist/webconnection-websocket.min.js', () => import('../../dist/webconnection-websocket.min.js' as string) as Promise<Sdk>],
];

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('the shipped bundles', () => {
  it('the tests run reconnecting-websocket as it ships: trimmed of the members the adapter never reaches', () => {
    const proto = ReconnectingWebSocket.prototype as unknown as Record<string, unknown>;
    expect('send' in proto || 'reconnect' in proto || '_debug' in proto).toBe(false);
    expect(typeof proto.close).toBe('function');
  });

  it('carry reconnecting-websocket\'s licence wherever its code is, and none of its debug calls', () => {
    const files = ['webconnection-websocket.min.js', 'index.js', ...readdirSync(new URL('chunks/', DIST)).map((f) => `chunks/${f}`)].filter((f) => f.endsWith('.js'));
    const withRws = files.filter((f) => readFileSync(new URL(f, DIST), 'utf8').includes('maxReconnectionDelay'));
    expect(withRws.length).toBeGreaterThanOrEqual(2);
    for (const f of withRws) {
      const code = readFileSync(new URL(f, DIST), 'utf8');
      expect(code, f).toMatch(/Reconnecting WebSocket[\s\S]*License MIT/);
      expect(code, f).not.toMatch(/RWS>|_debug/);
    }
  });

  it.each(builds)('%s connects, gets a message, reconnects after the server drops it, and closes', async (_name, load) => {
    const { WebConnectionWebSocket } = await load();
    server = await createTestServer({ static: false });
    const port = server.port;
    const socket = new WebConnectionWebSocket({ url: server.wsUrl, WebSocket, reconnect: { minDelay: 10, maxDelay: 20 } });
    const got: string[] = [];
    const codes: string[] = [];
    socket.onMessageHandler = (m) => got.push(m.message);
    socket.onErrorHandler = (e) => codes.push(e.code);
    socket.tryConnect(true, 'bundle', 'b');
    await waitFor(() => socket.state === 'open', 'open');
    socket.send(socket.createBroadcastMessage('echo', 'one'));
    await waitFor(() => got.includes('one'), 'the echo');
    await server.close();
    await waitFor(() => socket.state === 'reconnecting', 'reconnecting');
    server = await createTestServer({ static: false, port });
    await waitFor(() => socket.state === 'open', 'open again', 10_000);
    socket.send(socket.createBroadcastMessage('echo', 'two'));
    await waitFor(() => got.includes('two'), 'the second echo');
    // The restarted server lost the resume session, and says so once (replay-gap).
    expect([...new Set(codes)].sort()).toEqual(['connect-failed', 'replay-gap']);
    socket.close();
    expect(socket.state).toBe('closed');
  });

  it.each(builds)('%s: a silent server is a connect-timeout, and maxRetries ends in closed (retries-exhausted)', async (_name, load) => {
    const { WebConnectionWebSocket } = await load();
    const { createServer } = await import('node:net');
    // Accepts TCP and never answers the upgrade.
    const held: import('node:net').Socket[] = [];
    const silent = createServer((s) => void held.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const url = `ws://127.0.0.1:${(silent.address() as { port: number }).port}/`;
    const socket = new WebConnectionWebSocket({ url, WebSocket, reconnect: { connectionTimeout: 50, maxRetries: 1, retryDelay: () => 5 } });
    const codes: string[] = [];
    socket.onErrorHandler = (e) => codes.push(e.code);
    socket.tryConnect();
    await waitFor(() => socket.state === 'closed', 'closed');
    expect(codes).toEqual(['connect-timeout', 'connect-timeout']);
    expect(socket.closeReason?.code).toBe('retries-exhausted');
    held.forEach((s) => s.destroy());
    await new Promise<void>((r) => silent.close(() => r()));
  });
});
