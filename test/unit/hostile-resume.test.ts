import { describe, expect, it, vi } from 'vitest';
import { WebConnectionWebSocket, type Envelope, type LivenessFeature, type LivenessLink, type ReplayGapError, type Sendable, type TransportEvents, type TransportFactory, type UnsentMessagesError, type WebConnectionError, type WebConnectionOptions } from '../../src/index';
import { useFakeClock } from '../helpers/fake-clock';

/**
 * Hostile review of the resume extension (issue 13) and the vendor-mode unsent tail, on the fake
 * clock, with a scripted transport playing the server (and the socket: its bufferedAmount, and how
 * many bytes it still held when the link died). Every test names what it breaks.
 */
const cleanups = useFakeClock();

const copy = (d: ArrayBufferLike | ArrayBufferView): ArrayBuffer => {
  try {
    return ArrayBuffer.isView(d) ? new Uint8Array(d.buffer, d.byteOffset, d.byteLength).slice().buffer : new Uint8Array(d).slice().buffer;
  } catch {
    return new ArrayBuffer(0); // detached
  }
};

/** A transport the test drives. `wire` is everything the socket took, in order, per link. */
function scripted() {
  const wire: { link: number; data: Sendable }[] = [];
  /** Why the client asked to drop a link (the test drops it, or not). */
  const dropped: string[] = [];
  let events!: TransportEvents;
  let open = false;
  let link = 0;
  /** What the socket reports as `bufferedAmount`; the test sets it. */
  const socket = { buffered: 0 };
  const factory: TransportFactory = (_config, e) => {
    events = e;
    return {
      get isOpen() {
        return open;
      },
      get bufferedAmount() {
        return socket.buffered;
      },
      // A WebSocket copies binary data in send() (a detached buffer as no bytes), as this does.
      send: (d) => (open && wire.push({ link, data: typeof d === 'string' || d instanceof Blob ? d : copy(d) }), open),
      reconnect() {},
      drop: (reason) => void dropped.push(reason),
      close() {
        open = false;
      },
    };
  };
  const text = () => wire.filter((w) => typeof w.data === 'string').map((w) => ({ link: w.link, ...(JSON.parse(w.data as string) as Envelope & { wcSeq?: number }) }));
  return {
    factory,
    wire,
    socket,
    dropped,
    /** Text frames of action `n`: [message, wcSeq] in wire order. */
    ns: () => text().filter((m) => m.action === 'n').map((m) => [m.message, m.wcSeq] as const),
    /** How often each `n` message went on the wire. */
    counts: () => text().filter((m) => m.action === 'n').reduce<Record<string, number>>((c, m) => ((c[m.message] = (c[m.message] ?? 0) + 1), c), {}),
    text,
    open: () => ((open = true), link++, (socket.buffered = 0), events.open()),
    /** The link dies; `unsent` bytes were still in the socket. */
    drop: (unsent?: number) => ((open = false), events.retry(1, 10), events.close({ code: 1006, reason: 'cut', wasClean: false, opened: true, unsent })),
    say: (frame: object) => events.message(JSON.stringify({ action: '', message: '', groupId: '', userId: '', recipients: [], ...frame })),
    raw: (frame: string) => events.message(frame),
  };
}

const bytes = (s: string) => new TextEncoder().encode(s).length;

function client(s: ReturnType<typeof scripted>, options: WebConnectionOptions = {}) {
  const socket = new WebConnectionWebSocket({ url: 'ws://x.test/', transport: s.factory, ...options });
  const seen = { errors: [] as WebConnectionError[], messages: [] as string[], acked: [] as string[] };
  socket.onErrorHandler = (e) => void seen.errors.push(e);
  socket.onMessageHandler = (m) => void seen.messages.push(m.message);
  socket.onAckHandler = (m) => void seen.acked.push((m as Envelope).message);
  cleanups.push(() => socket.close());
  const n = (text: string) => socket.send(socket.createBroadcastMessage('n', text));
  return { socket, seen, n };
}

/** A client whose first link is open and greeted (a new session). */
function greeted(options: WebConnectionOptions = {}) {
  const s = scripted();
  const c = client(s, options);
  c.socket.tryConnect();
  s.open();
  s.say({ action: 'wc:hello', wcResumed: false, wcAck: 0 });
  return { s, c };
}

/** a, b and c sent and kept; the link drops; the next one opens and is not greeted within connectionTimeout (1 s). */
async function keptPastConnectionTimeout() {
  const { s, c } = greeted({ reconnect: { connectionTimeout: 1000 }, flushRate: 10 });
  for (const t of ['a', 'b', 'c']) c.n(t);
  s.drop();
  s.open();
  await vi.advanceTimersByTimeAsync(1050);
  return { s, c };
}

