import { describe, expect, it, vi } from 'vitest';
import { WebConnectionWebSocket, type TransportEvents, type TransportFactory } from '../../src/index';
import { useFakeClock } from '../helpers/fake-clock';

/**
 * The client's side of the resume extension on the fake clock, over a scripted transport that
 * plays the server: what goes out, and when it goes out again.
 */
useFakeClock();

/** A transport the test drives: `open()`, `drop()`, `say(frame)` for the server's frames; `sent` is the wire. */
function scripted() {
  const sent: string[] = [];
  let events!: TransportEvents;
  let open = false;
  const factory: TransportFactory = (_config, e) => {
    events = e;
    return { get isOpen() { return open; }, send: (d) => (open && sent.push(String(d)), open), reconnect() {}, close() { open = false; } };
  };
  return {
    factory,
    sent,
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

  it('a known server that no longer greets (no hello within connectionTimeout): what was kept goes out as it is, once', async () => {
    const s = scripted();
    const socket = new WebConnectionWebSocket({ url: 'ws://x.test/', transport: s.factory, reconnect: { connectionTimeout: 1000 } });
    socket.tryConnect();
    s.open();
    s.say({ action: 'wc:hello', wcResumed: false, wcAck: 0 });
    socket.send(socket.createBroadcastMessage('n', 'kept'));
    s.drop();
    s.open();
    expect(s.seqs()).toEqual([1]);
    await vi.advanceTimersByTimeAsync(1100);
    expect(s.seqs()).toEqual([1, 1]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(s.seqs()).toEqual([1, 1]);
    socket.close();
  });
});
