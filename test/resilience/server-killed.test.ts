import { afterEach, describe, expect, it } from 'vitest';
import { recordingClient, type RecordingClient } from '../helpers/sdk-client';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';
import { waitFor } from '../helpers/wait';

let server: ServerProcess | undefined;
const clients: RecordingClient[] = [];
afterEach(async () => {
  clients.splice(0).forEach((c) => c.socket.close());
  await server?.kill();
});

describe('fault: the server process is killed mid-stream and started again', () => {
  it('every client reconnects and every message sent during the outage arrives once, in order', { timeout: 40_000 }, async () => {
    server = await startServerProcess();
    const port = server.port;
    const wsUrl = server.wsUrl;
    // Delivery goes to whoever is connected, so the listener must be back before the senders flush:
    // the senders' url function (called before every attempt) waits for it.
    let listenerBack: Promise<void> = Promise.resolve();
    const senders = Array.from({ length: 5 }, () =>
      recordingClient('', { url: () => listenerBack.then(() => wsUrl), reconnect: { minDelay: 50, maxDelay: 200 } }),
    );
    const listener = recordingClient(server.wsUrl, { reconnect: { minDelay: 50, maxDelay: 200 } });
    clients.push(...senders, listener);
    listener.socket.tryConnect(true, 'room', 'listener');
    senders.forEach((s, i) => s.socket.tryConnect(true, 'room', `sender-${i}`));
    for (const c of clients) await c.waitForState('open');

    // A stream in flight when the process dies.
    const stream = (phase: string, count: number) => {
      for (let k = 0; k < count; k++) {
        senders.forEach((s, i) => {
          const msg = s.socket.createBroadcastMessage('broadcastchatmessage', `${phase}:${i}:${k}`);
          s.socket.send(msg);
        });
      }
    };
    stream('before', 20);
    await listener.waitFor('broadcastchatmessage', 100);
    listenerBack = new Promise((resolve) => (listener.socket.onOpenHandler = () => resolve()));
    await server.kill('SIGKILL');
    for (const c of clients) await waitFor(() => c.socket.state === 'reconnecting', 'reconnecting');

    // Sent during the outage: all queued.
    senders.forEach((s, i) => {
      for (let k = 0; k < 10; k++) expect(s.socket.send(s.socket.createBroadcastMessage('broadcastchatmessage', `outage:${i}:${k}`))).toBe('queued');
    });

    server = await startServerProcess(port);
    for (const c of clients) await c.waitForState('open', 10_000);
    await waitFor(() => listener.messages.filter((m) => m.message.startsWith('outage:')).length >= 50, '50 outage messages', 10_000).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 100)); // room for a duplicate to show up, if there were one

    const outage = listener.messages.filter((m) => m.message.startsWith('outage:'));
    senders.forEach((_, i) => {
      const mine = outage.filter((m) => m.message.startsWith(`outage:${i}:`)).map((m) => m.message);
      expect(mine).toEqual(Array.from({ length: 10 }, (_, k) => `outage:${i}:${k}`));
    });
    expect(outage).toHaveLength(50);
  });
});
