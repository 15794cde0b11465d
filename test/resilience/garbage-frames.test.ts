import { afterEach, describe, expect, it } from 'vitest';
import { FrameError } from '../../src/index';
import { BINARY_FRAME, expectedFrameErrors, frameErrorGist, garbageFrames } from '../fixtures/garbage-frames';
import { scriptedWsServer } from '../helpers/scripted-ws-server';
import { recordingClient } from '../helpers/sdk-client';
import { waitFor } from '../helpers/wait';

let server: Awaited<ReturnType<typeof scriptedWsServer>> | undefined;
afterEach(() => server?.close());

describe('fault: garbage from the server', () => {
  it('reports every bad frame, keeps the connection, and delivers every valid frame in order', async () => {
    const burst = 10_000;
    server = await scriptedWsServer({ frames: garbageFrames(burst) });
    const client = recordingClient(server.url);
    const binary: ArrayBuffer[] = [];
    client.socket.onBinaryHandler = (b) => binary.push(b);
    client.socket.tryConnect();
    await waitFor(() => client.messages.some((m) => m.message === 'last'), 'the last frame', 15_000);

    expect(client.errors).toHaveLength(7);
    expect(client.errors.every((e) => e instanceof FrameError && e.code === 'frame-invalid')).toBe(true);
    // The reason in each message is precise: it says what was wrong with that frame.
    expect(client.errors.map((e) => frameErrorGist(e.message))).toEqual(expectedFrameErrors());
    const actions = client.messages.map((m) => m.action);
    expect(actions.slice(0, 2)).toEqual(['ok', 'big']);
    expect(client.messages[1]!.message).toHaveLength(1024 * 1024);
    expect(client.messages.slice(2, -1).map((m) => Number(m.message))).toEqual(Array.from({ length: burst }, (_, i) => i));
    expect(Buffer.from(binary[0]!)).toEqual(BINARY_FRAME);
    expect(client.socket.state).toBe('open');
    expect(server.connections()).toBe(1); // never reconnected
    expect(client.states).toEqual(['connecting', 'open']);
    client.socket.close();
  });
});
