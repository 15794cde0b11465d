import { afterEach, describe, expect, it, vi } from 'vitest';
import { ArgumentError, InvalidStateError, WebConnectionWebSocket } from '../../src/index';
import { sharedTransport } from '../../src/share';
import { shareName } from '../../src/transport/share-messages';
import { shareFactory, defaultKey, type ShareOptions, type ShareRole } from '../../src/transport/share-view';
import type { TransportFactory } from '../../src/transport/types';
import { fakeServer, useFakeTabs, type FakeTab } from '../helpers/fake-tabs';
import { quietPeriod, waitFor } from '../helpers/wait';

const URL_ = 'ws://app.test/__initializeSocket.wc';
const tabs = useFakeTabs();

/** A client in `tab` sharing through `transport`, with everything it saw recorded. */
function client(tab: FakeTab, transport: TransportFactory, options: Omit<ShareOptions, 'transport'> & { url?: string | (() => Promise<string>); logger?: (e: string, d?: unknown) => void } = {}) {
  const roles: ShareRole[] = [];
  const { url = URL_, logger, ...share } = options;
  const socket = new WebConnectionWebSocket({ url, logger, transport: shareFactory(() => tab.page, { onRole: (r) => roles.push(r), ...share, transport }), reconnect: { minDelay: 5, maxDelay: 10 } });
  const seen = { messages: [] as string[], states: [] as string[], closes: [] as [number, string][], errors: [] as string[], roles };
  socket.onMessageHandler = (m) => seen.messages.push(m.message);
  socket.onStateChange = (s) => seen.states.push(s.state);
  socket.onCloseHandler = (e) => seen.closes.push([e.code, e.reason]);
  socket.onErrorHandler = (e) => seen.errors.push(e.code);
  return { socket, seen };
}

const chat = (socket: WebConnectionWebSocket, text: string) => socket.send(socket.createBroadcastMessage('say', text));
const said = (wire: unknown[]) => wire.map((f) => JSON.parse(f as string).message);
const frame = (text: string) => JSON.stringify({ action: 'say', message: text });

/** A leader in tab A (its link open) and a follower in tab B, both open. */
async function pair(group = 'g', user = 'u') {
  const server = fakeServer();
  const [ta, tb] = [tabs.open(), tabs.open()];
  const a = client(ta, server.transport);
  a.socket.tryConnect(true, group, user);
  await waitFor(() => server.links.length === 1, 'the leader starts a link');
  server.current().open();
  const b = client(tb, server.transport);
  b.socket.tryConnect(true, group, user);
  await waitFor(() => a.socket.state === 'open' && b.socket.state === 'open', 'both open');
  return { server, ta, tb, a, b };
}

