import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { broadcastEndpoint } from '../server/broadcast-endpoint.mjs';
import { nestsDeeperThan } from '../server/envelope.mjs';
import { createHistory } from '../server/history.mjs';
import { isLoopback } from '../server/origin.mjs';
import { createQuietLog } from '../server/quiet-log.mjs';
import { parseRequestTarget } from '../server/request-target.mjs';

describe('parseRequestTarget(): the path of any request line, or undefined', () => {
  it.each<[string | undefined, string | undefined]>([
    ['/', '/'],
    ['/app/__initializeSocket.wc?groupId=g', '/app/__initializeSocket.wc'],
    ['//a:99999/', '//a:99999/'], // new URL() reads this as a host with a bad port and throws
    ['//[', '//['],
    ['//a:99999/__initializeSocket.wc', '//a:99999/__initializeSocket.wc'],
    ['http://host/x/__broadcastWebSocket.wc', '/x/__broadcastWebSocket.wc'],
    ['http://a:99999/', undefined],
    ['*', undefined],
    ['a:1', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%j -> %j', (target, path) => {
    expect(parseRequestTarget(target)?.pathname).toBe(path);
  });
});

describe('isLoopback(): whether a listening host is reachable from this machine only', () => {
  it.each([['127.0.0.1', true], ['127.1.2.3', true], ['::1', true], ['[::1]', true], ['localhost', true], ['0.0.0.0', false], ['::', false], ['192.168.1.5', false], ['example.com', false]])('%s: %s', (host, loopback) => {
    expect(isLoopback(host)).toBe(loopback);
  });
});

describe('nestsDeeperThan(): depth found without parsing', () => {
  it.each<[string, number, boolean]>([
    ['{"a":[[1]]}', 3, false],
    ['{"a":[[[1]]]}', 3, true],
    ['{"a":"[[[[[[["}', 1, false], // brackets inside strings do not count
    ['{"a":"\\"[[[[","b":[1]}', 2, false], // nor after an escaped quote
    ['[]'.repeat(1000), 1, false], // siblings are not depth
    ['['.repeat(5000), 32, true],
  ])('%s (max %i): %s', (text, max, deeper) => {
    expect(nestsDeeperThan(text, max)).toBe(deeper);
  });
});

describe('createHistory(): bounded per group, per size and in groups', () => {
  it('keeps the last `size` of a group, oldest first, in the bytes given', () => {
    const h = createHistory({ size: 2, maxBytes: 1000, maxGroups: 10 });
    for (const t of ['"a"', '"b"', '"c"']) h.record('g', t);
    expect(h.replay('g', 1000)).toBe('["b","c"]');
    expect(h.replay('g', 6)).toBe('["c"]'); // "c" travels escaped as \"c\", 5 bytes and a comma
    expect(h.replay('g', 3)).toBeUndefined();
    expect(h.replay('nobody', 1000)).toBeUndefined();
  });

  it('forgets the group written least recently past maxGroups, and entries past maxBytes', () => {
    const h = createHistory({ size: 50, maxBytes: 20, maxGroups: 2 });
    h.record('a', '1');
    h.record('b', '2');
    h.record('a', '3');
    h.record('c', '4');
    expect([h.replay('a', 99), h.replay('b', 99), h.replay('c', 99)]).toEqual(['[1,3]', undefined, '[4]']);
    h.record('a', 'x'.repeat(30));
    h.record('c', '"12345678"');
    h.record('c', '"abcdefgh"');
    expect([h.replay('a', 99), h.replay('c', 99)]).toEqual(['[1,3]', '["abcdefgh"]']);
  });
});

describe('createQuietLog(): at most one line per kind per interval', () => {
  afterEach(() => vi.useRealTimers());
  it('says how many it left out', () => {
    vi.useFakeTimers();
    const lines: string[] = [];
    const log = createQuietLog((l) => lines.push(l), 10_000);
    for (let i = 0; i < 1000; i++) log('bad frame', `bad frame ${i}`);
    log('other', 'other 0');
    vi.advanceTimersByTime(10_000);
    log('bad frame', 'bad frame again');
    expect(lines).toEqual(['bad frame 0', 'other 0', 'bad frame again (and 999 more "bad frame" in the last 10 s)']);
  });
});

describe('broadcastEndpoint() on a server beyond loopback', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((r) => server?.close(r) ?? r(undefined));
    server = undefined;
  });
  /** The endpoint as a server on 0.0.0.0 would mount it, itself listening on 127.0.0.1 only. */
  async function mount(broadcastToken: string | undefined) {
    const delivered: unknown[] = [];
    const handler = broadcastEndpoint({
      maxFrameBytes: 4096, maxDepth: 8, maxRecipients: 10, broadcastToken, loopbackOnly: false, host: '0.0.0.0',
      originAllowed: (o) => o === undefined, broadcast: (m) => delivered.push(m),
    });
    server = createServer((req, res) => void handler(req, res));
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/__broadcastWebSocket.wc`;
    const post = (headers: Record<string, string> = {}) => fetch(url, { method: 'POST', body: '{"action":"x"}', headers: { 'content-type': 'application/json', ...headers } });
    return { post, delivered };
  }

  it('refuses every broadcast when no token is set (403, saying how to set one)', async () => {
    const { post, delivered } = await mount(undefined);
    const res = await post();
    expect([res.status, (await res.json()).error]).toEqual([403, 'this server listens on 0.0.0.0, beyond loopback: the broadcast endpoint needs a token (BROADCAST_TOKEN)']);
    expect(delivered).toEqual([]);
  });

  it('with a token, takes the right one only', async () => {
    const { post, delivered } = await mount('s3cret');
    expect((await post()).status).toBe(401);
    expect((await post({ authorization: 'Bearer s3cre' })).status).toBe(401);
    expect((await post({ authorization: 'Bearer s3cret' })).status).toBe(200);
    expect(delivered).toHaveLength(1);
  });
});
