import { afterEach, describe, expect, it } from 'vitest';
import type { SendResult } from '../../src/index';
import { recordingClient, type RecordingClient } from '../helpers/sdk-client';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';
import { waitFor } from '../helpers/wait';

let server: ServerProcess | undefined;
let stopStream: (() => void) | undefined;
const clients: RecordingClient[] = [];
afterEach(async () => {
  stopStream?.();
  clients.splice(0).forEach((c) => c.socket.close());
  await server?.kill();
});

describe('fault: the server process is killed mid-stream and started again', () => {
  it('every client reconnects; every message sent during the outage arrives once, in order', { timeout: 40_000 }, async () => {
    server = await startServerProcess();
    const { port, wsUrl } = server;
    // The server keeps no messages: a group broadcast reaches whoever is connected. So the listener
    // must be back before the senders flush their queues: the senders' url function (called before
    // every attempt) waits for it.
    let listenerBack: Promise<void> = Promise.resolve();
    const reconnect = { minDelay: 50, maxDelay: 200 };
    const senders = Array.from({ length: 8 }, () => recordingClient('', { url: () => listenerBack.then(() => wsUrl), reconnect }));
    const listener = recordingClient(wsUrl, { reconnect });
    clients.push(...senders, listener);
    listener.socket.tryConnect(true, 'room', 'listener');
    senders.forEach((s, i) => s.socket.tryConnect(true, 'room', `sender-${i}`));
    for (const c of clients) await c.waitForState('open');

    // Every sender streams `i:k` every 25 ms and notes what send() said about each message. At most
    // 20 wait in a queue, so the flush plus the stream stay under the server's rate limit (100 a
    // second per connection) however long the restart takes.
    const results = senders.map(() => [] as { k: number; result: SendResult; state: string }[]);
    const timer = setInterval(() => {
      senders.forEach((s, i) => {
        if (s.socket.queued >= 20) return;
        const k = results[i]!.length;
        const state = s.socket.state;
        results[i]!.push({ k, result: s.socket.send(s.socket.createBroadcastMessage('broadcastchatmessage', `${i}:${k}`)), state });
      });
    }, 25);
    stopStream = () => clearInterval(timer);

    await waitFor(() => results[0]!.length >= 10, 'the stream under way');
    listenerBack = new Promise((resolve) => (listener.socket.onOpenHandler = () => resolve()));
    await server.kill('SIGKILL');
    for (const c of clients) await waitFor(() => c.socket.state === 'reconnecting', 'reconnecting');
    const outageFrom = results.map((r) => r.length);
    await new Promise((r) => setTimeout(r, 700)); // the stream goes on into the queue: 28 ticks, 20 queued
    server = await startServerProcess(port);
    for (const c of clients) await c.waitForState('open', 10_000);
    await waitFor(() => results.every((r, i) => r.length >= outageFrom[i]! + 40), 'the stream to go on after the restart');
    stopStream();

    const sentTotal = results.reduce((n, r) => n + r.length, 0);
    const queued = results.map((r) => r.filter((x) => x.result === 'queued').map((x) => x.k));
    const lastSentAfterRestart = results.map((r) => r.filter((x) => x.result === 'sent').at(-1)!.k);
    const received = () => listener.messages.filter((m) => m.action === 'broadcastchatmessage').map((m) => m.message);
    // Everything sent after the restart arrives; what the dying socket took may be lost in flight.
    await waitFor(() => senders.every((_, i) => received().includes(`${i}:${lastSentAfterRestart[i]}`)), 'the last message of every sender', 10_000);
    await new Promise((r) => setTimeout(r, 100)); // room for a duplicate to show up, if there were one

    const all = received();
    expect(new Set(all).size).toBe(all.length); // nothing doubled
    senders.forEach((_, i) => {
      const mine = all.filter((m) => m.startsWith(`${i}:`)).map((m) => Number(m.split(':')[1]));
      expect(mine).toEqual([...mine].sort((a, b) => a - b)); // in order
      // The outage lasts longer than 20 ticks; after it, sends queue behind the backlog while it is paced out.
      expect(queued[i]!.length).toBeGreaterThanOrEqual(20);
      for (const k of queued[i]!) expect(mine).toContain(k); // every queued message arrived
    });
    const lost = sentTotal - all.length;
    console.log(
      `server SIGKILLed mid-stream: ${senders.length} senders, ${sentTotal} messages, ${queued.flat().length} queued during the outage (all delivered once, in order), ` +
        `${lost} taken by the dying socket and lost in flight`,
    );
    expect(results.flat().every((x) => x.result !== 'dropped')).toBe(true);
    expect(senders.flatMap((s) => s.messages.filter((m) => m.action === 'error'))).toEqual([]); // no rate limit hit
  });
});
