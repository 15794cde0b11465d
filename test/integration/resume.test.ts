import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { DeliveryError, ReplayGapError, type Envelope, type ResumeInfo } from '../../src/index';
import { useRecordingClients } from '../helpers/sdk-client';
import { startTcpProxy } from '../helpers/tcp-proxy';
import { waitFor } from '../helpers/wait';
import { createTestServer, defaultOnWebSocket, type TestServer } from '../server/index.mjs';

/** The resume extension against the real test server over `ws`: what an app sees. */
let server: TestServer | undefined;
let proxy: Awaited<ReturnType<typeof startTcpProxy>> | undefined;
afterEach(async () => {
  await proxy?.close();
  await server?.close();
  server = proxy = undefined;
});
const clients = useRecordingClients();

/** A test server that records every message it processes, in order, before routing it as usual. */
const recordingServer = async (processed: string[], options: Parameters<typeof createTestServer>[0] = {}) =>
  createTestServer({ static: false, ...options, onWebSocket: (msg, ctx) => (processed.push(msg.message), defaultOnWebSocket(msg, ctx)) });

describe('the resume extension', () => {
  it('onAckHandler: each message once, in send order, once the server processed it; the hello never reaches a handler', async () => {
    const processed: string[] = [];
    server = await recordingServer(processed);
    const c = clients.client(server.wsUrl);
    const acked: string[] = [];
    const resumes: ResumeInfo[] = [];
    c.socket.onAckHandler = (m) => acked.push((m as Envelope).message);
    c.socket.onResumeHandler = (info) => resumes.push(info);
    c.socket.tryConnect(true, 'ack', 'u');
    await waitFor(() => resumes.length === 1, 'the hello');
    for (let i = 0; i < 20; i++) c.socket.send(c.socket.createBroadcastMessage('echo', String(i)));
    await waitFor(() => acked.length === 20, 'twenty acks');
    expect(acked).toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
    expect(processed).toEqual(acked);
    expect(resumes).toEqual([{ resumed: false, replayed: 0, resent: 0 }]);
    expect(c.messages.map((m) => m.action).filter((a) => a.startsWith('wc:'))).toEqual([]);
  });

  it('what the server pushed while the client was away is replayed once, in order, and onResumeHandler says so', async () => {
    server = await createTestServer({ static: false });
    proxy = await startTcpProxy(server.port);
    let gate: Promise<void> | undefined;
    let open!: () => void;
    const url = `ws://127.0.0.1:${proxy.port}/__initializeSocket.wc`;
    // The url function holds the next attempt until the test has pushed everything.
    const c = clients.client('', { url: async () => (await gate, url), reconnect: { minDelay: 5, maxDelay: 10 } });
    const resumes: ResumeInfo[] = [];
    c.socket.onResumeHandler = (info) => resumes.push(info);
    c.socket.tryConnect(true, 'away', 'u');
    await waitFor(() => resumes.length === 1, 'the first hello');
    const push = (i: number) => server!.broadcast({ action: 'news', message: String(i), recipients: [{ type: 'user', value: 'u' }] });
    for (let i = 0; i < 5; i++) push(i);
    await c.waitFor('news', 5);
    gate = new Promise((r) => (open = r));
    proxy.cut();
    await c.waitForState('reconnecting');
    for (let i = 5; i < 55; i++) push(i);
    open();
    await waitFor(() => resumes.length === 2, 'the second hello');
    await c.waitFor('news', 55);
    expect(c.messages.filter((m) => m.action === 'news').map((m) => Number(m.message))).toEqual(Array.from({ length: 55 }, (_, i) => i));
    expect(resumes[1]).toEqual({ resumed: true, replayed: 50, resent: 0 });
    expect(c.errors).toEqual([]);
  });

  it('a server restart loses the session (memory only): the app gets a ReplayGapError, and onResumeHandler resumed: false', async () => {
    server = await createTestServer({ static: false });
    const port = server.port;
    const c = clients.client(server.wsUrl, { reconnect: { minDelay: 5, maxDelay: 10 } });
    const resumes: ResumeInfo[] = [];
    c.socket.onResumeHandler = (info) => resumes.push(info);
    c.socket.tryConnect(true, 'restart', 'u');
    await waitFor(() => resumes.length === 1, 'the first hello');
    server.broadcast({ action: 'news', message: 'before', recipients: [{ type: 'user', value: 'u' }] });
    await c.waitFor('news');
    await server.close();
    server = await createTestServer({ static: false, port });
    await waitFor(() => resumes.length === 2, 'the hello of the new server');
    expect(resumes[1]!.resumed).toBe(false);
    const gap = c.errors.find((e) => e.code === 'replay-gap');
    expect(gap).toBeInstanceOf(ReplayGapError);
    expect((gap as ReplayGapError).unconfirmed).toEqual([]);
    // Numbering starts afresh both ways: the next message arrives.
    server.broadcast({ action: 'news', message: 'after', recipients: [{ type: 'user', value: 'u' }] });
    await c.waitFor('news', 2);
  });

  it("a burst over the server's rate limit: refused for now, sent again, every message processed once and in order; no 'error' chat message", { timeout: 20_000 }, async () => {
    const processed: string[] = [];
    server = await recordingServer(processed, { rateLimit: { messages: 20, perSeconds: 1 } });
    const c = clients.client(server.wsUrl);
    const resumes: ResumeInfo[] = [];
    c.socket.onResumeHandler = (info) => resumes.push(info);
    c.socket.tryConnect(true, 'burst', 'u');
    await waitFor(() => resumes.length === 1, 'the hello');
    const sent = Array.from({ length: 50 }, (_, i) => String(i));
    for (const m of sent) c.socket.send(c.socket.createBroadcastMessage('note', m));
    await waitFor(() => processed.length === 50, 'all fifty processed', 15_000);
    expect(processed).toEqual(sent);
    const refusals = c.errors.filter((e) => e.code === 'server-rejected') as DeliveryError[];
    expect(refusals.length).toBeGreaterThan(0);
    expect(refusals.every((e) => e.retrying && typeof (e.rejected as Envelope).message === 'string')).toBe(true);
    expect(c.messages.filter((m) => m.action === 'error')).toEqual([]);
  });

  it('a message the server refuses for good (too many recipients) is reported with the message and not sent again; the next ones go on', async () => {
    const processed: string[] = [];
    server = await recordingServer(processed);
    const c = clients.client(server.wsUrl);
    const resumes: ResumeInfo[] = [];
    c.socket.onResumeHandler = (info) => resumes.push(info);
    c.socket.tryConnect(true, 'refuse', 'u');
    await waitFor(() => resumes.length === 1, 'the hello');
    const tooMany = c.socket.createBroadcastMessage('note', 'refused');
    for (let i = 0; i < 101; i++) tooMany.addRecipient(`u${i}`, 'user');
    c.socket.send(c.socket.createBroadcastMessage('note', 'first'));
    c.socket.send(tooMany);
    c.socket.send(c.socket.createBroadcastMessage('note', 'last'));
    await waitFor(() => processed.includes('last'), 'the message after it');
    expect(processed).toEqual(['first', 'last']);
    const [refusal] = c.errors as DeliveryError[];
    expect(refusal).toBeInstanceOf(DeliveryError);
    expect(refusal!.retrying).toBe(false);
    expect(refusal!.rejected).toBe(tooMany);
  });

  it('a server without the extension sees exactly the frames it would see with resume: false', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((r) => wss.once('listening', r));
    const frames = new Map<string, string[]>();
    wss.on('connection', (ws, req) => {
      const who = new URL(req.url!, 'http://x').searchParams.get('userId')!;
      frames.set(who, []);
      ws.on('message', (d) => frames.get(who)!.push(String(d)));
    });
    const url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}/__initializeSocket.wc`;
    try {
      for (const [who, resume] of [['with', true], ['without', false]] as const) {
        const c = clients.client(url, { resume });
        c.socket.send(c.socket.createBroadcastMessage('queued', 'before connecting'));
        c.socket.tryConnect(true, 'g', who);
        await c.waitForState('open');
        c.socket.send(c.socket.createBroadcastMessage('live', 'x').addRecipient('g', 'group'));
        await waitFor(() => frames.get(who)?.length === 2, 'both frames');
      }
      const strip = (f: string) => f.replace(/"userId":"(with|without)"/, '"userId":"?"');
      expect(frames.get('with')!.map(strip)).toEqual(frames.get('without')!.map(strip));
      expect(frames.get('with')!.some((f) => f.includes('wcSeq'))).toBe(false);
    } finally {
      wss.clients.forEach((ws) => ws.terminate());
      await new Promise((r) => wss.close(r));
    }
  });
});