describe('sharedTransport: one link for the tabs of an origin', () => {
  it('a leader and a follower: one link; frames reach both; what the follower sends is confirmed and sent once', async () => {
    const { server, a, b } = await pair();
    expect(server.links).toHaveLength(1);
    expect([a.seen.roles, b.seen.roles]).toEqual([['leader'], ['follower']]);
    server.current().push(frame('to all'));
    await waitFor(() => b.seen.messages.length === 1, 'the frame in the follower');
    expect(a.seen.messages).toEqual(['to all']);
    expect(chat(b.socket, 'from b')).toBe('sent');
    expect(chat(a.socket, 'from a')).toBe('sent');
    expect(b.socket.bufferedAmount).toBeGreaterThan(0);
    await waitFor(() => server.wire.length === 2, 'both at the server');
    await waitFor(() => b.socket.bufferedAmount === 0, 'the follower confirmed');
    expect(said(server.wire).sort()).toEqual(['from a', 'from b']);
  });

  it('the leader tab dies: the follower leads, and what was not confirmed goes on its link once, in order', async () => {
    const { server, ta, a, b } = await pair();
    for (const t of ['one', 'two']) chat(b.socket, t);
    await waitFor(() => server.wire.length === 2 && b.socket.bufferedAmount === 0, 'two confirmed');
    for (const t of ['three', 'four', 'five']) chat(b.socket, t);
    // Before the leader heard them: they were never sent.
    ta.kill();
    await waitFor(() => server.links.length === 2, 'the follower starts a link');
    // Told a moment later (a confirmation from the old tab may still be on its way).
    await waitFor(() => b.seen.closes.length === 1, 'the close');
    expect(b.seen.closes).toEqual([[1006, 'the tab holding the shared connection went away']]);
    expect(b.socket.state).toBe('reconnecting');
    expect(chat(b.socket, 'six')).toBe('queued');
    server.current().open();
    await waitFor(() => server.wire.length === 6, 'six at the server');
    expect(said(server.wire)).toEqual(['one', 'two', 'three', 'four', 'five', 'six']);
    expect(b.seen.roles).toEqual(['follower', 'leader']);
    expect(b.seen.states).toEqual(['connecting', 'open', 'reconnecting', 'open']);
    expect(a.seen.errors).toEqual([]);
  });

  it('a confirmation from a leader that has gone, arriving after its successor spoke, still counts: that message is not sent again', async () => {
    const { server, ta, b } = await pair();
    // Listens on the link's channel as a third tab would, to learn the follower's id and to speak as the old leader.
    const spy = new BroadcastChannel(shareName(defaultKey(`${URL_}?groupId=g&userId=u`, undefined)));
    const heard: { t: string; v?: string; h?: string }[] = [];
    spy.onmessage = (e) => heard.push(e.data);
    try {
      chat(b.socket, 'first');
      const send = await waitFor(() => heard.find((m) => m.t === 'send'), 'the follower sends');
      await waitFor(() => server.wire.length === 1, 'the first at the server');
      // The old leader goes before it hears the second message, and the follower leads.
      chat(b.socket, 'second');
      ta.kill();
      const leader = await waitFor(() => heard.find((m) => m.t === 'leader'), 'the new leader speaks');
      // Only now does a confirmation of the second arrive from the old leader (different tabs:
      // no order between them). A confirmed message must not go again.
      spy.postMessage({ t: 'ack', h: 'the-old-leader', v: send.v, id: 2, buffered: 0 });
      // One sender's messages arrive in order: once this marker shows, the ack was taken.
      const states = b.seen.states.length;
      spy.postMessage({ t: 'retry', h: leader.h, attempt: 7, delay: 0 });
      await waitFor(() => b.seen.states.length > states, 'the marker after the ack');
      server.current().open();
      await waitFor(() => b.socket.state === 'open', 'open again');
      chat(b.socket, 'next');
      await waitFor(() => server.wire.length >= 2, 'the next message');
      expect(said(server.wire)).toEqual(['first', 'next']);
    } finally {
      spy.close();
    }
  });

  it('news of a link the follower already uses (a second state, an open) opens nothing again and sends nothing twice', async () => {
    const { server, b } = await pair();
    const spy = new BroadcastChannel(shareName(defaultKey(`${URL_}?groupId=g&userId=u`, undefined)));
    const heard: { t: string; v?: string; h?: string; link?: string }[] = [];
    spy.onmessage = (e) => heard.push(e.data);
    try {
      let opens = 0;
      b.socket.onOpenHandler = () => opens++;
      chat(b.socket, 'once');
      const send = await waitFor(() => heard.find((m) => m.t === 'send'), 'the send');
      const ack = await waitFor(() => heard.find((m) => m.t === 'ack'), 'its confirmation');
      spy.postMessage({ t: 'state', h: ack.h, v: send.v, link: send.link, buffered: 0 });
      spy.postMessage({ t: 'open', h: ack.h, link: send.link });
      const states = b.seen.states.length;
      spy.postMessage({ t: 'retry', h: ack.h, attempt: 7, delay: 0 });
      await waitFor(() => b.seen.states.length > states, 'the marker after both');
      expect(opens).toBe(0);
      expect(said(server.wire)).toEqual(['once']);
    } finally {
      spy.close();
    }
  });

  it('a leader whose page is going away (pagehide) sends nothing more: what it could no longer confirm goes on the next link', async () => {
    const page = new EventTarget();
    vi.stubGlobal('addEventListener', page.addEventListener.bind(page));
    vi.stubGlobal('removeEventListener', page.removeEventListener.bind(page));
    try {
      const { server, ta, b } = await pair();
      page.dispatchEvent(Object.assign(new Event('pagehide'), { persisted: false }));
      chat(b.socket, 'while the leader leaves');
      await quietPeriod(30, 'the leaving leader sends nothing');
      expect(server.wire).toEqual([]);
      ta.kill();
      await waitFor(() => server.links.length === 2, 'a new link');
      server.current().open();
      await waitFor(() => server.wire.length === 1, 'sent once, on the new link');
      expect(said(server.wire)).toEqual(['while the leader leaves']);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it("the leader's own client closes: the link stays for the follower; the last to close closes it with its code", async () => {
    const { server, a, b } = await pair();
    a.socket.close();
    expect(server.current().closedWith).toBeUndefined();
    server.current().push(frame('still'));
    await waitFor(() => b.seen.messages.includes('still'), 'the follower still hears');
    expect(a.seen.messages).toEqual([]);
    b.socket.close(4001, 'done here');
    await waitFor(() => server.current().closedWith !== undefined, 'the link closed');
    expect(server.current().closedWith).toEqual([4001, 'done here']);
    expect(b.seen.closes).toEqual([[4001, 'done here']]);
  });

  it('the last view closes from another tab whose bye is slower than its lock: the link still closes with its code', async () => {
    const server = fakeServer();
    const a = client(tabs.open(), server.transport);
    a.socket.tryConnect(true, 'g', 'u');
    await waitFor(() => server.links.length === 1, 'a link');
    server.current().open();
    const b = client(tabs.open({ slowChannel: 30 }), server.transport);
    b.socket.tryConnect(true, 'g', 'u');
    await waitFor(() => b.socket.state === 'open', 'the follower open');
    a.socket.close();
    b.socket.close(4001, 'logged out');
    await waitFor(() => server.current().closedWith, 'the link closed');
    expect(server.current().closedWith).toEqual([4001, 'logged out']);
  });

  it('a follower tab that dies without a word is forgotten: the link closes when the leader then closes', async () => {
    const { server, tb, a } = await pair();
    tb.kill();
    await quietPeriod(200, 'the presence lock comes free, and no bye follows');
    a.socket.close();
    expect(server.current().closedWith).toEqual([1000, '']);
  });

  it('a link that stops closes every client; a reconnect() starts it again for that client only', async () => {
    const { server, a, b } = await pair();
    server.current().isOpen = false;
    server.current().events.stop('retries-exhausted', 'gave up');
    await waitFor(() => b.socket.state === 'closed', 'the follower closed');
    expect([a.socket.closeReason?.code, b.socket.closeReason?.code]).toEqual(['retries-exhausted', 'retries-exhausted']);
    // Every client left the stopped link, so it ended; the one that reconnects leads a new one.
    await waitFor(() => server.current().closedWith, 'the stopped link let go');
    b.socket.reconnect();
    await waitFor(() => server.links.length === 2, 'a new link');
    server.current().open();
    await waitFor(() => b.socket.state === 'open', 'the follower open again');
    expect(b.seen.roles.at(-1)).toBe('leader');
    expect(a.socket.state).toBe('closed');
  });

  it('a dropped link: every client sees the close and the retry, then the next open; a follower can ask for reconnect()', async () => {
    const { server, a, b } = await pair();
    server.current().drop('cut');
    await waitFor(() => b.socket.state === 'reconnecting', 'the follower reconnecting');
    expect(a.socket.state).toBe('reconnecting');
    expect(b.seen.closes).toEqual([[1006, 'cut']]);
    b.socket.reconnect();
    await waitFor(() => server.current().reconnects === 1, 'the leader reconnects');
    server.current().open();
    await waitFor(() => b.socket.state === 'open' && a.socket.state === 'open', 'both open');
  });

  it('unconfirmed messages of a dropped link go first on the next one, before the open handler runs again', async () => {
    const { server, a, b } = await pair();
    const order: string[] = [];
    b.socket.onOpenHandler = () => order.push('open handler');
    a.socket.close(); // the leader tab's client: its page still leads
    server.current().isOpen = false; // the socket refuses what comes now
    chat(b.socket, 'in flight');
    server.current().drop();
    await waitFor(() => b.socket.state === 'reconnecting', 'reconnecting');
    server.current().open();
    await waitFor(() => server.wire.length === 1, 'resent');
    expect(said(server.wire)).toEqual(['in flight']);
    expect(order).toEqual(['open handler']);
  });

  it('a tab alone puts nothing on the channel but its announcement: frames, sends and confirmations stay in the page', async () => {
    const spy = new BroadcastChannel(shareName(defaultKey(`${URL_}?groupId=g&userId=u`, undefined)));
    const heard: string[] = [];
    spy.onmessage = (e) => heard.push(e.data.t);
    try {
      const server = fakeServer();
      const a = client(tabs.open(), server.transport);
      a.socket.tryConnect(true, 'g', 'u');
      await waitFor(() => server.links.length === 1, 'a link');
      server.current().open();
      await waitFor(() => a.socket.state === 'open', 'open');
      server.current().push(frame('in'));
      chat(a.socket, 'out');
      await waitFor(() => a.seen.messages.length === 1 && server.wire.length === 1, 'a frame each way');
      await quietPeriod(20, 'nothing more reaches the channel');
      expect(heard).toEqual(['hello', 'leader']);
    } finally {
      spy.close();
    }
  });

  it('a shared link goes without resume: the upgrade names no session (one session cannot carry several tabs)', async () => {
    const { server } = await pair();
    const url = new URL(await server.current().config.url());
    expect([...url.searchParams.keys()].sort()).toEqual(['groupId', 'userId']);
  });

  it("a broken link's unsent bytes: each tab sends again its own frames among them, first, once; no client requeues on its own", async () => {
    const { server, a, b } = await pair();
    // The socket never drains: every frame stays in the leader's log of what it may still hold.
    server.current().bufferedAmount = 1;
    for (const t of ['b1', 'b2']) chat(b.socket, t);
    await waitFor(() => server.wire.length === 2, "b's first two at the server");
    chat(a.socket, 'a1');
    chat(b.socket, 'b3');
    await waitFor(() => server.wire.length === 4 && b.socket.bufferedAmount === 1, 'four confirmed');
    expect(said(server.wire)).toEqual(['b1', 'b2', 'a1', 'b3']);
    // The last two frames (a1, b3) never left the socket.
    const unsent = new TextEncoder().encode(`${server.wire[2]}${server.wire[3]}`).length;
    server.current().drop('cut', unsent);
    await waitFor(() => b.socket.state === 'reconnecting', 'reconnecting');
    expect(b.seen.closes).toEqual([[1006, 'cut']]);
    chat(b.socket, 'b4');
    server.current().open();
    await waitFor(() => server.wire.length === 7, 'the unsent again, then the queue');
    expect(said(server.wire).slice(4).sort()).toEqual(['a1', 'b3', 'b4']);
    expect(said(server.wire).slice(4).filter((t) => t.startsWith('b'))).toEqual(['b3', 'b4']);
  });

  it('a link that stops with a close: each client hears the stop, then the close, as with a socket of its own', async () => {
    const { server, a, b } = await pair();
    const heard: string[] = [];
    for (const [name, x] of [['a', a], ['b', b]] as const) {
      x.socket.onStateChange = (s) => heard.push(`${name} ${s.state}`);
      x.socket.onCloseHandler = (e) => heard.push(`${name} close ${e.code}`);
    }
    const link = server.current();
    link.isOpen = false;
    // As the reconnecting transport does: the policy says stop, then the close is reported.
    link.events.stop('server-refused', 'refused');
    link.events.close({ code: 4401, reason: 'token expired', wasClean: true, opened: true });
    await waitFor(() => heard.length === 4, 'both told');
    expect(heard).toEqual(['a closed', 'a close 4401', 'b closed', 'b close 4401']);
  });

  it('different identities and different paths do not share; a changing token does', () => {
    const key = (u: string) => defaultKey(u, undefined);
    expect(key(`${URL_}?groupId=g&userId=u&token=1`)).toBe(key(`${URL_}?token=2&userId=u&groupId=g`));
    expect(key(`${URL_}?groupId=g&userId=u`)).not.toBe(key(`${URL_}?groupId=g&userId=v`));
    expect(key(`${URL_}?groupId=g&userId=u`)).not.toBe(key(`${URL_}?groupId=h&userId=u`));
    expect(key(`${URL_}?groupId=g`)).not.toBe(key('ws://app.test/other.wc?groupId=g'));
    expect(key(URL_)).not.toBe(key('wss://app.test/__initializeSocket.wc'));
    expect(defaultKey(URL_, 'v1')).not.toBe(defaultKey(URL_, 'v2'));
  });

  it('two identities in two tabs: two links', async () => {
    const server = fakeServer();
    const a = client(tabs.open(), server.transport);
    const b = client(tabs.open(), server.transport);
    a.socket.tryConnect(true, 'g', 'ann');
    b.socket.tryConnect(true, 'g', 'bob');
    await waitFor(() => server.links.length === 2, 'two links');
    expect([a.seen.roles, b.seen.roles]).toEqual([['leader'], ['leader']]);
  });

  it('a new identity in a follower leaves the old link to the others and joins (or starts) the new one', async () => {
    const { server, a, b } = await pair('g', 'u');
    b.socket.tryConnect(true, 'g', 'other');
    await waitFor(() => server.links.length === 2, 'a link for the new identity');
    expect(server.links[0]!.closedWith).toBeUndefined();
    expect(a.socket.state).toBe('open');
  });

  it('a url function that fails is reported and retried under the policy, then the tab joins', async () => {
    const server = fakeServer();
    let calls = 0;
    const a = client(tabs.open(), server.transport, { url: async () => (++calls === 1 ? Promise.reject(new Error('no token')) : URL_) });
    a.socket.tryConnect(true, 'g', 'u');
    await waitFor(() => server.links.length === 1, 'a link after the retry');
    expect(a.seen.errors).toEqual(['url-failed']);
    expect(a.seen.states).toEqual(['connecting', 'reconnecting']);
  });

  it('a key function that throws is reported and the default key used; an onRole that throws is reported', async () => {
    const server = fakeServer();
    const a = client(tabs.open(), server.transport, {
      key: () => {
        throw new Error('nope');
      },
      onRole: () => {
        throw new Error('boom');
      },
    });
    a.socket.tryConnect(true, 'g', 'u');
    await waitFor(() => server.links.length === 1, 'a link');
    server.current().open();
    await waitFor(() => a.socket.state === 'open', 'open');
    expect(a.seen.errors).toEqual(['feature-failed', 'handler-threw']);
  });

  it('misuse: close() from a follower\'s onOpenHandler, close() twice, send() after close, reconnect() after close', async () => {
    const { server, b } = await pair();
    b.socket.close();
    b.socket.close();
    expect(() => chat(b.socket, 'late')).toThrow(InvalidStateError);
    b.socket.onOpenHandler = () => b.socket.close(4000, 'from the handler');
    b.socket.reconnect();
    await waitFor(() => b.socket.state === 'closed' && b.seen.closes.length === 2, 'closed from the handler');
    expect(b.seen.closes.at(-1)).toEqual([4000, 'from the handler']);
    const states = b.seen.states.length;
    server.current().push(frame('after close'));
    await quietPeriod(20, 'no event reaches a closed client');
    expect(b.seen.messages).toEqual([]);
    expect(b.seen.states).toHaveLength(states);
  });

  it("close() from onCloseHandler in the middle of a handover: that client stays closed; the link goes on for the others", async () => {
    const server = fakeServer();
    const [ta, tb, tc] = [tabs.open(), tabs.open(), tabs.open()];
    const a = client(ta, server.transport);
    a.socket.tryConnect(true, 'g', 'u');
    await waitFor(() => server.links.length === 1, 'a link');
    server.current().open();
    const [b, c] = [client(tb, server.transport), client(tc, server.transport)];
    for (const x of [b, c]) x.socket.tryConnect(true, 'g', 'u');
    await waitFor(() => b.socket.state === 'open' && c.socket.state === 'open', 'followers open');
    b.socket.onCloseHandler = () => b.socket.close();
    ta.kill();
    // The close is told a moment into the handover (see HANDOVER_GRACE_MS); b closes from its handler.
    await waitFor(() => b.socket.state === 'closed', 'b closed by its handler');
    // Whichever tab leads now connects (b's page may go on leading for c): the link opens for c.
    await waitFor(() => {
      const link = server.current();
      if (!link.isOpen && !link.closedWith) link.open();
      return c.socket.state === 'open';
    }, 'c open again');
    expect(chat(c.socket, 'still here')).toBe('sent');
    await waitFor(() => said(server.wire).includes('still here'), "c's message at the server");
    expect(b.socket.state).toBe('closed');
  });

  it("a new identity from a follower's onOpenHandler: it leaves for the other link at once", async () => {
    const { server, b } = await pair();
    b.socket.onOpenHandler = () => b.socket.tryConnect(true, 'g', 'someone-else');
    server.current().drop();
    await waitFor(() => b.socket.state === 'reconnecting', 'reconnecting');
    server.links[0]!.open();
    await waitFor(() => server.links.length === 2, 'a link for the new identity');
    server.current().open();
    await waitFor(() => b.socket.state === 'open' && b.seen.roles.at(-1) === 'leader', 'open as the leader of its own link');
  });

  it('two clients in one page share too: both lead (the link is in their page); one closing leaves it to the other', async () => {
    const server = fakeServer();
    const ta = tabs.open();
    const [a1, a2] = [client(ta, server.transport), client(ta, server.transport)];
    for (const x of [a1, a2]) x.socket.tryConnect(true, 'g', 'u');
    await waitFor(() => server.links.length === 1 && a2.seen.roles.length === 1, 'one link, both told');
    server.current().open();
    await waitFor(() => a1.socket.state === 'open' && a2.socket.state === 'open', 'both open');
    expect([a1.seen.roles, a2.seen.roles]).toEqual([['leader'], ['leader']]);
    a1.socket.close();
    server.current().push(frame('for a2'));
    expect(a2.seen.messages).toEqual(['for a2']);
    expect(server.current().closedWith).toBeUndefined();
    a2.socket.close();
    expect(server.current().closedWith).toEqual([1000, '']);
  });

  it('binary data a follower sent is kept as it was sent, even if the caller changes it afterwards', async () => {
    const { server, ta, b } = await pair();
    const bytes = new Uint8Array([1, 2, 3]);
    ta.kill();
    b.socket.send(bytes);
    bytes[0] = 9;
    await waitFor(() => server.links.length === 2, 'a new link');
    server.current().open();
    await waitFor(() => server.wire.length === 1, 'the bytes');
    expect([...new Uint8Array(server.wire[0] as ArrayBuffer)]).toEqual([1, 2, 3]);
  });
});

describe('sharedTransport: where it cannot share', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('without Web Locks or BroadcastChannel each client connects on its own, and the logger says so once', () => {
    const server = fakeServer();
    vi.stubGlobal('navigator', {});
    const lines: unknown[] = [];
    const roles: string[] = [];
    const share = sharedTransport({ transport: server.transport, onRole: (r) => roles.push(r) });
    for (const user of ['a', 'b']) new WebConnectionWebSocket({ url: URL_, transport: share, logger: (e, d) => e === 'share' && lines.push(d) }).tryConnect(true, 'g', user);
    expect(server.links).toHaveLength(2);
    expect(roles).toEqual(['alone', 'alone']);
    expect(lines).toEqual(['not shared: no Web Locks (navigator.locks: a secure context, https or localhost, is needed) here']);
    vi.stubGlobal('BroadcastChannel', undefined);
    new WebConnectionWebSocket({ url: URL_, transport: sharedTransport({ transport: server.transport }), logger: (e, d) => e === 'share' && lines.push(d) }).tryConnect();
    expect(lines.at(-1)).toBe('not shared: no BroadcastChannel here');
  });

  it('tryConnect(false) connects on its own', () => {
    const server = fakeServer();
    const roles: string[] = [];
    new WebConnectionWebSocket({ url: URL_, transport: shareFactory(() => tabs.open().page, { transport: server.transport, onRole: (r) => roles.push(r) }) }).tryConnect(false);
    expect(server.links).toHaveLength(1);
    expect(roles).toEqual(['alone']);
  });

  it('bad options are an ArgumentError naming them; undefined ones take the default', () => {
    expect(() => sharedTransport(null as never)).toThrow(ArgumentError);
    expect(() => sharedTransport({ share: true } as never)).toThrow(/A sharedTransport option must be one of key, onRole, transport, got "share"/);
    expect(() => sharedTransport({ key: 'user' as never })).toThrow(/sharedTransport key must be a function/);
    expect(typeof sharedTransport(undefined)).toBe('function');
    expect(typeof sharedTransport({ key: undefined, onRole: undefined, transport: undefined })).toBe('function');
  });
});
