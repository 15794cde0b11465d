import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { connectRaw } from '../helpers/raw-client';
import { OPCODE, clientFrame, openRawWebSocket, type Frame } from '../helpers/raw-ws.mjs';
import { useForkedServers } from '../helpers/server-process';
import type { ForkedServer } from '../helpers/forked-server.mjs';

// Hostile input against the test server in its own process: after every input the process must
// still be running and serving a page and an echo. Each input is bounded (2 s), the whole run is
// bounded in count, and nothing leaves 127.0.0.1.

const KEY = 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n';
const DEEP = `{"action":"broadcastchatmessage","message":"","x":${'['.repeat(5000)}${']'.repeat(5000)}}`;
const json = (body: string, extra = '') =>
  `POST /__broadcastWebSocket.wc HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}Connection: close\r\n\r\n${body}`;

/**
 * Sends raw bytes on a fresh TCP connection; resolves with the status line the server answered,
 * '' when it closed without one, or 'no answer' after 2 s. `abort` destroys the socket right after
 * writing, as a client that goes away mid-body.
 */
function exchange(port: number, bytes: string | Buffer, { abort = false } = {}): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let head = '';
    const done = (status: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(status);
    };
    const timer = setTimeout(() => done('no answer'), 2000);
    socket.on('error', () => done(head.split('\r\n')[0] ?? ''));
    socket.on('connect', () => {
      socket.write(bytes);
      if (abort) setImmediate(() => done('aborted'));
    });
    socket.on('data', (d) => {
      head += d.toString('latin1');
      if (head.includes('\r\n\r\n')) done(head.slice(0, head.indexOf('\r\n')));
    });
    socket.on('end', () => done(head.split('\r\n')[0] ?? ''));
  });
}

/** The process is up, serves the demo page, and echoes over a fresh socket. */
async function assertServing(server: ForkedServer, after: string) {
  expect(server.alive(), `the server process died after ${after}:\n${server.stderr()}`).toBe(true);
  const page = await fetch(server.url, { signal: AbortSignal.timeout(2000) });
  expect(page.status, after).toBe(200);
  await page.arrayBuffer();
  const c = await connectRaw(server.wsUrl, { groupId: 'fuzz', userId: 'probe' });
  try {
    c.send({ action: 'echo', message: 'alive?' });
    expect(await c.next((m) => m.action === 'echo', `an echo after ${after}`, 2000)).toMatchObject({ message: 'alive?' });
  } finally {
    c.close();
  }
}

/** A deterministic generator, so a failing input can be replayed. */
function prng(seed: number) {
  return () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
}

