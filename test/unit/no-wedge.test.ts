import { WebSocket as MockWebSocket } from 'mock-socket';
import { describe, expect, it, vi } from 'vitest';
import { ArgumentError, ConnectError, WebConnectionWebSocket, type StateChange } from '../../src/index';
import { advanceUntil, useFakeClock } from '../helpers/fake-clock';
import { useMockClients } from '../helpers/mock-client';
import { waitFor } from '../helpers/wait';

/**
 * The ways a careless or hostile caller could hang the client, loop it, or leave a socket open
 * that nothing can close (issue 9), each on the fake clock so "never" is checked over minutes of
 * time without waiting for them.
 */
useFakeClock();
const mock = useMockClients();

/** Attempts made over `ms` of fake time. */
const attemptsOver = async (t: { attempts(): number }, ms: number) => {
  const before = t.attempts();
  await vi.advanceTimersByTimeAsync(ms);
  return t.attempts() - before;
};

describe('a reconnect policy that cannot spin', () => {
  it('an explicit undefined (reconnect: { minDelay: appConfig.minDelay }) takes the default, not a 1 ms loop', async () => {
    const t = mock.make({ reconnect: { minDelay: undefined, maxDelay: undefined, retryDelay: undefined } });
    t.socket.tryConnect(); // nobody listens: every attempt fails
    // Full jitter from 1 s doubling: at most a handful in 2 s. Before the fix: ~700.
    expect(await attemptsOver(t, 2000)).toBeLessThanOrEqual(8);
  });

  it.each([
    ['NaN', () => Number.NaN],
    ['Infinity', () => Infinity],
    ['2 ** 31 (past the largest timer)', () => 2 ** 31],
    ['-5', () => -5],
    ['a string', () => '100' as unknown as number],
    ['a throw', () => { throw new Error('policy bug'); }],
  ])('retryDelay returning %s: reported (policy-invalid), the default delay used, no spin', async (_what, retryDelay) => {
    const t = mock.make({ reconnect: { retryDelay } });
    t.socket.tryConnect();
    expect(await attemptsOver(t, 2000)).toBeLessThanOrEqual(8);
    expect(t.codes()).toContain('policy-invalid');
    // Not wedged either: a server that comes back is found.
    t.listen();
    await advanceUntil(() => t.socket.state === 'open', 'open', 60_000);
  });

  it('shouldReconnect that throws: reported, the default decides (a 1001 reconnects), also after reconnect()', async () => {
    const t = mock.make({ reconnect: { shouldReconnect: () => { throw new Error('policy bug'); } } });
    t.listen();
    t.socket.tryConnect();
    await advanceUntil(() => t.socket.state === 'open', 'open');
    t.connections[0]!.close({ code: 1001, reason: 'going away', wasClean: true });
    await advanceUntil(() => t.connections.length === 2 && t.socket.state === 'open', 'reopened');
    expect(t.codes()).toEqual(['policy-invalid']);
    t.socket.reconnect();
    await advanceUntil(() => t.connections.length === 3 && t.socket.state === 'open', 'reopened after reconnect()');
  });

  it('connectionTimeout Infinity or 0 is refused at construction (it would never connect)', () => {
    for (const connectionTimeout of [Infinity, 0, Number.NaN]) {
      expect(() => new WebConnectionWebSocket({ reconnect: { connectionTimeout } })).toThrow(ArgumentError);
    }
  });
});

