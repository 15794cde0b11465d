import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { useRecordingClients } from '../helpers/sdk-client';
import { waitFor } from '../helpers/wait';
import { createTestServer, type TestServer } from '../server/index.mjs';
import { liveness } from '../../src/liveness';

/** The SDK on Node, over the `ws` package, against the real test server. */
let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});
const { client } = useRecordingClients();

describe('the SDK on Node with ws', () => {
  it('identity travels in the query; echo comes back to the sender alone, stamped with it', async () => {
    server = await createTestServer({ static: false });
    const a = client(server.wsUrl);
    const b = client(server.wsUrl);
    a.socket.tryConnect(true, 'team a', 'ann&co');
    b.socket.tryConnect(true, 'team a', 'bob');
    await a.waitForState('open');
    await b.waitForState('open');
    expect(server.clients().map((c) => c.userId).sort()).toEqual(['ann&co', 'bob']);
    a.socket.send(a.socket.createBroadcastMessage('echo', 'ping?'));
    const [echo] = await a.waitFor('echo');
    expect(echo).toMatchObject({ action: 'echo', message: 'ping?', groupId: 'team a', userId: 'ann&co' });
    b.socket.send(b.socket.createBroadcastMessage('marker', '').addRecipient('ann&co', 'user'));
    await a.waitFor('marker');
    expect(b.messages.filter((m) => m.action === 'echo')).toEqual([]);
  });

  it('each socket has one message listener: ws builds an event and decodes the text once per listener, so a second would double that per frame', async () => {
    server = await createTestServer({ static: false });
    const sockets: WebSocket[] = [];
    class Recorded extends WebSocket {
      constructor(...args: ConstructorParameters<typeof WebSocket>) {
        super(...args);
        sockets.push(this);
      }
    }
    const a = client(server.wsUrl, { WebSocket: Recorded });
    a.socket.tryConnect();
    await a.waitForState('open');
    a.socket.send(a.socket.createBroadcastMessage('echo', 'once'));
    await a.waitFor('echo');
    expect(sockets).toHaveLength(1);
    expect(sockets[0]!.listenerCount('message')).toBe(1);
  });

  it('binary frames go out untouched and come back to onBinaryHandler as ArrayBuffer', async () => {
    server = await createTestServer({ static: false });
    const a = client(server.wsUrl);
    const got: ArrayBuffer[] = [];
    a.socket.onBinaryHandler = (data) => got.push(data);
    a.socket.tryConnect();
    await a.waitForState('open');
    const bytes = Uint8Array.from({ length: 300 }, (_, i) => i % 256);
    expect(a.socket.send(bytes)).toBe('sent');
    expect(a.socket.send(bytes.buffer.slice(0, 3))).toBe('sent');
    await waitFor(() => got.length === 2, 'two binary echoes');
    expect(got[0]).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(got[0]!)]).toEqual([...bytes]);
    expect([...new Uint8Array(got[1]!)]).toEqual([0, 1, 2]);
    expect(a.errors).toEqual([]);
  });

  it("the server's ping and tick reach on('ping') / on('tick') only, never onMessageHandler", async () => {
    server = await createTestServer({ static: false, tickSeconds: 0.05, ping: { intervalSeconds: 0.05 } });
    const a = client(server.wsUrl);
    const seen = { ping: 0, tick: [] as unknown[] };
    a.socket.on('ping', () => seen.ping++);
    a.socket.on('tick', (when) => seen.tick.push(when));
    a.socket.tryConnect();
    await a.waitForState('open');
    await waitFor(() => seen.ping >= 3 && seen.tick.length >= 3, 'pings and ticks');
    a.socket.send(a.socket.createBroadcastMessage('visible', ''));
    await a.waitFor('visible');
    expect(a.messages.map((m) => m.action)).toEqual(['visible']);
    expect(Number.isNaN(Date.parse(String(seen.tick[0])))).toBe(false);
    expect(a.errors).toEqual([]);
  });

  it("the heartbeat's ping is answered by the server's pong, which reaches on('pong') only; the link stays", async () => {
    server = await createTestServer({ static: false });
    const a = client(server.wsUrl, { liveness: liveness({ heartbeat: { interval: 50, timeout: 1000 } }) });
    let pongs = 0;
    a.socket.on('pong', () => pongs++);
    a.socket.tryConnect();
    await a.waitForState('open');
    await waitFor(() => pongs >= 3, 'three pongs');
    expect(a.messages).toEqual([]);
    expect(a.errors).toEqual([]);
    expect(a.states).toEqual(['connecting', 'open']);
  });

  it('tryConnect(false): a server-side close ends in state closed, no reconnect', async () => {
    server = await createTestServer({ static: false, ping: { intervalSeconds: 0.05, idleTimeoutSeconds: 0.1 } });
    const a = client(server.wsUrl);
    const closes: number[] = [];
    a.socket.onCloseHandler = (ev) => closes.push(ev.code);
    a.socket.tryConnect(false);
    await a.waitForState('open');
    await a.waitForState('closed'); // the server closes an idle link with 4408
    expect(closes).toEqual([4408]);
    expect(a.socket.closeReason).toEqual({ code: 'no-reconnect', reason: 'closed with 4408 (idle timeout: nothing received for 0.1 s); automatic reconnect is off' });
    await waitFor(() => server!.clients().length === 0, 'the server to let go');
  });
});
