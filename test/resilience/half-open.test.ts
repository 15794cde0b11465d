import { afterEach, describe, expect, it } from 'vitest';
import { recordingClient } from '../helpers/sdk-client';
import { startTcpProxy } from '../helpers/tcp-proxy';
import { waitFor } from '../helpers/wait';
import { createTestServer, type TestServer } from '../server/index.mjs';
import { liveness } from '../../src/liveness';

let server: TestServer | undefined;
let proxy: Awaited<ReturnType<typeof startTcpProxy>> | undefined;
afterEach(async () => {
  await proxy?.close();
  await server?.close();
});

describe('fault: a half-open link (nothing forwarded, nothing closed)', () => {
  it('the heartbeat notices within interval + timeout and reconnects through the proxy once it forwards', { timeout: 30_000 }, async () => {
    server = await createTestServer({ static: false });
    proxy = await startTcpProxy(server.port);
    const interval = 200;
    const timeout = 300;
    // connectionTimeout short: an attempt made before restore() (a loaded machine) is swallowed by the silent proxy.
    const client = recordingClient(`ws://127.0.0.1:${proxy.port}/__initializeSocket.wc`, {
      liveness: liveness({ heartbeat: { interval, timeout } }),
      reconnect: { minDelay: 20, maxDelay: 50, connectionTimeout: 1000 },
    });
    client.socket.tryConnect(true, 'g', 'u');
    await client.waitForState('open');
    // Pongs flow: the link stays up through several heartbeats.
    await new Promise((r) => setTimeout(r, interval * 3));
    expect(client.errors).toEqual([]);

    // Several trials, the link going silent at a different point of the heartbeat cycle each time.
    const noticed: number[] = [];
    for (let trial = 0; trial < 6; trial++) {
      await new Promise((r) => setTimeout(r, (trial * (interval + timeout)) / 6));
      const errorsBefore = client.errors.length;
      proxy.blackhole();
      const wentSilentAt = Date.now();
      const error = await waitFor(() => client.errors.slice(errorsBefore).find((e) => e.code === 'link-silent'), 'the dead link to be noticed', 3000);
      noticed.push(Date.now() - wentSilentAt);
      expect(error.message).toMatch(/no answer to the heartbeat ping/);
      expect(client.socket.state).toBe('reconnecting');

      // A send on the dead link's replacement waits in the queue and goes out once it opens.
      expect(client.socket.send(client.socket.createBroadcastMessage('echo', `after ${trial}`))).toBe('queued');
      proxy.restore();
      await waitFor(() => client.socket.state === 'open' && proxy!.connections() > 0, 'reconnected through the proxy', 5000);
      await waitFor(() => client.messages.some((m) => m.message === `after ${trial}`), 'the queued echo', 5000);
      await new Promise((r) => setTimeout(r, interval)); // a heartbeat on the new link
    }
    const sorted = [...noticed].sort((a, b) => a - b);
    console.log(
      `half-open link noticed after ${sorted[0]}–${sorted.at(-1)} ms, median ${sorted[sorted.length >> 1]} ms ` +
        `(heartbeat interval ${interval} ms + timeout ${timeout} ms; ${noticed.length} trials: ${noticed.join(', ')})`,
    );
    // Bound: at most one idle interval before the ping, then its timeout, then one check period
    // (interval / 4); the rest is slack for a loaded CI machine.
    for (const ms of noticed) expect(ms).toBeLessThanOrEqual(interval + timeout + 500);
    // Nothing but the six (and, on a loaded machine, an attempt the silent proxy swallowed).
    expect(client.errors.filter((e) => e.code !== 'connect-timeout').every((e) => e.code === 'link-silent')).toBe(true);
    expect(client.errors.filter((e) => e.code === 'link-silent')).toHaveLength(noticed.length);
    client.socket.close();
  });
});

describe('fault: a silent server, noticed by staleTimeout (no pings sent)', () => {
  it('a ticking server keeps the link; once the link goes silent the client reconnects', async () => {
    server = await createTestServer({ static: false, tickSeconds: 0.05 });
    proxy = await startTcpProxy(server.port);
    const client = recordingClient(`ws://127.0.0.1:${proxy.port}/__initializeSocket.wc`, { liveness: liveness({ staleTimeout: 300 }), reconnect: { minDelay: 20, maxDelay: 50 } });
    const ticks: unknown[] = [];
    client.socket.on('tick', (t) => ticks.push(t));
    client.socket.tryConnect();
    await client.waitForState('open');
    await waitFor(() => ticks.length >= 10, '10 ticks (0.5 s, longer than staleTimeout)');
    expect(client.errors).toEqual([]);
    expect(client.messages).toEqual([]); // ticks reach only on('tick')
    proxy.blackhole();
    const error = await waitFor(() => client.errors.find((e) => e.code === 'link-silent'), 'the silence to be noticed', 3000);
    expect(error.message).toMatch(/no frame from the server for \d+ ms \(staleTimeout 300 ms\)/);
    proxy.restore();
    await waitFor(() => client.socket.state === 'open' && proxy!.connections() > 0, 'reconnected', 5000);
    client.socket.close();
  });
});
