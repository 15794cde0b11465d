import { describe, expect, it, vi } from 'vitest';
import { WebConnectionWebSocket, type Envelope, type ReplayGapError, type TransportEvents, type TransportFactory, type WebConnectionError } from '../../src/index';
import { useFakeClock } from '../helpers/fake-clock';

/**
 * The client's side of the resume extension on the fake clock, over a scripted transport that
 * plays the server: what goes out, and when it goes out again.
 */
useFakeClock();

/**
 * A transport the test drives: `open()`, `drop()`, `say(frame)` for the server's frames; `sent`
 * is the wire; `dropped` the reasons the client asked to drop a link for (the test drops it).
 */
function scripted() {
  const sent: string[] = [];
  const dropped: string[] = [];
  let events!: TransportEvents;
  let open = false;
  const factory: TransportFactory = (_config, e) => {
    events = e;
    return { get isOpen() { return open; }, send: (d) => (open && sent.push(String(d)), open), reconnect() {}, drop: (reason) => void dropped.push(reason), close() { open = false; } };
  };
  return {
    factory,
    sent,
    dropped,
    /** Messages of action `n` on the wire: [message, wcSeq]. */
    ns: () => sent.map((f) => JSON.parse(f) as Envelope & { wcSeq?: number }).filter((m) => m.action === 'n').map((m) => [m.message, m.wcSeq]),
    seqs: () => sent.map((f) => JSON.parse(f) as { action: string; wcSeq?: number }).filter((m) => m.action === 'n').map((m) => m.wcSeq),
    open: () => ((open = true), events.open()),
    drop: () => ((open = false), events.retry(1, 10), events.close({ code: 1006, reason: 'cut', wasClean: false, opened: true })),
    say: (frame: object) => events.message(JSON.stringify({ action: '', message: '', groupId: '', userId: '', recipients: [], ...frame })),
  };
}