describe('close() leaves nothing behind', () => {
  it.each([
    ['a code the API refuses (999)', 999, '', 'The close code must be 1000 or an integer in [3000, 4999], got 999.'],
    ['a reason over 123 UTF-8 bytes', 1000, 'é'.repeat(62), 'The close reason must be a string of at most 123 UTF-8 bytes'],
  ])('%s throws before anything changes: the link stays open and a later close() works', async (_what, code, reason, message) => {
    const t = mock.make();
    t.listen();
    t.socket.tryConnect();
    await advanceUntil(() => t.socket.state === 'open', 'open');
    expect(() => t.socket.close(code, reason)).toThrow(ArgumentError);
    expect(() => t.socket.close(code, reason)).toThrow(message);
    expect(t.socket.state).toBe('open');
    t.connections[0]!.send('{"action":"still here"}');
    await advanceUntil(() => t.seen.messages.length === 1, 'a message on the same link');
    t.socket.close(4000, 'done');
    expect(t.socket.state).toBe('closed');
    expect(t.seen.closes).toEqual([{ type: 'close', code: 4000, reason: 'done', wasClean: true, opened: true }]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.attempts()).toBe(1);
  });

  it('close() from onStateChange as the state becomes connecting: nothing ever opens', async () => {
    const t = mock.make();
    t.listen();
    t.socket.onStateChange = (c) => c.state === 'connecting' && t.socket.close();
    t.socket.tryConnect();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.connections).toHaveLength(0);
    expect(t.socket.state).toBe('closed');
  });

  it('close() from onStateChange as the state becomes reconnecting: the backoff timer dies with it', async () => {
    const t = mock.make({ reconnect: { retryDelay: () => 1000 } });
    const changes: StateChange[] = [];
    t.socket.onStateChange = (c) => (changes.push(c), c.state === 'reconnecting' && t.socket.close());
    t.socket.tryConnect(); // nobody listens: the first attempt fails
    await advanceUntil(() => t.socket.state === 'closed', 'closed');
    t.listen();
    expect(await attemptsOver(t, 60_000)).toBe(0);
    expect(changes.map((c) => c.state)).toEqual(['connecting', 'reconnecting', 'closed']);
  });

  it('close() then reconnect(): the close is reported (at once, with the given code), then a new link opens', async () => {
    const t = mock.make();
    t.listen();
    t.socket.tryConnect();
    await advanceUntil(() => t.socket.state === 'open', 'open');
    t.socket.close(4001, 'logging out');
    t.socket.reconnect();
    expect(t.seen.closes).toEqual([{ type: 'close', code: 4001, reason: 'logging out', wasClean: true, opened: true }]);
    await advanceUntil(() => t.socket.state === 'open' && t.connections.length === 2, 'open again');
    expect(t.seen.closes).toHaveLength(1);
  });
});

describe('constructors and url functions that misbehave', () => {
  it('a WebSocket constructor that throws (bad protocols, a bad URL) is a ConnectError and a failed attempt, never a silent hang', async () => {
    let throws = 2;
    const Throwing = class extends MockWebSocket {
      constructor(u: string | URL, p?: string | string[]) {
        if (throws-- > 0) throw new SyntaxError("Failed to construct 'WebSocket': The subprotocol 'chat v2' is invalid.");
        super(u, p);
      }
    };
    const t = mock.make({ protocols: 'chat v2' }, Throwing);
    t.listen();
    t.socket.tryConnect();
    await advanceUntil(() => t.socket.state === 'open', 'open on the third attempt', 10_000);
    expect(t.codes()).toEqual(['socket-threw', 'socket-threw']);
    expect(t.seen.errors[0]).toBeInstanceOf(ConnectError);
    expect(t.seen.errors[0]!.message).toMatch(/new WebSocket\(\) failed \(Failed to construct 'WebSocket': The subprotocol 'chat v2' is invalid.\)/);
    expect(t.states()).toEqual(['connecting', 'reconnecting', 'reconnecting', 'open']);
  });

  it('a WebSocket class without the CLOSING constant connects (reconnecting-websocket alone refuses it)', async () => {
    function Plain(url: string, protocols?: string | string[]) {
      return new MockWebSocket(url, protocols);
    }
    const t = mock.make({ WebSocket: Plain as unknown as typeof MockWebSocket });
    t.listen();
    t.socket.tryConnect();
    await advanceUntil(() => t.socket.state === 'open', 'open');
  });

  it('a url function that never settles is bounded by connectionTimeout: a connect-timeout, then the next attempt', async () => {
    let calls = 0;
    const t = mock.make({ reconnect: { connectionTimeout: 3000, retryDelay: () => 10 } });
    const socket = new WebConnectionWebSocket({
      url: () => (++calls === 1 ? new Promise<string>(() => {}) : t.url),
      WebSocket: MockWebSocket,
      reconnect: { connectionTimeout: 3000, retryDelay: () => 10 },
    });
    const codes: string[] = [];
    socket.onErrorHandler = (e) => codes.push(e.code);
    t.listen();
    socket.tryConnect();
    await vi.advanceTimersByTimeAsync(2900);
    expect(socket.state).toBe('connecting');
    await advanceUntil(() => socket.state === 'open', 'open after the timeout', 1000);
    expect(codes).toEqual(['connect-timeout']);
    expect(calls).toBe(2);
    socket.close();
  });
});

