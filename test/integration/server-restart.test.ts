import { afterEach, describe, expect, it } from 'vitest';
import type { Envelope } from '../../src/index';
import { useRecordingClients } from '../helpers/sdk-client';
import { waitFor } from '../helpers/wait';
import { createTestServer, type TestServer } from '../server/index.mjs';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});
const { client: recordingClient } = useRecordingClients();

/** A server on `port` (0: any) that records every message it gets, in arrival order. */
async function recordingServer(port: number, into: string[]) {
  return createTestServer({
    port,
    static: false,
    onWebSocket: (msg: Envelope, ctx) => {
      into.push(msg.action);
      ctx.reply({ action: 'ack', message: msg.action });
    },
  });
}

describe('server restart (same process, same port)', () => {
  it('the client reconnects and what was queued during the outage arrives once each, in order, before later messages', async () => {
    const got: string[] = [];
    server = await recordingServer(0, got);
    const port = server.port;
    // server.close() stops listening before it says 1001, so every attempt meets a closed port.
    const client = recordingClient(server.wsUrl, { reconnect: { retryDelay: () => 100 } });
    const opens: number[] = [];
    client.socket.onOpenHandler = () => opens.push(Date.now());
    client.socket.tryConnect(true, 'room', 'rick');
    await client.waitForState('open');
    expect(client.socket.send(client.socket.createBroadcastMessage('before', ''))).toBe('sent');
    await waitFor(() => got.length === 1, 'the first message');

    await server.close();
    server = undefined;
    await client.waitForState('reconnecting');
    const results = Array.from({ length: 20 }, (_, i) => client.socket.send(client.socket.createBroadcastMessage(`queued-${i}`, '')));
    expect(results).toEqual(Array(20).fill('queued'));
    // Let a few attempts fail against the closed port first.
    await waitFor(() => client.errors.filter((e) => e.name === 'ConnectError').length >= 2, 'failed attempts while down');

    server = await recordingServer(port, got);
    await waitFor(() => opens.length === 2, 'the reconnect');
    // Queued behind the backlog (and the server's hello): it still goes after it.
    expect(['sent', 'queued']).toContain(client.socket.send(client.socket.createBroadcastMessage('after', '')));
    await client.waitFor('ack', 22);
    expect(got).toEqual(['before', ...Array.from({ length: 20 }, (_, i) => `queued-${i}`), 'after']);
    expect(client.socket.queued).toBe(0);
    expect(client.messages.filter((m) => m.action === 'ack').map((m) => m.message)).toEqual(got);
    expect(server.clients()).toEqual([{ id: 1, groupId: 'room', userId: 'rick' }]);
  });
});
