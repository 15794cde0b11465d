import { describe, expect, it } from 'vitest';
import { WebConnectionWebSocket, type Sendable, type TransportFactory, type UnsentMessagesError, type WebConnectionOptions } from '../../src/index';
import { shareFactory, type ShareOptions, type ShareRole } from '../../src/transport/share-view';
import { fakeServer, useFakeTabs, type FakeTab } from '../helpers/fake-tabs';
import { quietPeriod, waitFor } from '../helpers/wait';

/**
 * Hostile review of tab sharing (issue 14) with simulated tabs (test/helpers/fake-tabs.ts): where a
 * shared link loses, reorders or wedges what a client with a socket of its own would not.
 */
const URL_ = 'ws://app.test/__initializeSocket.wc';
const tabs = useFakeTabs();

function client(tab: FakeTab, transport: TransportFactory, share: Omit<ShareOptions, 'transport'> = {}, options: WebConnectionOptions = {}) {
  const roles: ShareRole[] = [];
  const socket = new WebConnectionWebSocket({ url: URL_, transport: shareFactory(() => tab.page, { onRole: (r) => roles.push(r), ...share, transport }), reconnect: { minDelay: 5, maxDelay: 10 }, ...options });
  const seen = { errors: [] as { code: string; messages?: unknown[]; unconfirmed?: unknown[] }[], roles };
  socket.onErrorHandler = (e) => void seen.errors.push(e as UnsentMessagesError);
  return { socket, seen };
}

const chat = (socket: WebConnectionWebSocket, text: string) => socket.send(socket.createBroadcastMessage('say', text));
const said = (wire: Sendable[]) => wire.filter((f) => typeof f === 'string').map((f) => JSON.parse(f as string).message);

async function pair(options: WebConnectionOptions = {}) {
  const server = fakeServer();
  const [ta, tb] = [tabs.open(), tabs.open()];
  const a = client(ta, server.transport, {}, options);
  a.socket.tryConnect(true, 'g', 'u');
  await waitFor(() => server.links.length === 1, 'the leader starts a link');
  server.current().open();
  const b = client(tb, server.transport, {}, options);
  b.socket.tryConnect(true, 'g', 'u');
  await waitFor(() => a.socket.state === 'open' && b.socket.state === 'open', 'both open');
  return { server, ta, tb, a, b };
}

describe('hostile: sharing (simulated tabs)', () => {
  it('H1 a key function that uses the URL it is given, key: (url) => url, shares: the URL it gets carries no resume session id', async () => {
    const server = fakeServer();
    const keys: string[] = [];
    const key = (url: string) => (keys.push(url), url);
    const a = client(tabs.open(), server.transport, { key });
    a.socket.tryConnect(true, 'g', 'u');
    await waitFor(() => server.links.length === 1, 'a link');
    server.current().open();
    const b = client(tabs.open(), server.transport, { key });
    b.socket.tryConnect(true, 'g', 'u');
    await waitFor(() => b.seen.roles.length === 1, 'the second tab told its role');
    expect({ links: server.links.length, role: b.seen.roles[0], keys: new Set(keys).size }).toEqual({ links: 1, role: 'follower', keys: 1 });
  });

  it("H2 after a handover the login a follower's onOpenHandler sends goes first, then its unconfirmed messages (as with a socket of its own)", async () => {
    const { server, ta, b } = await pair();
    b.socket.onOpenHandler = () => void chat(b.socket, 'login');
    chat(b.socket, 'chat');
    ta.kill(); // before the leader heard it
    await waitFor(() => server.links.length === 2, 'the follower starts a link');
    server.current().open();
    await waitFor(() => server.wire.length === 2, 'both at the server');
    // reconnect.md: "onOpenHandler runs first and whatever it sends goes out at once (a login, a re-subscribe), then the queue".
    expect(said(server.wire)).toEqual(['login', 'chat']);
  });

  it("H3 close() in a follower keeps what the leader's socket never took queued: reconnect() sends it (as a client with its own socket does)", async () => {
    const { server, b } = await pair();
    server.current().isOpen = false; // the leader's socket refuses: its link is going
    expect(chat(b.socket, 'never sent')).toBe('sent');
    b.socket.close();
    server.current().drop();
    server.current().open();
    b.socket.reconnect();
    await waitFor(() => b.socket.state === 'open', 'the follower open again');
    await waitFor(() => said(server.wire).includes('never sent'), 'the message at the server', 1000);
  });

  it("H4 tryConnect() as another user in a follower: what the leader never took is handed back (UnsentMessagesError, unconfirmed)", async () => {
    const { server, b } = await pair();
    server.current().isOpen = false;
    expect(chat(b.socket, 'lost')).toBe('sent');
    b.socket.tryConnect(true, 'g', 'someone-else');
    server.links[0]!.open();
    await quietPeriod(50, 'the old link back: nothing of the follower goes on it');
    const handedBack = b.seen.errors.filter((e) => e.code === 'identity-changed').flatMap((e) => [...(e.messages ?? []), ...(e.unconfirmed ?? [])]);
    expect({ sent: said(server.wire), handedBack: handedBack.length }).not.toEqual({ sent: [], handedBack: 0 });
  });

  it("H5 a leader tab that stops confirming (blocked: a long task, an alert()): past queueLimit the follower's send() queues, then drops and reports", async () => {
    const { server, b } = await pair({ queueLimit: 3 });
    server.current().isOpen = false; // stands in for a leader that no longer takes anything
    const results = Array.from({ length: 20 }, (_, i) => chat(b.socket, String(i)));
    // A client with its own socket that refuses: 3 queued, the rest dropped with a QueueFullError.
    expect(results.filter((r) => r === 'dropped').length).toBeGreaterThan(0);
  });

  it("H6 binary data sent from the leader's own tab, changed after send(), goes again with the bytes it was sent with when the link dies holding it", async () => {
    const server = fakeServer();
    // A socket copies what it is given, as a WebSocket does.
    const copying: TransportFactory = (config, events) => {
      const link = server.transport(config, events);
      const send = link.send.bind(link);
      link.send = (d) => send(typeof d === 'string' ? d : new Uint8Array(d as ArrayBuffer).slice().buffer);
      return link;
    };
    const a = client(tabs.open(), copying);
    a.socket.tryConnect(true, 'g', 'u');
    await waitFor(() => server.links.length === 1, 'a link');
    server.current().open();
    await waitFor(() => a.socket.state === 'open', 'open');
    server.current().bufferedAmount = 1; // the socket holds bytes: what is sent now may never leave it
    const chunk = new Uint8Array([1, 2, 3, 4]);
    expect(a.socket.send(chunk)).toBe('sent');
    chunk.set([9, 9, 9, 9]); // the app refills its buffer
    server.current().drop('cut', 4); // the 4 bytes never left
    server.current().open();
    await waitFor(() => server.wire.length === 2, 'sent again');
    expect(server.wire.map((d) => [...new Uint8Array(d as ArrayBuffer)])).toEqual([[1, 2, 3, 4], [1, 2, 3, 4]]);
  });
});
