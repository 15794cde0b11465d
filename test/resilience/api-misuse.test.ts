import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError, InvalidStateError } from '../../src/index';
import { recordingClient } from '../helpers/sdk-client';
import { createTestServer, type TestServer } from '../server/server.mjs';

let server: TestServer;
beforeAll(async () => (server = await createTestServer({ static: false })));
afterAll(() => server.close());

/** One row per misuse: what the user did, and the clear error or documented behaviour they get; nothing is lost. */
describe('API misuse against the real server', () => {
  it('send before tryConnect: queued, delivered after connecting', async () => {
    const c = recordingClient(server.wsUrl);
    expect(c.socket.send(c.socket.createBroadcastMessage('echo', 'early'))).toBe('queued');
    c.socket.tryConnect();
    expect((await c.waitFor('echo'))[0]!.message).toBe('early');
    c.socket.close();
  });

  it('send after close: InvalidStateError saying what to do', async () => {
    const c = recordingClient(server.wsUrl);
    c.socket.tryConnect();
    await c.waitForState('open');
    c.socket.close();
    expect(() => c.socket.send(c.socket.createBroadcastMessage('echo', 'late'))).toThrow(InvalidStateError);
  });

  it('tryConnect twice with the same identity: one connection; with another identity: reconnects as the new one, queue kept', async () => {
    const c = recordingClient(server.wsUrl);
    c.socket.tryConnect(true, 'misuse', 'first');
    c.socket.tryConnect(true, 'misuse', 'first');
    await c.waitForState('open');
    expect(server.clients().filter((x) => x.groupId === 'misuse')).toHaveLength(1);
    c.socket.tryConnect(true, 'misuse', 'second');
    c.socket.send(c.socket.createBroadcastMessage('echo', 'who am I'));
    const [echo] = await c.waitFor('echo');
    expect(echo!.userId).toBe('second');
    expect(server.clients().filter((x) => x.groupId === 'misuse').map((x) => x.userId)).toEqual(['second']);
    c.socket.close();
  });

  it('invalid recipient type: TypeError naming the valid types', () => {
    const c = recordingClient(server.wsUrl);
    expect(() => c.socket.createBroadcastMessage('a', 'b').addRecipient('x', 'everyone' as never)).toThrow(/use one of "group", "user", "allButUser", "allButGroup"/);
  });

  it.each([
    ['circular', (() => { const o: Record<string, unknown> = {}; o.o = o; return o; })()],
    ['BigInt', { n: 1n }],
  ])('%s payload: ArgumentError, nothing queued', (_name, payload) => {
    const c = recordingClient(server.wsUrl);
    expect(() => c.socket.createBroadcastMessage('a', payload)).toThrow(ArgumentError);
    expect(c.socket.queued).toBe(0);
  });

  it('an invalid URL: ArgumentError at tryConnect, state unchanged', () => {
    const c = recordingClient('ws://bad host:99999/');
    expect(() => c.socket.tryConnect()).toThrow(/Invalid url/);
    expect(c.socket.state).toBe('idle');
  });
});
