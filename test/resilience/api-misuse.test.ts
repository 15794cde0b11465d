import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError, InvalidStateError, QueueFullError, UnsentMessagesError, WebConnectionWebSocket } from '../../src/index';
import { liveness } from '../../src/liveness';
import { useRecordingClients } from '../helpers/sdk-client';
import { quietPeriod, waitFor } from '../helpers/wait';
import { createTestServer, type TestServer } from '../server/index.mjs';

let server: TestServer;
beforeAll(async () => (server = await createTestServer({ static: false })));
afterAll(() => server.close());
const clients = useRecordingClients();
const client = (url = server.wsUrl, options = {}) => clients.client(url, options);

const circular = () => {
  const o: Record<string, unknown> = {};
  o.self = o;
  return o;
};

/** One row per misuse: what the user did, and the clear error or documented behaviour they get; nothing is lost. */
describe('API misuse against the real server', () => {
  it('send before tryConnect: queued, delivered after connecting', async () => {
    const c = client();
    expect(c.socket.send(c.socket.createBroadcastMessage('echo', 'early'))).toBe('queued');
    c.socket.tryConnect();
    expect((await c.waitFor('echo'))[0]!.message).toBe('early');
  });

  it('send after close: InvalidStateError saying what to do', async () => {
    const c = client();
    c.socket.tryConnect();
    await c.waitForState('open');
    c.socket.close();
    expect(() => c.socket.send(c.socket.createBroadcastMessage('echo', 'late'))).toThrow(InvalidStateError);
    expect(() => c.socket.send(c.socket.createBroadcastMessage('echo', 'late'))).toThrow(/call tryConnect\(\) or reconnect\(\) first/);
  });

  it('close() with messages still queued: they are kept, and go out after the next tryConnect()', async () => {
    const c = client();
    c.socket.send(c.socket.createBroadcastMessage('echo', 'kept 1'));
    c.socket.send(c.socket.createBroadcastMessage('echo', 'kept 2'));
    c.socket.close();
    expect(c.socket.queued).toBe(2);
    c.socket.tryConnect();
    expect((await c.waitFor('echo', 2)).map((m) => m.message)).toEqual(['kept 1', 'kept 2']);
  });

  it('tryConnect twice with the same identity: a no-op, one connection at the server', async () => {
    const c = client();
    c.socket.tryConnect(true, 'misuse-same', 'first');
    c.socket.tryConnect(true, 'misuse-same', 'first');
    await c.waitForState('open');
    c.socket.tryConnect(true, 'misuse-same', 'first');
    await quietPeriod(50, 'no second connection arriving');
    expect(server.clients().filter((x) => x.groupId === 'misuse-same')).toHaveLength(1);
    expect(c.states).toEqual(['connecting', 'open']);
  });

  it('tryConnect with another identity: the old queue is handed back (UnsentMessagesError), never sent as the new user', async () => {
    const c = client();
    c.socket.tryConnect(true, 'misuse-other', 'first');
    const first = c.socket.createBroadcastMessage('echo', 'queued as first');
    expect(c.socket.send(first)).toBe('queued');
    c.socket.tryConnect(true, 'misuse-other', 'second');
    expect(c.socket.queued).toBe(0);
    const unsent = c.errors.find((e) => e.code === 'identity-changed') as UnsentMessagesError;
    expect(unsent).toBeInstanceOf(UnsentMessagesError);
    expect(unsent.messages).toEqual([first]);
    // What goes out now is the new user's only: the marker is the first echo there is.
    c.socket.send(c.socket.createBroadcastMessage('echo', 'marker'));
    const [echo] = await c.waitFor('echo');
    expect(echo).toMatchObject({ message: 'marker', userId: 'second' });
    await waitFor(() => server.clients().filter((x) => x.groupId === 'misuse-other').length === 1, 'one connection');
    expect(server.clients().filter((x) => x.groupId === 'misuse-other').map((x) => x.userId)).toEqual(['second']);
  });

  it('reconnect() before tryConnect(): InvalidStateError saying what to do', () => {
    const c = client();
    expect(() => c.socket.reconnect()).toThrow(InvalidStateError);
    expect(() => c.socket.reconnect()).toThrow('reconnect() before tryConnect(): call tryConnect() first.');
  });

  it('invalid recipient type: a TypeError naming the valid types', () => {
    const c = client();
    const add = () => c.socket.createBroadcastMessage('a', 'b').addRecipient('x', 'everyone' as never);
    expect(add).toThrow(TypeError);
    expect(add).toThrow('The recipient type must be one of group, user, allButUser, allButGroup, got "everyone".');
  });

  it.each([
    ['circular', circular()],
    ['BigInt', { n: 1n }],
  ])('%s payload: ArgumentError at createBroadcastMessage, nothing queued', (_name, payload) => {
    const c = client();
    expect(() => c.socket.createBroadcastMessage('a', payload)).toThrow(ArgumentError);
    expect(c.socket.queued).toBe(0);
  });

  it.each([
    ['a string', 'hello', /expected a JSON object, got string/],
    ['null', null, /expected a JSON object, got null/],
    ['an envelope with a BigInt message', { action: 'a', message: 1n }, /"message" must be a string, got bigint/],
    ['an envelope with a circular field', { action: 'a', message: '', extra: circular() }, /circular|cyclic/i],
    ['an envelope without action', { message: 'x' }, /"action" must be a non-empty string, got undefined/],
    ['an envelope with an empty action', { action: '' }, /"action" must be a non-empty string, got ""/],
  ])('send() of %s: ArgumentError before anything is queued or sent', async (_name, message, error) => {
    const c = client();
    expect(() => c.socket.send(message as never)).toThrow(error);
    expect(c.socket.queued).toBe(0);
    c.socket.tryConnect();
    await c.waitForState('open');
    expect(() => c.socket.send(message as never)).toThrow(ArgumentError);
  });

  it('a full queue: send() returns "dropped" and reports a QueueFullError carrying the message; the queued ones arrive', async () => {
    const c = client(server.wsUrl, { queueLimit: 2 });
    const msgs = ['q1', 'q2', 'q3'].map((t) => c.socket.createBroadcastMessage('echo', t));
    expect(msgs.map((m) => c.socket.send(m))).toEqual(['queued', 'queued', 'dropped']);
    expect(c.errors).toHaveLength(1);
    expect(c.errors[0]).toBeInstanceOf(QueueFullError);
    expect((c.errors[0] as QueueFullError).dropped).toBe(msgs[2]);
    c.socket.tryConnect();
    expect((await c.waitFor('echo', 2)).map((m) => m.message)).toEqual(['q1', 'q2']);
  });

  it.each([
    ['a space in the host', 'ws://bad host:99/', 'url must be a ws(s)/http(s) URL or a path relative to the page, got "ws://bad host:99/".'],
    ['a scheme other than ws/wss/http/https', 'ftp://example.com/', 'url must be a ws(s)/http(s) URL or a path relative to the page, got "ftp://example.com/".'],
    ['a relative url with no page to resolve it against', '__initializeSocket.wc', 'url must be absolute without an http(s) page (Node, workers, SSR), got "__initializeSocket.wc". E.g. "ws://localhost:5200/__initializeSocket.wc".'],
  ])('an invalid url (%s): ArgumentError at tryConnect, state unchanged', (_name, url, error) => {
    const c = client(url);
    expect(() => c.socket.tryConnect()).toThrow(ArgumentError);
    expect(() => c.socket.tryConnect()).toThrow(error);
    expect(c.socket.state).toBe('idle');
  });

  it('no WebSocket on Node and none passed: ArgumentError at tryConnect naming the ws package', () => {
    const socket = new WebConnectionWebSocket({ url: server.wsUrl });
    expect(() => socket.tryConnect()).toThrow(/No WebSocket here: pass one, e\.g\. the "ws" package's/);
    expect(socket.state).toBe('idle');
  });

  it.each([
    ['queueLimit: -1', () => new WebConnectionWebSocket({ queueLimit: -1 }), 'queueLimit must be a number in [0, Infinity], got -1.'],
    ['heartbeat without timeout', () => liveness({ heartbeat: { interval: 100 } as never }), 'heartbeat.timeout must be a number of ms in (0, 2147483647], got undefined.'],
    ['staleTimeout: 0', () => liveness({ staleTimeout: 0 }), 'staleTimeout must be a number of ms in (0, 2147483647], got 0.'],
  ])('invalid option (%s): ArgumentError at construction', (_name, make, error) => {
    expect(make).toThrow(ArgumentError);
    expect(make).toThrow(error);
  });
});