describe('hostile: resume on the client (scripted server, fake clock)', () => {
  it('D1 a message sent before the first hello is not sent again when the link dies holding numbered frames', async () => {
    // First link: the client does not know yet that the server resumes, so what it sends before
    // the hello is unnumbered and joins the tail. A later close whose unsent bytes belong to
    // numbered frames (which resume sends again anyway) must not requeue the old unnumbered frame
    // as if it had never left (on f309a9c numbered frames were not in the tail: it was).
    const s = scripted();
    const c = client(s);
    c.socket.tryConnect();
    s.open();
    s.socket.buffered = 1; // the socket holds bytes from here on: the tail is not reset
    expect(c.n('early')).toBe('sent'); // unnumbered
    expect(s.ns()).toEqual([['early', undefined]]);
    s.say({ action: 'wc:hello', wcResumed: false, wcAck: 0 });
    s.say({ action: 'wc:ack', wcAck: 0 });
    // The server has 'early' (it processes unnumbered frames as a vendor server does).
    expect(c.n('late')).toBe('sent');
    // The link dies with only 'late' (numbered) still in the socket.
    s.drop(bytes(s.wire.at(-1)!.data as string));
    s.open();
    s.say({ action: 'wc:hello', wcResumed: true, wcAck: 0 });
    await vi.advanceTimersByTimeAsync(500);
    expect(c.seen.errors).toEqual([]);
    expect(s.counts()).toEqual({ early: 1, late: 2 }); // 'late' twice is resume's resend (same number): fine
  });

  it('D2 vendor mode: a heartbeat ping still in the socket when the link dies counts as its own bytes: the message before it does not go twice', async () => {
    // bufferedAmount counts every byte the socket holds: on f309a9c the tail counted only app
    // frames, so the ping's bytes were taken for the app message's.
    const s = scripted();
    let link!: LivenessLink;
    const liveness: LivenessFeature = { action: 'ping', watch: (l) => ((link = l), { frame() {}, stop() {} }) };
    const c = client(s, { resume: false, liveness });
    c.socket.tryConnect();
    s.open();
    s.socket.buffered = 1; // the socket holds bytes from here on (a browser's does after every send)
    expect(c.n('once')).toBe('sent');
    // 'once' left the socket; then the heartbeat pings into a link that stalls.
    link.ping();
    const ping = s.wire.at(-1)!.data as string;
    expect(JSON.parse(ping).action).toBe('ping');
    s.drop(bytes(ping));
    s.open();
    await vi.advanceTimersByTimeAsync(500);
    expect(s.counts()).toEqual({ once: 1 });
  });

  it('D3 vendor mode: binary data detached after send() does not change the unsent-tail count: a frame that left is not sent again', async () => {
    const s = scripted();
    const c = client(s, { resume: false });
    c.socket.tryConnect();
    s.open();
    expect(c.n('left the socket')).toBe('sent');
    s.socket.buffered = 1; // from here the socket holds bytes: the tail is not reset
    const chunk = new Uint8Array(100).fill(7);
    expect(c.socket.send(chunk)).toBe('sent');
    // The app reuses its buffer (transfers it to a worker, as a pooled audio buffer is).
    structuredClone(chunk.buffer, { transfer: [chunk.buffer] });
    s.drop(100); // only the binary frame's 100 bytes never left
    s.open();
    await vi.advanceTimersByTimeAsync(500);
    expect(s.counts()).toEqual({ 'left the socket': 1 });
  });

  it('D4 vendor mode: binary data changed after send() goes again with the bytes it was sent with when the link dies holding it', async () => {
    const s = scripted();
    const c = client(s, { resume: false });
    c.socket.tryConnect();
    s.open();
    s.socket.buffered = 1; // the socket holds bytes: what is sent now may never leave it
    const chunk = new Uint8Array([1, 2, 3, 4]);
    expect(c.socket.send(chunk)).toBe('sent');
    chunk.set([9, 9, 9, 9]); // the app refills its buffer for the next chunk
    s.drop(4);
    s.open();
    await vi.advanceTimersByTimeAsync(500);
    const binary = s.wire.filter((w) => typeof w.data !== 'string').map((w) => [...new Uint8Array(w.data as ArrayBuffer)]);
    expect(binary).toEqual([[1, 2, 3, 4], [1, 2, 3, 4]]);
  });

  it('D15 with a resume server, binary frames keep the vendor-mode guarantee: one still in the socket when the link dies is sent again', async () => {
    const { s, c } = greeted();
    s.socket.buffered = 1;
    expect(c.socket.send(new Uint8Array([1, 2, 3, 4]))).toBe('sent');
    s.drop(4); // its 4 bytes never left the socket
    s.open();
    s.say({ action: 'wc:hello', wcResumed: true, wcAck: 0 });
    await vi.advanceTimersByTimeAsync(3000);
    expect(s.wire.filter((w) => typeof w.data !== 'string').map((w) => w.link)).toEqual([1, 2]);
  });

  it('D5 a hello slower than connectionTimeout (the link could not be dropped): the kept messages keep their numbering, and are acknowledged when the server has them', async () => {
    // The server is slow to greet: the client asks to drop the link (this transport cannot) and
    // sends nothing on it (on f309a9c it sent what it kept, unnumbered, and forgot it).
    const { s, c } = await keptPastConnectionTimeout();
    expect(s.ns()).toEqual([['a', 1], ['b', 2], ['c', 3]]);
    // Then the hello comes after all: the session is intact and the server has nothing yet.
    s.say({ action: 'wc:hello', wcResumed: true, wcAck: 0 });
    await vi.advanceTimersByTimeAsync(1000);
    s.say({ action: 'wc:ack', wcAck: 3 });
    // The server processed a, b and c: each is acknowledged to the app.
    expect(c.seen.acked).toEqual(['a', 'b', 'c']);
  });

  it('D6 a hello slower than connectionTimeout from a server that restarted: nothing goes out with the old session\'s numbers; what was kept is handed back', async () => {
    // No hello: nothing goes out (on f309a9c 'a' went, with the old number 1).
    const { s, c } = await keptPastConnectionTimeout();
    s.say({ action: 'wc:hello', wcResumed: false, wcAck: 0 }); // a new session: numbering starts at 1
    c.n('d');
    await vi.advanceTimersByTimeAsync(1000);
    const gap = c.seen.errors.find((e) => e.code === 'replay-gap') as ReplayGapError | undefined;
    expect(gap?.unconfirmed.map((m) => (m as Envelope).message)).toEqual(['a', 'b', 'c']);
    // On the wire: a, b, c (1, 2, 3) on link 1; then only d, numbered afresh.
    expect(s.ns()).toEqual([['a', 1], ['b', 2], ['c', 3], ['d', 1]]);
  });

  it('D7 queueLimit 0 (send only while open, never queue): with a resume server a send() while open is sent (unnumbered: nothing is kept)', () => {
    const { s, c } = greeted({ queueLimit: 0 });
    expect(c.n('hi')).toBe('sent');
    expect(s.ns()).toEqual([['hi', undefined]]);
  });

  it('D8 flushRate below 10 is honoured: flushRate 1 flushes a backlog at one a second', async () => {
    const s = scripted();
    const c = client(s, { resume: false, flushRate: 1 });
    c.socket.tryConnect();
    for (let i = 0; i < 10; i++) c.n(String(i));
    s.open();
    await vi.advanceTimersByTimeAsync(1000);
    // One a second: the first at once, the second a second later.
    expect(s.ns().length).toBeLessThanOrEqual(2);
  });

  it('D16 acknowledgements do not defeat flushRate: a backlog flushed to a server that acknowledges every frame at once keeps its pace', async () => {
    // Every wc:ack let the pump send a batch there and then (on c99500e): a server acknowledging
    // each frame drew the backlog at its own speed, not flushRate's (the flush benchmark sent
    // 100,000 at ~700 a second with the default of 80).
    const s = scripted();
    const c = client(s, { flushRate: 10 });
    c.socket.tryConnect();
    for (let i = 0; i < 50; i++) c.n(String(i));
    s.open();
    s.say({ action: 'wc:hello', wcResumed: false, wcAck: 0 });
    for (let ms = 0; ms < 1000; ms += 10) {
      const last = s.ns().at(-1)?.[1];
      if (last !== undefined) s.say({ action: 'wc:ack', wcAck: last });
      await vi.advanceTimersByTimeAsync(10);
    }
    // 10 a second: one at the hello, then one per 100 ms.
    expect(s.ns().length).toBeGreaterThanOrEqual(9);
    expect(s.ns().length).toBeLessThanOrEqual(11);
    expect(c.seen.errors).toEqual([]);
  });

  it('D9 frames from the server whose numbers skip are reported and not delivered; the link is replaced so the server sends the missing ones again', () => {
    const { s, c } = greeted();
    s.say({ action: 'news', message: 'one', wcSeq: 1 });
    s.say({ action: 'news', message: 'three', wcSeq: 3 });
    s.say({ action: 'news', message: 'two', wcSeq: 2 });
    // On f309a9c 'three' was delivered and 'two' dropped as a duplicate, silently: "never a silent
    // gap" (issue 13). Now 'three' is refused (reported), the link is replaced so the server
    // replays from 2 (this transport cannot: 'two' arrives as the next one), nothing is skipped.
    expect(c.seen.messages).toEqual(['one', 'two']);
    expect(c.seen.errors.map((e) => [e.code, e.message])).toEqual([['frame-invalid', expect.stringMatching(/numbered 3 but 2 was next/)]]);
    expect(s.dropped).toEqual(['frames from the server were missing']);
  });

  it('after a resumed reconnect the order is onOpenHandler\'s own sends, then what the server never acknowledged (same numbers), then the rest of the queue', async () => {
    const { s, c } = greeted();
    c.n('a');
    c.n('b');
    s.drop();
    expect(c.n('q1')).toBe('queued');
    expect(c.n('q2')).toBe('queued');
    c.socket.onOpenHandler = () => void c.socket.send(c.socket.createBroadcastMessage('n', 'login'));
    s.open();
    s.say({ action: 'wc:hello', wcResumed: true, wcAck: 0 });
    await vi.advanceTimersByTimeAsync(1000);
    const second = s.text().filter((m) => m.link === 2 && m.action === 'n').map((m) => [m.message, m.wcSeq]);
    expect(second).toEqual([['login', undefined], ['a', 1], ['b', 2], ['q1', 3], ['q2', 4]]);
    expect(c.seen.errors).toEqual([]);
  });

  it('D10 one frame with a garbage number (1e400, parsed as Infinity) is reported and dropped; the numbered frames after it are delivered', () => {
    const { s, c } = greeted();
    s.say({ action: 'news', message: 'one', wcSeq: 1 });
    s.raw('{"action":"news","message":"garbage","groupId":"","userId":"","recipients":[],"wcSeq":1e400}');
    for (let i = 2; i < 6; i++) s.say({ action: 'news', message: String(i), wcSeq: i });
    expect(c.seen.messages).toEqual(['one', '2', '3', '4', '5']);
    expect(c.seen.errors.map((e) => [e.code, e.message])).toEqual([['frame-invalid', expect.stringMatching(/wcSeq, Infinity, is not a positive integer/)]]);
  });

  it('D11 a hello claiming more than was ever sent (wcAck 99 after 2 messages) is reported as a gap: both are handed back, numbering goes on after 99', () => {
    const { s, c } = greeted();
    c.n('a');
    c.n('b');
    s.drop();
    s.open();
    s.say({ action: 'wc:hello', wcResumed: true, wcAck: 99 });
    c.n('c');
    // A server that says it processed frame 99 would drop a frame 3 as a duplicate it "has".
    const gap = c.seen.errors.find((e) => e.code === 'replay-gap') as ReplayGapError | undefined;
    expect(gap?.unconfirmed.map((m) => (m as Envelope).message)).toEqual(['a', 'b']);
    expect(s.ns().at(-1)).toEqual(['c', 100]);
  });

  it('D12 tryConnect() as another user hands back messages already sent (maybe processed) as unconfirmed, never as "not sent"', () => {
    const s = scripted();
    const c = client(s);
    c.socket.tryConnect(true, 'g', 'alice');
    s.open();
    s.say({ action: 'wc:hello', wcResumed: false, wcAck: 0 });
    expect(c.n('transmitted')).toBe('sent');
    expect(s.counts()).toEqual({ transmitted: 1 });
    c.socket.tryConnect(true, 'g', 'bob');
    const unsent = c.seen.errors.find((e) => e.code === 'identity-changed') as UnsentMessagesError | undefined;
    expect(unsent?.messages).toEqual([]);
    expect(unsent?.unconfirmed.map((m) => (m as Envelope).message)).toEqual(['transmitted']);
  });

  it('D13 close() from onErrorHandler on a DeliveryError (retrying) leaves no timer running', async () => {
    const { s, c } = greeted();
    c.n('a');
    c.socket.onErrorHandler = (e) => e.code === 'server-rejected' && c.socket.close();
    s.say({ action: 'wc:reject', message: 'rate limit', wcRejected: 1, wcRetry: true });
    expect(c.socket.state).toBe('closed');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('D14 vendor server (never greets): a frame that happens to carry a numeric wcSeq is delivered as it is, and no wc:ack goes to the server', async () => {
    const s = scripted();
    const c = client(s);
    c.socket.tryConnect();
    s.open();
    s.say({ action: 'news', message: 'first', wcSeq: 1 });
    s.say({ action: 'news', message: 'second', wcSeq: 1 });
    await vi.advanceTimersByTimeAsync(500);
    expect(c.seen.messages).toEqual(['first', 'second']);
    expect(s.text().map((m) => m.action)).toEqual([]);
  });
});

describe('hostile: resume on the client, cases that hold (keep as regression tests)', () => {
  it('unacknowledged messages fill queueLimit: the overflow is reported, nothing is reordered, and everything is acknowledged once in order', async () => {
    const { s, c } = greeted({ queueLimit: 2 });
    expect(['1', '2', '3', '4', '5'].map((t) => c.n(t))).toEqual(['sent', 'sent', 'queued', 'queued', 'dropped']);
    expect(c.seen.errors.map((e) => e.code)).toEqual(['queue-full']);
    s.say({ action: 'wc:ack', wcAck: 2 });
    await vi.advanceTimersByTimeAsync(200);
    s.say({ action: 'wc:ack', wcAck: 4 });
    expect(s.ns()).toEqual([['1', 1], ['2', 2], ['3', 3], ['4', 4]]);
    expect(c.seen.acked).toEqual(['1', '2', '3', '4']);
  });

  it('a retryable reject in the middle of a paced resend: everything goes again from the refused one, in order, and is acknowledged once', async () => {
    const { s, c } = greeted({ flushRate: 10 });
    for (const t of ['a', 'b', 'c', 'd']) c.n(t);
    s.drop();
    s.open();
    s.say({ action: 'wc:hello', wcResumed: true, wcAck: 0 });
    await vi.advanceTimersByTimeAsync(150); // a, b resent
    s.say({ action: 'wc:reject', message: 'rate limit', wcRejected: 2, wcRetry: true });
    expect(c.n('e')).toBe('queued');
    await vi.advanceTimersByTimeAsync(1600);
    const resent = s.ns().slice(4).map(([m]) => m);
    expect(resent.slice(0, 2)).toEqual(['a', 'b']);
    expect(resent.slice(resent.lastIndexOf('b'))).toEqual(['b', 'c', 'd', 'e']);
    s.say({ action: 'wc:ack', wcAck: 5 });
    expect(c.seen.acked).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(c.seen.errors.map((e) => e.code)).toEqual(['server-rejected']);
  });

  it('garbage in control frames (strings, negatives, NaN-ish, missing fields, a second hello) neither throws nor acknowledges what was not sent', async () => {
    const { s, c } = greeted();
    c.n('a');
    for (const f of [{ action: 'wc:ack' }, { action: 'wc:ack', wcAck: -5 }, { action: 'wc:ack', wcAck: 'x' }, { action: 'wc:reject' }, { action: 'wc:reject', wcRejected: 'abc', wcRetry: 'yes' }, { action: 'wc:hello', wcResumed: 'true' }])
      s.say(f);
    await vi.advanceTimersByTimeAsync(3000);
    expect(c.seen.acked).toEqual([]);
    expect(c.socket.state).toBe('open');
    expect(c.seen.errors.every((e) => ['server-rejected', 'replay-gap'].includes(e.code))).toBe(true);
  });

  it('reconnect() from onResumeHandler and close() from onAckHandler: no throw, no frame after close, no timer left', async () => {
    const s = scripted();
    const c = client(s);
    let resumes = 0;
    c.socket.onResumeHandler = () => void (++resumes === 1 && c.socket.reconnect());
    c.socket.tryConnect();
    s.open();
    s.say({ action: 'wc:hello', wcResumed: false, wcAck: 0 });
    s.open();
    s.say({ action: 'wc:hello', wcResumed: true, wcAck: 0 });
    c.n('a');
    c.n('b');
    c.socket.onAckHandler = () => c.socket.close();
    s.say({ action: 'wc:ack', wcAck: 2 });
    expect(c.socket.state).toBe('closed');
    const before = s.wire.length;
    await vi.advanceTimersByTimeAsync(5000);
    expect(s.wire.length).toBe(before);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('flushRate NaN, 0, -1 and a string are refused with an ArgumentError; Infinity flushes a long backlog without pacing, in order', async () => {
    for (const flushRate of [NaN, 0, -1, '80']) expect(() => new WebConnectionWebSocket({ flushRate: flushRate as number })).toThrow(/flushRate/);
    const s = scripted();
    const c = client(s, { resume: false, flushRate: Infinity, queueLimit: 5000 });
    c.socket.tryConnect();
    for (let i = 0; i < 3000; i++) c.n(String(i));
    s.open();
    await vi.advanceTimersByTimeAsync(10);
    expect(s.ns().map(([m]) => Number(m))).toEqual(Array.from({ length: 3000 }, (_, i) => i));
  });
});