describe('test server: nothing a client sends stops it', () => {
  const servers = useForkedServers();

  it('the five inputs that ended the process before (issue 10) are answered and it keeps serving', async () => {
    const server = await servers.start();
    const cases: [string, string | Buffer, RegExp, { abort?: boolean }?][] = [
      ['request-target //a:99999/', 'GET //a:99999/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n', /^HTTP\/1\.1 404 /],
      ['request-target //[', 'GET //[ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n', /^HTTP\/1\.1 404 /],
      ['upgrade to //a:99999/__initializeSocket.wc', `GET //a:99999/__initializeSocket.wc HTTP/1.1\r\nHost: 127.0.0.1\r\n${KEY}\r\n`, /^HTTP\/1\.1 101 /],
      ['a broadcast POST aborted mid-body', 'POST /__broadcastWebSocket.wc HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"action":"broad', /^aborted$/, { abort: true }],
      ['a broadcast POST of a 10 KB envelope nested 5,000 deep', json(DEEP), /^HTTP\/1\.1 400 /],
    ];
    for (const [name, bytes, answer, options] of cases) {
      expect(await exchange(server.port, bytes, options), name).toMatch(answer);
      await assertServing(server, name);
    }
  });

  it('malformed request lines, targets, headers and bodies get a status (or a close), never a crash', { timeout: 60_000 }, async () => {
    const server = await servers.start();
    const raw: [string, string | Buffer, RegExp][] = [
      ['garbage request line', 'GARBAGE\r\n\r\n', /^HTTP\/1\.1 400 |^$/],
      ['binary noise', Buffer.from([0, 1, 2, 255, 254, 13, 10, 13, 10]), /^HTTP\/1\.1 400 |^$/],
      ['unknown HTTP version', 'GET / HTTP/9.9\r\nHost: x\r\n\r\n', /^HTTP\/1\.1 (400|505) |^$/],
      ['asterisk target', 'OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', /^HTTP\/1\.1 400 /],
      ['authority target', 'CONNECT a:1 HTTP/1.1\r\nHost: x\r\n\r\n', /^HTTP\/1\.1 400 |^$/],
      ['absolute target with a bad port', 'GET http://a:99999/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', /^HTTP\/1\.1 400 /],
      ['header without a colon', 'GET / HTTP/1.1\r\nHost x\r\n\r\n', /^HTTP\/1\.1 400 /],
      ['headers over 16 KB', `GET / HTTP/1.1\r\nHost: x\r\nX: ${'a'.repeat(20_000)}\r\n\r\n`, /^HTTP\/1\.1 431 /],
      ['a target over 16 KB', `GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, /^HTTP\/1\.1 431 /],
      ['negative Content-Length', 'POST /__broadcastWebSocket.wc HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n', /^HTTP\/1\.1 400 /],
      ['two Content-Lengths', 'POST /__broadcastWebSocket.wc HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab', /^HTTP\/1\.1 400 /],
      ['a bad chunk', 'POST /__broadcastWebSocket.wc HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', /^HTTP\/1\.1 400 |^$/],
      ['percent garbage in the path', 'GET /%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', /^HTTP\/1\.1 400 /],
      ['a NUL in the path', 'GET /a%00b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', /^HTTP\/1\.1 404 /],
      ['upgrade without a key', 'GET /__initializeSocket.wc HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n', /^HTTP\/1\.1 400 /],
      ['upgrade with version 99', `GET /__initializeSocket.wc HTTP/1.1\r\nHost: x\r\n${KEY.replace('13', '99')}\r\n`, /^HTTP\/1\.1 400 /],
      ['upgrade to //[', `GET //[ HTTP/1.1\r\nHost: x\r\n${KEY}\r\n`, /^HTTP\/1\.1 404 /],
      ['upgrade to *', `GET * HTTP/1.1\r\nHost: x\r\n${KEY}\r\n`, /^HTTP\/1\.1 400 /],
      ['upgrade from a foreign Origin', `GET /__initializeSocket.wc HTTP/1.1\r\nHost: x\r\nOrigin: http://evil.example\r\n${KEY}\r\n`, /^HTTP\/1\.1 403 /],
      ['upgrade with a malformed query', `GET /__initializeSocket.wc?userId=%ZZ&groupId HTTP/1.1\r\nHost: x\r\n${KEY}\r\n`, /^HTTP\/1\.1 101 /],
      ['broadcast body over the limit', json('{"action":"x","message":"' + 'y'.repeat(70_000) + '"}'), /^HTTP\/1\.1 413 /],
      ['broadcast body that lies about its length', 'POST /__broadcastWebSocket.wc HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 99999999\r\n\r\n{}', /^HTTP\/1\.1 413 /],
      ['broadcast as text/plain', json('{"action":"x"}').replace('application/json', 'text/plain'), /^HTTP\/1\.1 415 /],
      ['broadcast of an array', json('[1,2]'), /^HTTP\/1\.1 400 /],
      ['broadcast of null', json('null'), /^HTTP\/1\.1 400 /],
      ['broadcast with an object action', json('{"action":{}}'), /^HTTP\/1\.1 400 /],
      ['broadcast with a null recipient', json('{"action":"x","recipients":[null]}'), /^HTTP\/1\.1 400 /],
      ['broadcast with 1,888 recipients', json(JSON.stringify({ action: 'x', recipients: Array.from({ length: 1888 }, (_, i) => ({ type: 'user', value: `u${i}` })) })), /^HTTP\/1\.1 400 /],
      ['broadcast with __proto__', json('{"action":"x","__proto__":{"polluted":true},"constructor":{"prototype":{"p":1}}}'), /^HTTP\/1\.1 200 /],
      ['broadcast with a huge number', json('{"action":"x","n":1e400,"m":-0}'), /^HTTP\/1\.1 200 /],
      ['broadcast of invalid UTF-8', Buffer.concat([Buffer.from(json('{"action":"\u00e9"}').replace(/\u00e9/, '')), Buffer.from([0xff, 0xfe])]), /^HTTP\/1\.1 (400|200) |^no answer$/],
      ['broadcast of an object nested 33 deep', json(`{"action":"x","y":${'{"a":'.repeat(32)}1${'}'.repeat(32)}}`), /^HTTP\/1\.1 400 /],
    ];
    for (const [name, bytes, answer] of raw) {
      expect(await exchange(server.port, bytes), name).toMatch(answer);
      await assertServing(server, name);
    }
  });

  it('hostile frames on an open socket get an error reply or a close code, never a crash', async () => {
    const server = await servers.start({ maxFrameBytes: 65536 });
    const frames: [string, Buffer, { error?: RegExp; close?: number }][] = [
      ['a frame nested 5,000 deep', clientFrame(OPCODE.text, DEEP), { error: /nested deeper than 32/ }],
      ['1,888 recipients', clientFrame(OPCODE.text, JSON.stringify({ action: 'x', recipients: Array.from({ length: 1888 }, (_, i) => ({ type: 'user', value: `u${i}` })) })), { error: /too many recipients: 1888, at most 100/ }],
      ['not JSON', clientFrame(OPCODE.text, '{"action":'), { error: /invalid JSON/ }],
      ['a recipient of an unknown type', clientFrame(OPCODE.text, '{"action":"x","recipients":[{"type":"everyone","value":""}]}'), { error: /type one of/ }],
      ['invalid UTF-8 in a text frame', clientFrame(OPCODE.text, Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), { close: 1007 }],
      ['a reserved opcode', clientFrame(3, 'x'), { close: 1002 }],
      ['RSV bits without an extension', clientFrame(OPCODE.text, '{}', { rsv: 4 }), { close: 1002 }],
      ['a fragmented ping', clientFrame(OPCODE.ping, 'x', { fin: false }), { close: 1002 }],
      ['a frame over maxFrameBytes', clientFrame(OPCODE.text, 'x'.repeat(70_000)), { close: 1009 }],
      ['a close with an invalid code', clientFrame(OPCODE.close, Buffer.from([0x03, 0xe7])), { close: 1002 }],
    ];
    for (const [name, bytes, expected] of frames) {
      const ws = await openRawWebSocket(server.port);
      try {
        const got = new Promise<Frame>((resolve) => ws.resume((f) => (f.opcode === OPCODE.text || f.opcode === OPCODE.close) && resolve(f)));
        await ws.write(bytes);
        const frame = await Promise.race([got, new Promise<undefined>((r) => setTimeout(r, 2000))]);
        if (expected.error) expect(JSON.parse(frame?.payload.toString() ?? 'null'), name).toMatchObject({ action: 'error', message: expect.stringMatching(expected.error) });
        else expect(frame?.payload.readUInt16BE(0), name).toBe(expected.close);
      } finally {
        ws.close();
      }
      await assertServing(server, name);
    }
  });

  it('300 random request lines, headers and bodies (seeded): every one answered, the process alive', { timeout: 60_000 }, async () => {
    const server = await servers.start();
    const random = prng(10);
    const pick = <T,>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
    const noise = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256))).toString('latin1');
    const methods = ['GET', 'POST', 'PUT', 'HEAD', 'OPTIONS', 'DELETE', 'G\u0000T', ''];
    const targets = ['/', '//', '//a:99999/', '//[', '//[::1', '/__broadcastWebSocket.wc', '//x/__broadcastWebSocket.wc', '/__initializeSocket.wc', '//a:99999/__initializeSocket.wc', '/%', '/..%2f..%2f', 'http://[/', '*', '?', '/dist/../../etc/passwd', `/${noise(8)}`];
    const bodies = ['', '{', '[]', '{"action":"x"}', DEEP.slice(0, 3000), `{"action":"x","recipients":${'['.repeat(200)}`, noise(64), '{"action":"x","recipients":[{"type":"group","value":{"$gt":""}}]}'];
    for (let i = 0; i < 300; i++) {
      const body = pick(bodies);
      const headers = [
        'Host: 127.0.0.1',
        random() < 0.5 ? 'Content-Type: application/json' : `Content-Type: ${pick(['text/plain', 'application/json; charset=utf-8', noise(6), ''])}`,
        random() < 0.8 ? `Content-Length: ${random() < 0.8 ? Buffer.byteLength(body, 'latin1') : pick(['-5', 'abc', '1e3', '99999999999999999999'])}` : 'Transfer-Encoding: chunked',
        ...(random() < 0.3 ? [`Origin: ${pick(['http://evil.example', 'null', 'http://localhost:1', noise(5)])}`] : []),
        ...(random() < 0.3 ? ['Upgrade: websocket', 'Connection: Upgrade', pick(['Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Key: x']), 'Sec-WebSocket-Version: 13'] : ['Connection: close']),
      ];
      const request = `${pick(methods)} ${pick(targets)} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n${body}`;
      const abort = random() < 0.1;
      const answer = await exchange(server.port, Buffer.from(request, 'latin1'), { abort });
      expect(answer, `input ${i}: ${JSON.stringify(request.slice(0, 200))}`).toMatch(/^HTTP\/1\.1 \d{3} |^$|^aborted$|^no answer$/);
      expect(server.alive(), `the server process died after input ${i}: ${JSON.stringify(request.slice(0, 200))}\n${server.stderr()}`).toBe(true);
      if (i % 50 === 49) await assertServing(server, `random input ${i}`);
    }
    await assertServing(server, 'the random inputs');
  });
});
