import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { connectRaw, type RawClient } from '../helpers/raw-client';
import { createTestServer, type TestServer, type TestServerOptions } from '../server/index.mjs';

let server: TestServer | undefined;
const clients: RawClient[] = [];
afterEach(async () => {
  clients.splice(0).forEach((c) => c.close());
  await server?.close();
  server = undefined;
});
async function start(options: TestServerOptions = {}) {
  server = await createTestServer(options);
  return server;
}
async function client(groupId?: string, userId?: string, headers?: Record<string, string>) {
  const c = await connectRaw(server!.wsUrl, { groupId, userId }, headers);
  clients.push(c);
  return c;
}
const post = (path: string, body: string, init: RequestInit & { headers?: Record<string, string> } = {}) =>
  fetch(new URL(path, server!.url), { method: 'POST', body, ...init, headers: { 'content-type': 'application/json', ...init.headers } });

describe('test server: the protocol over real sockets', () => {
  it('routes by recipients; a connection matched twice gets the message once; the sender is included', async () => {
    await start();
    const [a, b, c] = [await client('g1', 'u1'), await client('g1', 'u2'), await client('g2', 'u3')];
    a.send({ action: 'note', message: 'one', recipients: [{ type: 'group', value: 'g1' }, { type: 'user', value: 'u2' }] });
    a.send({ action: 'marker', message: '', recipients: [] });
    for (const x of [a, b, c]) await x.next((m) => m.action === 'marker');
    expect(a.received.filter((m) => (m as { action: string }).action === 'note')).toHaveLength(1);
    expect(b.received.filter((m) => (m as { action: string }).action === 'note')).toHaveLength(1);
    expect(c.received.map((m) => (m as { action: string }).action)).toEqual(['marker']);
  });

  it('broadcastchatmessage without recipients goes to the sender group, stamped with the sender identity', async () => {
    await start();
    const [a, b, c] = [await client('room', 'alice'), await client('room', 'bob'), await client('other', 'carol')];
    a.send({ action: 'broadcastchatmessage', message: 'hi', userId: 'mallory', groupId: 'other' });
    const got = await b.next((m) => m.action === 'broadcastchatmessage');
    expect(got).toMatchObject({ message: 'hi', userId: 'alice', groupId: 'room' });
    await a.next((m) => m.action === 'broadcastchatmessage');
    c.send({ action: 'echo', message: 'marker' });
    await c.next((m) => m.action === 'echo');
    expect(c.received).toHaveLength(1);
  });

  it('echo replies to the sender alone; ping is answered pong; binary frames are echoed', async () => {
    await start();
    const [a, b] = [await client('g', 'a'), await client('g', 'b')];
    a.send({ action: 'echo', message: 'back to me' });
    expect(await a.next((m) => m.action === 'echo')).toMatchObject({ message: 'back to me' });
    a.send({ action: 'ping' });
    await a.next((m) => m.action === 'pong');
    a.socket.send(Buffer.from([1, 2, 3]));
    await new Promise<void>((r) => a.socket.once('message', () => r()));
    expect([...a.binary[0]!]).toEqual([1, 2, 3]);
    b.send({ action: 'echo', message: 'marker' });
    await b.next((m) => m.action === 'echo');
    expect(b.received).toHaveLength(1);
  });

  it('invalid frames get an error reply and the connection keeps working', async () => {
    await start();
    const a = await client('g', 'a');
    for (const bad of ['{not json', '[1,2]', '"text"', '{"message":"no action"}', '{"action":5}', '{"action":"x","message":7}', '{"action":"x","recipients":[{"type":"nobody","value":"x"}]}']) a.send(bad);
    a.send({ action: 'echo', message: 'still here' });
    await a.next((m) => m.action === 'echo');
    const errors = a.received.filter((m) => (m as { action: string }).action === 'error') as { message: string }[];
    expect(errors).toHaveLength(7);
    expect(errors[0]!.message).toMatch(/invalid JSON/);
    expect(errors[1]!.message).toMatch(/an array/);
    expect(errors[4]!.message).toMatch(/"action" must be a string/);
    expect(errors[6]!.message).toMatch(/allButGroup/);
  });

  it('closes a connection that sends a frame over maxFrameBytes with 1009', async () => {
    await start({ maxFrameBytes: 1024 });
    const a = await client();
    a.send({ action: 'big', message: 'x'.repeat(2000) });
    expect((await a.closed).code).toBe(1009);
  });

  it('rate limit counts every frame, binary too; the first frame past it in a window is answered, the rest dropped quietly', async () => {
    await start({ rateLimit: { messages: 5, perSeconds: 60 } });
    const a = await client('g', 'a');
    for (let i = 0; i < 3; i++) a.socket.send(Buffer.from([i]));
    for (let i = 0; i < 6; i++) a.send({ action: 'echo', message: String(i) });
    await a.next((m) => m.action === 'error');
    expect(a.binary).toHaveLength(3);
    expect(a.received.filter((m) => (m as { action: string }).action === 'echo')).toHaveLength(2);
    expect(a.received.filter((m) => (m as { action: string }).action === 'error')).toEqual([
      expect.objectContaining({ message: 'rate limit exceeded: at most 5 frames per 60 s; this frame and the rest of this window\'s are dropped' }),
    ]);
    expect(server!.stats.framesDropped).toBe(4);
    expect(a.socket.readyState).toBe(1);
  });

  it('refuses a foreign Origin (403), allows localhost and no Origin; caps connections (503); 404 elsewhere', async () => {
    await start({ maxConnections: 2 });
    await expect(connectRaw(server!.wsUrl, {}, { origin: 'https://evil.example' })).rejects.toMatchObject({ status: 403 });
    clients.push(await client(undefined, undefined, { origin: 'http://localhost:3000' }));
    await client();
    await expect(connectRaw(server!.wsUrl)).rejects.toMatchObject({ status: 503 });
    await expect(connectRaw(server!.wsUrl.replace('__initializeSocket.wc', 'elsewhere'))).rejects.toMatchObject({ status: 404 });
    expect(server!.stats.rejected).toBe(3);
  });

  it('tick and ping policy: ticks to everyone, pings, and an idle connection closed with 4408', async () => {
    await start({ tickSeconds: 0.05, ping: { intervalSeconds: 0.05, idleTimeoutSeconds: 0.3 } });
    const a = await client();
    await a.next((m) => m.action === 'tick');
    await a.next((m) => m.action === 'ping');
    expect((await a.closed).code).toBe(4408);
  });

  it('accepts the upgrade path case-insensitively under any prefix and reads identity from the query', async () => {
    await start();
    const c = await connectRaw(server!.wsUrl.replace('__initializeSocket.wc', 'app/__INITIALIZESOCKET.WC'), { groupId: 'G', userId: 'U' });
    clients.push(c);
    expect(server!.clients()).toEqual([{ id: 1, groupId: 'G', userId: 'U' }]);
  });

  it('identity comes from the connection only: a frame cannot claim another, even on a connection without one', async () => {
    await start();
    const [anon, bob] = [await client(), await client('room', 'bob')];
    anon.send({ action: 'note', message: 'I am bob', userId: 'bob', groupId: 'room', time: '2000-01-01T00:00:00.000Z' });
    bob.send({ action: 'note', message: 'I am alice', userId: 'alice', groupId: 'other' });
    const got = await bob.next((m) => m.message === 'I am bob');
    expect(got).toMatchObject({ userId: '', groupId: '' });
    expect(got).not.toHaveProperty('time'); // the server's word on when it routed a message
    expect(await anon.next((m) => m.message === 'I am alice')).toMatchObject({ userId: 'bob', groupId: 'room' });
  });

  it('identify() decides who a connection is (a hook for real auth); null refuses the upgrade with 401', async () => {
    await start({
      identify: (req) => (req.headers.authorization === 'Bearer t-ann' ? { groupId: 'staff', userId: 'ann' } : null),
    });
    await expect(connectRaw(server!.wsUrl, { userId: 'ann' })).rejects.toMatchObject({ status: 401 });
    const ann = await client('ignored', 'ignored', { authorization: 'Bearer t-ann' });
    ann.send({ action: 'echo', message: 'who am I', userId: 'root' });
    expect(await ann.next((m) => m.action === 'echo')).toMatchObject({ userId: 'ann', groupId: 'staff' });
  });

  it('a hook that throws costs the sender an error reply, and the log one line however often it happens', async () => {
    const lines: string[] = [];
    await start({
      log: (line) => lines.push(line),
      identify: (req, url) => {
        if (url.searchParams.has('explode')) throw new Error('auth backend down');
        return { groupId: '', userId: url.searchParams.get('userId') ?? '' };
      },
      onWebSocket(msg, ctx) {
        if (msg.action === 'boom') throw new Error('handler bug');
        ctx.reply(msg);
      },
    });
    await expect(connectRaw(`${server!.wsUrl}?explode=1`)).rejects.toMatchObject({ status: 500 });
    const a = await client('g', 'a');
    for (let i = 0; i < 20; i++) a.send({ action: 'boom' });
    a.send({ action: 'echo', message: 'after' });
    await a.next((m) => m.action === 'echo');
    const errors = a.received.filter((m) => (m as { action: string }).action === 'error');
    expect(errors).toHaveLength(20);
    expect(errors[0]).toMatchObject({ message: 'the server failed to handle this "boom" message' });
    expect(lines.filter((l) => l.startsWith('onWebSocket threw'))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith('an upgrade failed'))).toHaveLength(1);
  });

  it('a frame with more recipients than maxRecipients is refused with the reason; the connection stays', async () => {
    await start({ maxRecipients: 3 });
    const a = await client('g', 'a');
    a.send({ action: 'x', recipients: [1, 2, 3, 4].map((i) => ({ type: 'user', value: `u${i}` })) });
    expect(await a.next((m) => m.action === 'error')).toMatchObject({ message: 'too many recipients: 4, at most 3' });
    a.send({ action: 'echo', message: 'still here' });
    await a.next((m) => m.action === 'echo');
  });

  it('close() stops listening first: a client that reconnects during the 1001 grace is refused, not accepted and cut', async () => {
    const s = await start();
    const a = await client();
    const closing = s.close();
    server = undefined;
    // Told 1001, a client would come straight back; the port must already refuse it.
    await expect(connectRaw(s.wsUrl)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect((await a.closed).code).toBe(1001);
    await closing;
    expect(s.clients()).toEqual([]);
  });
});