describe('the send queue', () => {
  it('queued binary data is a copy: changing or detaching the original afterwards changes nothing', async () => {
    const t = mock.make();
    const bytes = new Uint8Array([1, 2, 3]);
    const buffer = new Uint8Array([7, 8]).buffer;
    expect(t.socket.send(bytes)).toBe('queued');
    expect(t.socket.send(buffer)).toBe('queued');
    bytes[0] = 99;
    structuredClone(buffer, { transfer: [buffer] }); // detaches it
    expect(buffer.byteLength).toBe(0);
    t.listen();
    t.socket.tryConnect();
    await advanceUntil(() => t.frames.length === 2, 'both frames');
    expect(t.frames).toEqual([[1, 2, 3], [7, 8]]);
    expect(t.seen.errors).toEqual([]);
  });

  it('detached binary data cannot be queued: an ArgumentError at send(), nothing queued', () => {
    const t = mock.make();
    const view = new Uint8Array([7, 8]);
    structuredClone(view.buffer, { transfer: [view.buffer] });
    expect(() => t.socket.send(view)).toThrow(ArgumentError);
    expect(() => t.socket.send(view)).toThrow(/detached/);
    expect(t.socket.queued).toBe(0);
  });

  it('clearQueue() empties the queue and returns what was waiting, oldest first', () => {
    const t = mock.make();
    const a = t.socket.createBroadcastMessage('a', '1');
    const b = t.socket.createBroadcastMessage('b', '2');
    t.socket.send(a);
    t.socket.send(b);
    expect(t.socket.clearQueue()).toEqual([a, b]);
    expect(t.socket.queued).toBe(0);
    expect(t.socket.clearQueue()).toEqual([]);
  });

  it('20,000 queued messages go out in order, a batch of 1,000 per task, so the page never freezes on the flush', async () => {
    vi.useRealTimers(); // 20,000 frames through mock-socket: too many timers to step through on the fake clock
    // Without resume: a backlog on a first link would wait a moment for a greeting first.
    const t = mock.make({ queueLimit: 20_000, flushRate: Infinity, resume: false });
    for (let i = 0; i < 20_000; i++) t.socket.send(t.socket.createBroadcastMessage('n', String(i)));
    let afterOpenTask = -1;
    // A microtask queued in onOpenHandler runs right after the open event's task: before any later one.
    t.socket.onOpenHandler = () => queueMicrotask(() => (afterOpenTask = t.socket.queued));
    t.listen();
    t.socket.tryConnect();
    await waitFor(() => afterOpenTask >= 0, 'open');
    // The open event's task sent the first batch; the rest wait for later tasks.
    expect(afterOpenTask).toBe(19_000);
    await waitFor(() => t.frames.length === 20_000, 'every frame at the server', 10_000);
    expect(t.socket.queued).toBe(0);
    expect((t.frames as string[]).every((f, i) => JSON.parse(f).message === String(i))).toBe(true);
  });

  it('a send() during a batched flush waits its turn: order holds', async () => {
    const t = mock.make({ queueLimit: 5000, flushRate: Infinity });
    for (let i = 0; i < 2500; i++) t.socket.send(t.socket.createBroadcastMessage('n', String(i)));
    t.listen();
    t.socket.tryConnect();
    await advanceUntil(() => t.socket.state === 'open', 'open');
    expect(t.socket.send(t.socket.createBroadcastMessage('n', 'late'))).toBe('queued');
    await advanceUntil(() => t.frames.length === 2501, 'every frame', 10_000);
    expect(JSON.parse(t.frames.at(-1) as string).message).toBe('late');
  });
});

describe('reports a program can read, and a flood that costs nothing', () => {
  it('without onErrorHandler, 100,000 bad frames cost a few console lines, not 100,000', async () => {
    const t = mock.make();
    t.socket.onErrorHandler = null;
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    t.listen();
    t.socket.tryConnect();
    await advanceUntil(() => t.socket.state === 'open', 'open');
    for (let i = 0; i < 100_000; i++) t.connections[0]!.send(`not json ${i}`);
    t.connections[0]!.send('{"action":"marker"}');
    await advanceUntil(() => t.seen.messages.length === 1, 'the marker after the flood', 60_000);
    expect(log.mock.calls.length).toBeLessThanOrEqual(2);
    log.mockRestore();
  });

  it('the logger sees every transport and state transition, with details', async () => {
    const events: [string, unknown][] = [];
    const t = mock.make({ logger: (event, detail) => events.push([event, detail]) });
    t.socket.tryConnect();
    await advanceUntil(() => t.attempts() === 2, 'a retry');
    t.listen();
    await advanceUntil(() => t.socket.state === 'open', 'open');
    t.socket.close();
    expect(events.map(([e, d]) => (e === 'state' ? `state:${(d as StateChange).state}` : e))).toEqual([
      'state:connecting', 'connect', 'error', 'state:reconnecting', 'connect', 'error', 'state:reconnecting', 'connect', 'state:open', 'close', 'state:closed',
    ]);
    expect(events[1]![1]).toMatch(new RegExp(`^${t.url.replace(/[.?]/g, '\\$&')}\\?wcSession=`));
    expect(events.at(-1)![1]).toMatchObject({ state: 'closed', code: 'client-closed' });
  });
});
