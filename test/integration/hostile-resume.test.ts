import { afterEach, describe, expect, it } from 'vitest';
import { type Envelope, type ReplayGapError, type ResumeInfo } from '../../src/index';
import { useRecordingClients } from '../helpers/sdk-client';
import { startTcpProxy } from '../helpers/tcp-proxy';
import { waitFor } from '../helpers/wait';
import { createTestServer, defaultOnWebSocket, type TestServer } from '../server/index.mjs';

/**
 * Hostile review of the resume extension against the real test server (issue 13): the SDK with
 * options at their edges, on its first link, and back after its session expired.
 */
let server: TestServer | undefined;
let proxy: Awaited<ReturnType<typeof startTcpProxy>> | undefined;
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  await server?.close();
  server = undefined;
});
const clients = useRecordingClients();

describe('hostile: the SDK against the test server, options at their edges', () => {
  it('S5 queueLimit 0 (never queue, send while open): sent against a resume server as against a vendor one', async () => {
    const results: Record<string, string[]> = {};
    for (const resume of [false, true]) {
      server = await createTestServer({ static: false, resume: resume ? undefined : false });
      const c = clients.client(server.wsUrl, { queueLimit: 0 });
      let greeted = false;
      c.socket.onResumeHandler = () => (greeted = true);
      c.socket.tryConnect(true, 'q0', 'u');
      await c.waitForState('open');
      // A resume server greets the link first; a vendor server never does.
      if (resume) await waitFor(() => greeted, 'the hello');
      results[resume ? 'resume' : 'vendor'] = ['a', 'b'].map((t) => c.socket.send(c.socket.createBroadcastMessage('echo', t)));
      c.socket.close();
      await server.close();
      server = undefined;
    }
    expect(results).toEqual({ vendor: ['sent', 'sent'], resume: ['sent', 'sent'] });
  });
});

describe('hostile: the first link', () => {
  it('S6 a backlog queued before the first connect waits for the hello and goes numbered: what the rate limit refuses is sent again, every message processed once, no refusal shown as a chat message', async () => {
    const processed: string[] = [];
    server = await createTestServer({ static: false, onWebSocket: (msg, c) => (processed.push(msg.message), defaultOnWebSocket(msg, c)) });
    const c = clients.client(server.wsUrl, { flushRate: Infinity });
    const acked: string[] = [];
    c.socket.onAckHandler = (m) => void acked.push((m as Envelope).message);
    // An app that sends at start-up, before the link is up (its state, its subscriptions).
    c.socket.tryConnect(true, 'boot', 'u');
    for (let i = 0; i < 200; i++) expect(c.socket.send(c.socket.createBroadcastMessage('echo', String(i)))).toBe('queued');
    // With resume, what the rate limit refuses is refused with a wc:reject and sent again (1 s later).
    await waitFor(() => processed.length === 200, 'all 200 processed', 6000).catch(() => {});
    expect({ processed: processed.length, errorsAsChat: c.messages.filter((m) => m.action === 'error').length }).toEqual({ processed: 200, errorsAsChat: 0 });
  });
});

describe('hostile: the session store and the client', () => {
  it('back after the session expired (ttl), with one message lost in flight and one queued: a ReplayGapError hands back the first, the second is processed once', async () => {
    const processed: string[] = [];
    server = await createTestServer({ static: false, resume: { ttlSeconds: 1 }, onWebSocket: (msg, c) => (processed.push(msg.message), defaultOnWebSocket(msg, c)) });
    proxy = await startTcpProxy(server.port);
    const c = clients.client(`ws://127.0.0.1:${proxy.port}/__initializeSocket.wc`, { reconnect: { minDelay: 20, maxDelay: 50 } });
    const resumes: ResumeInfo[] = [];
    c.socket.onResumeHandler = (i) => resumes.push(i);
    c.socket.tryConnect(true, 'ttl', 'u');
    await waitFor(() => resumes.length === 1, 'the hello');
    proxy.blackhole();
    expect(c.socket.send(c.socket.createBroadcastMessage('echo', 'into the void'))).toBe('sent');
    proxy.refuse(true);
    proxy.cut();
    await c.waitForState('reconnecting');
    await waitFor(() => server!.sessions() === 0, 'the session expired', 5000);
    expect(c.socket.send(c.socket.createBroadcastMessage('echo', 'queued while away'))).toBe('queued');
    proxy.restore();
    proxy.refuse(false);
    await waitFor(() => resumes.length === 2, 'the second hello', 5000);
    await waitFor(() => processed.includes('queued while away'), 'the queued message processed');
    expect(resumes[1]).toMatchObject({ resumed: false });
    const gap = c.errors.find((e) => e.code === 'replay-gap') as ReplayGapError | undefined;
    expect(gap?.unconfirmed.map((m) => (m as Envelope).message)).toEqual(['into the void']);
    expect(processed).toEqual(['queued while away']);
  });
});