describe('test server: history', () => {
  const chat = (message: string, group = 'room') => ({ action: 'broadcastchatmessage', message, recipients: [{ type: 'group', value: group }] });
  const initial = async (c: RawClient) => JSON.parse((await c.next((m) => m.action === 'initialmessages')).message as string) as Record<string, unknown>[];

  it('a page that joins late gets the last historySize messages of its group as one initialmessages frame (a JSON array)', async () => {
    await start({ historySize: 3 });
    const ann = await client('room', 'ann');
    for (const m of ['one', 'two', 'three', 'four']) ann.send(chat(m));
    ann.send(chat('elsewhere', 'other'));
    ann.send({ action: 'broadcastchatmessage', message: 'private', recipients: [{ type: 'user', value: 'ann' }] });
    ann.send({ action: 'broadcastchatmessage', message: 'not for bob', recipients: [{ type: 'group', value: 'room' }, { type: 'allButUser', value: 'bob' }] });
    ann.send({ action: 'scores', message: '[]', recipients: [{ type: 'group', value: 'room' }] });
    ann.send({ action: 'echo', message: 'marker' });
    const live = await ann.next((m) => m.message === 'four');
    await ann.next((m) => m.action === 'echo');
    expect(ann.received.some((m) => (m as { action: string }).action === 'initialmessages')).toBe(false);

    const bob = await client('room', 'bob');
    const history = await initial(bob);
    expect(history.map((m) => m.message)).toEqual(['two', 'three', 'four']);
    expect(history[2]).toEqual(live);
    expect(history[2]).toMatchObject({ action: 'broadcastchatmessage', userId: 'ann', groupId: 'room', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect(bob.received[0]).toMatchObject({ action: 'initialmessages', groupId: 'room', userId: '' });
    expect((await initial(await client('other', 'carl'))).map((m) => m.message)).toEqual(['elsewhere']);
  });

  it('the initialmessages frame stays under maxFrameBytes (the oldest are left out); historySize 0 keeps nothing', async () => {
    await start({ maxFrameBytes: 1024 });
    const ann = await client('room', 'ann');
    for (let i = 0; i < 8; i++) ann.send(chat(`${i}"${'x'.repeat(150)}`));
    await ann.next((m) => typeof m.message === 'string' && m.message.startsWith('7'));
    const bob = await client('room', 'bob');
    const frame = await bob.next((m) => m.action === 'initialmessages');
    expect(Buffer.byteLength(JSON.stringify(frame))).toBeLessThanOrEqual(1024);
    const kept = (JSON.parse(frame.message as string) as { message: string }[]).map((m) => m.message[0]);
    expect(kept.length).toBeGreaterThan(1);
    expect(kept).toEqual(['0', '1', '2', '3', '4', '5', '6', '7'].slice(-kept.length));
    await server!.close();

    server = await createTestServer({ historySize: 0 });
    const carl = await client('room', 'carl');
    carl.send(chat('forgotten'));
    await carl.next((m) => m.message === 'forgotten');
    const dora = await client('room', 'dora');
    dora.send({ action: 'echo', message: 'marker' });
    await dora.next((m) => m.action === 'echo');
    expect(dora.received).toHaveLength(1);
  });
});

describe('test server: HTTP broadcast endpoint', () => {
  it('routes a posted envelope and answers the count; 400 for bad JSON, 405 for GET, 413 when too big', async () => {
    await start({ maxFrameBytes: 4096 });
    const [a, b] = [await client('g1', 'a'), await client('g2', 'b')];
    const res = await post('x/y/__BroadcastWebSocket.wc', JSON.stringify({ action: 'news', message: 'm', recipients: [{ type: 'group', value: 'g1' }] }));
    expect(await res.json()).toEqual({ delivered: 1 });
    expect(await a.next((m) => m.action === 'news')).toMatchObject({ message: 'm' });
    const bad = await post('__broadcastWebSocket.wc', '{"action":');
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatch(/invalid JSON/);
    expect((await post('__broadcastWebSocket.wc', '{"message":"x"}')).status).toBe(400);
    const get = await fetch(new URL('__broadcastWebSocket.wc', server!.url));
    expect([get.status, get.headers.get('allow')]).toEqual([405, 'POST']);
    expect((await post('__broadcastWebSocket.wc', JSON.stringify({ action: 'x', message: 'y'.repeat(5000) }))).status).toBe(413);
    expect(b.received).toEqual([]);
  });

  it('is no CSRF hole: application/json only (415), Origin checked like the upgrade (403)', async () => {
    await start();
    const [a] = [await client('room', 'a')];
    const body = JSON.stringify({ action: 'broadcastchatmessage', message: 'forged', recipients: [{ type: 'group', value: 'room' }] });
    // What any web page can make a browser send without a preflight:
    const form = await post('__broadcastWebSocket.wc', body, { headers: { 'content-type': 'text/plain', origin: 'http://evil.example' } });
    expect([form.status, (await form.json()).error]).toEqual([403, 'origin http://evil.example may not broadcast']);
    const plain = await post('__broadcastWebSocket.wc', body, { headers: { 'content-type': 'text/plain' } });
    expect([plain.status, (await plain.json()).error]).toEqual([415, 'Content-Type must be application/json, got "text/plain"']);
    const jsonFromEvil = await post('__broadcastWebSocket.wc', body, { headers: { origin: 'http://evil.example' } });
    expect(jsonFromEvil.status).toBe(403);
    expect((await post('__broadcastWebSocket.wc', body, { headers: { origin: server!.url.slice(0, -1) } })).status).toBe(200);
    expect(await a.next((m) => m.action === 'broadcastchatmessage')).toMatchObject({ message: 'forged' });
    expect(a.received).toHaveLength(1);
  });

  it('server-side code may set the identity of what it broadcasts', async () => {
    await start();
    const a = await client('room', 'a');
    await post('__broadcastWebSocket.wc', JSON.stringify({ action: 'news', message: 'm', userId: 'system', groupId: 'ops' }));
    expect(await a.next((m) => m.action === 'news')).toMatchObject({ userId: 'system', groupId: 'ops' });
  });

  it('requires the bearer token when one is set (401 otherwise)', async () => {
    await start({ broadcastToken: 's3cret' });
    const body = JSON.stringify({ action: 'x' });
    expect((await post('__broadcastWebSocket.wc', body)).status).toBe(401);
    expect((await post('__broadcastWebSocket.wc', body, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await post('__broadcastWebSocket.wc', body, { headers: { authorization: 'Bearer s3cret' } })).status).toBe(200);
  });
});

describe('test server: static files', () => {
  it('serves the demo and dist with content types, and nothing outside them', async () => {
    await start();
    const page = await fetch(server!.url);
    expect([page.status, page.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
    const js = await fetch(new URL('app.js', server!.url));
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    for (const path of ['/../package.json', '/dist/../package.json', '/%2e%2e/package.json', '/dist/%2e%2e/%2e%2e/package.json', '/..%2fpackage.json']) {
      const res = await rawGet(path);
      expect([403, 404], path).toContain(res.status);
      expect(res.body, path).not.toContain('"devDependencies"');
    }
  });
});

describe('test server: command-line tools', () => {
  it('cli prints the listening line, serves, and exits 0 on SIGTERM; broadcast-cli delivers and reports errors', async () => {
    const child = spawn(process.execPath, ['test/server/cli.mjs', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`cli exited ${code}`)));
    });
    expect(line).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+\/$/);
    const url = line.slice('listening on '.length);
    const c = await connectRaw(`${url.replace('http', 'ws')}__initializeSocket.wc`, { groupId: 'cli' });
    const ok = await runNode(['test/server/broadcast-cli.mjs', '--url', url, '--action', 'hello', '--message', 'from cli', '--group', 'cli']);
    expect(ok).toMatchObject({ code: 0, stdout: 'delivered to 1 connection(s)\n' });
    expect(await c.next((m) => m.action === 'hello')).toMatchObject({ message: 'from cli', groupId: 'cli' });
    const closed = c.closed;
    child.kill('SIGTERM');
    expect(await new Promise((r) => child.once('exit', r))).toBe(0);
    expect((await closed).code).toBe(1001);
    const refused = await runNode(['test/server/broadcast-cli.mjs', '--url', url, '--action', 'x']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/cannot reach .*Is the server running/);
    expect((await runNode(['test/server/broadcast-cli.mjs'])).stderr).toMatch(/--action is required/);
  });
});

function runNode(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, args);
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** GET without URL normalisation, so "/../" reaches the server as written. */
async function rawGet(path: string): Promise<{ status: number; body: string }> {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request({ host: server!.host, port: server!.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