describe('resume on the client (scripted server, fake clock)', () => {
  it('what the server never acknowledges goes again after a stall, also after a link drop and a hello that acknowledges nothing', async () => {
    const s = scripted();
    const socket = new WebConnectionWebSocket({ url: 'ws://x.test/', transport: s.factory });
    socket.tryConnect();
    s.open();
    s.say({ action: 'wc:hello', wcResumed: false, wcAck: 0 });
    socket.send(socket.createBroadcastMessage('n', 'one'));
    expect(s.seqs()).toEqual([1]);
    s.drop();
    s.open();
    // The server kept the session but never got the frame: the hello sends it again at once.
    s.say({ action: 'wc:hello', wcResumed: true, wcAck: 0 });
    expect(s.seqs()).toEqual([1, 1]);
    // Then nothing: no acknowledgement, no refusal. After the stall it goes once more, and again.
    await vi.advanceTimersByTimeAsync(2100);
    expect(s.seqs()).toEqual([1, 1, 1]);
    await vi.advanceTimersByTimeAsync(2100);
    expect(s.seqs()).toEqual([1, 1, 1, 1]);
    // Acknowledged: it stops.
    s.say({ action: 'wc:ack', wcAck: 1 });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(s.seqs()).toEqual([1, 1, 1, 1]);
    socket.close();
  });

  it("a refusal's frame number is not mistaken for a frame from the server (which would skip what follows)", async () => {
    const s = scripted();
    const socket = new WebConnectionWebSocket({ url: 'ws://x.test/', transport: s.factory });
    const got: string[] = [];
    socket.onMessageHandler = (m) => got.push(m.message);
    socket.onErrorHandler = () => {};
    socket.tryConnect();
    s.open();
    s.say({ action: 'wc:hello', wcResumed: false, wcAck: 0 });
    for (let i = 0; i < 40; i++) socket.send(socket.createBroadcastMessage('n', String(i)));
    // Even a control frame that carries a number of its own is not a frame of the stream.
    s.say({ action: 'wc:reject', message: 'rate limit', wcRejected: 38, wcSeq: 38, wcRetry: true });
    s.say({ action: 'news', message: 'from the server', wcSeq: 1 });
    expect(got).toEqual(['from the server']);
    socket.close();
  });

  it('a known server that does not greet a link: the link is dropped, nothing sent on it; the second in a row and it no longer counts as resuming: what it never acknowledged is handed back, the queue goes unnumbered', async () => {
    const s = scripted();
    const socket = new WebConnectionWebSocket({ url: 'ws://x.test/', transport: s.factory, reconnect: { connectionTimeout: 1000 } });
    const errors: WebConnectionError[] = [];
    socket.onErrorHandler = (e) => void errors.push(e);
    socket.tryConnect();
    s.open();
    s.say({ action: 'wc:hello', wcResumed: false, wcAck: 0 });
    socket.send(socket.createBroadcastMessage('n', 'kept'));
    s.drop();
    s.open();
    expect(socket.send(socket.createBroadcastMessage('n', 'queued'))).toBe('queued');
    await vi.advanceTimersByTimeAsync(1100);
    expect({ dropped: s.dropped, errors: errors.map((e) => e.code), wire: s.ns() }).toEqual({ dropped: ['the server did not greet'], errors: ['connect-timeout'], wire: [['kept', 1]] });
    // The next link is not greeted either.
    s.drop();
    s.open();
    await vi.advanceTimersByTimeAsync(1100);
    const gap = errors.at(-1) as ReplayGapError;
    expect(gap.code).toBe('replay-gap');
    expect(gap.message).toMatch(/no longer resumes/);
    expect(gap.unconfirmed.map((m) => (m as Envelope).message)).toEqual(['kept']);
    expect(s.ns()).toEqual([['kept', 1], ['queued', undefined]]);
    // A greeting after all: numbering goes on from what the server counts.
    s.say({ action: 'wc:hello', wcResumed: true, wcAck: 0 });
    socket.send(socket.createBroadcastMessage('n', 'numbered again'));
    expect(s.ns().at(-1)).toEqual(['numbered again', 1]);
    socket.close();
  });

  it('a hello slower than connectionTimeout on a link the client could not drop: it still counts; what was kept is acknowledged or handed back, never sent unnumbered', async () => {
    const s = scripted();
    const socket = new WebConnectionWebSocket({ url: 'ws://x.test/', transport: s.factory, reconnect: { connectionTimeout: 1000 } });
    const acked: string[] = [];
    socket.onAckHandler = (m) => void acked.push((m as Envelope).message);
    socket.onErrorHandler = () => {};
    socket.tryConnect();
    s.open();
    s.say({ action: 'wc:hello', wcResumed: false, wcAck: 0 });
    for (const t of ['a', 'b']) socket.send(socket.createBroadcastMessage('n', t));
    s.drop();
    s.open();
    await vi.advanceTimersByTimeAsync(1100);
    s.say({ action: 'wc:hello', wcResumed: true, wcAck: 1 });
    s.say({ action: 'wc:ack', wcAck: 2 });
    expect({ acked, wire: s.ns() }).toEqual({ acked: ['a', 'b'], wire: [['a', 1], ['b', 2], ['b', 2]] });
    socket.close();
  });

  it('on a first link a backlog waits for the greeting and goes numbered; a server that does not greet gets it as it is, 500 ms later, and later links do not wait', async () => {
    const s = scripted();
    const socket = new WebConnectionWebSocket({ url: 'ws://x.test/', transport: s.factory });
    socket.tryConnect();
    socket.send(socket.createBroadcastMessage('n', 'early'));
    s.open();
    expect(s.ns()).toEqual([]);
    s.say({ action: 'wc:hello', wcResumed: false, wcAck: 0 });
    expect(s.ns()).toEqual([['early', 1]]);
    socket.close();

    const v = scripted();
    const vendor = new WebConnectionWebSocket({ url: 'ws://x.test/', transport: v.factory });
    vendor.tryConnect();
    vendor.send(vendor.createBroadcastMessage('n', 'early'));
    v.open();
    await vi.advanceTimersByTimeAsync(499);
    expect(v.ns()).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(v.ns()).toEqual([['early', undefined]]);
    v.drop();
    vendor.send(vendor.createBroadcastMessage('n', 'later'));
    v.open();
    expect(v.ns()).toEqual([['early', undefined], ['later', undefined]]);
    vendor.close();
  });

  it("a first frame that is not a greeting ends the wait at once: the server does not resume", () => {
    const v = scripted();
    const vendor = new WebConnectionWebSocket({ url: 'ws://x.test/', transport: v.factory });
    const got: string[] = [];
    vendor.onMessageHandler = (m) => void got.push(m.message);
    vendor.tryConnect();
    vendor.send(vendor.createBroadcastMessage('n', 'early'));
    v.open();
    v.say({ action: 'welcome', message: 'hi' });
    expect({ got, wire: v.ns() }).toEqual({ got: ['hi'], wire: [['early', undefined]] });
    vendor.close();
  });
});
