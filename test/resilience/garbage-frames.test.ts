import { WebSocketServer } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { FrameError } from '../../src/index';
import { recordingClient } from '../helpers/sdk-client';
import { waitFor } from '../helpers/wait';

let wss: WebSocketServer | undefined;
afterEach(() => new Promise<void>((r) => (wss ? (wss.clients.forEach((c) => c.terminate()), wss.close(() => r())) : r())));

/** A server that sends a scripted list of frames to whoever connects. */
async function scriptedServer(frames: (string | Buffer)[]) {
  wss = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: 4 * 1024 * 1024 });
  await new Promise((r) => wss!.once('listening', r));
  let connections = 0;
  wss.on('connection', (ws) => {
    connections++;
    for (const f of frames) ws.send(f, { binary: Buffer.isBuffer(f) });
  });
  return { url: `ws://127.0.0.1:${(wss.address() as { port: number }).port}/__initializeSocket.wc`, connections: () => connections };
}

describe('fault: garbage from the server', () => {
  it('reports every bad frame, keeps the connection, and delivers every valid frame in order', async () => {
    const big = 'x'.repeat(1024 * 1024);
    const burst = Array.from({ length: 10_000 }, (_, i) => JSON.stringify({ action: 'n', message: String(i) }));
    const server = await scriptedServer([
      '{"action":"ok","message":"first"}',
      'this is not json',
      '[1,2,3]',
      '42',
      '{"action":7,"message":"wrong action type"}',
      '{"action":"x","message":{"not":"a string"}}',
      '{"action":"x","recipients":"everyone"}',
      JSON.stringify({ action: 'big', message: big }),
      `{"action":"bigbad","message":"${big}`,
      Buffer.from([0xde, 0xad, 0xbe, 0xef]),
      ...burst,
      '{"action":"ok","message":"last"}',
    ]);
    const client = recordingClient(server.url);
    const binary: ArrayBuffer[] = [];
    client.socket.onBinaryHandler = (b) => binary.push(b);
    client.socket.tryConnect();
    await waitFor(() => client.messages.some((m) => m.message === 'last'), 'the last frame', 15_000);

    expect(client.errors).toHaveLength(7);
    expect(client.errors.every((e) => e instanceof FrameError && e.code === 'frame-invalid')).toBe(true);
    // The reason in each message is precise: it says what was wrong with that frame.
    expect(client.errors.map((e) => e.message.replace('Frame ignored: ', '').slice(0, 40))).toEqual([
      expect.stringMatching(/^not valid JSON \(/),
      'expected a JSON object, got an array',
      'expected a JSON object, got number',
      '"action" must be a string, got number',
      '"message" must be a string, got object',
      '"recipients" must be an array',
      expect.stringMatching(/^not valid JSON \(/),
    ]);
    const actions = client.messages.map((m) => m.action);
    expect(actions.slice(0, 2)).toEqual(['ok', 'big']);
    expect(client.messages[1]!.message).toHaveLength(1024 * 1024);
    expect(client.messages.slice(2, -1).map((m) => Number(m.message))).toEqual(burst.map((_, i) => i));
    expect([...new Uint8Array(binary[0]!)]).toEqual([0xde, 0xad, 0xbe, 0xef]);
    expect(client.socket.state).toBe('open');
    expect(server.connections()).toBe(1); // never reconnected
    expect(client.states).toEqual(['connecting', 'open']);
    client.socket.close();
  });
});
