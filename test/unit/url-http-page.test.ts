// @vitest-environment happy-dom
// @vitest-environment-options { "url": "http://intranet.example:8080/wconnect/chat/default.htm" }
import { Server, WebSocket as MockWebSocket } from 'mock-socket';
import { afterEach, describe, expect, it } from 'vitest';
import { WebConnectionWebSocket } from '../../src/index';
import { waitFor } from '../helpers/wait';

/** One mock server per URL (mock-socket allows one), recording the URL of every connection. */
const servers = new Map<string, { server: Server; seen: string[] }>();
const sockets: WebConnectionWebSocket[] = [];
afterEach(() => {
  sockets.splice(0).forEach((s) => s.close());
  servers.forEach(({ server }) => server.stop());
  servers.clear();
});

/** Connects a client with `url` (or none) on this http: page; resolves with the URL the server saw. */
async function connectedUrl(url: string | undefined, expected: string, groupId?: string, userId?: string): Promise<string> {
  let entry = servers.get(expected);
  if (!entry) {
    const server = new Server(expected);
    const seen: string[] = [];
    server.on('connection', (s) => seen.push((s as unknown as { url: string }).url));
    servers.set(expected, (entry = { server, seen }));
  }
  const { seen } = entry;
  const before = seen.length;
  const socket = new WebConnectionWebSocket({ ...(url === undefined ? {} : { url }), WebSocket: MockWebSocket });
  sockets.push(socket);
  socket.tryConnect(true, groupId, userId);
  await waitFor(() => socket.state === 'open', `open at ${expected}`);
  // The resume extension's session rides along last; these tests are about the rest.
  const u = new URL(seen[before]!);
  expect(u.searchParams.get('wcSession')).toMatch(/^[\w-]{8,64}$/);
  expect(u.searchParams.get('wcAck')).toBe('0');
  u.searchParams.delete('wcSession');
  u.searchParams.delete('wcAck');
  return u.href;
}

describe('URLs on an http: page', () => {
  it('the default __initializeSocket.wc resolves against the page directory, http -> ws, port kept', async () => {
    expect(location.protocol).toBe('http:');
    const base = 'ws://intranet.example:8080/wconnect/chat/__initializeSocket.wc';
    expect(await connectedUrl(undefined, base)).toBe(base);
  });

  it('groupId and userId become query parameters, encoded; empty ones are left out', async () => {
    const base = 'ws://intranet.example:8080/wconnect/chat/__initializeSocket.wc';
    expect(await connectedUrl(undefined, base, 'sales team', 'rick@west/wind')).toBe(`${base}?groupId=sales+team&userId=rick%40west%2Fwind`);
    expect(await connectedUrl(undefined, base, '', 'markus')).toBe(`${base}?userId=markus`);
  });

  it('a root-relative url option resolves against the page origin; an existing query is kept', async () => {
    const expected = 'ws://intranet.example:8080/sockets/__initializeSocket.wc';
    expect(await connectedUrl('/sockets/__initializeSocket.wc?v=2', expected, 'g')).toBe(`${expected}?v=2&groupId=g`);
  });

  it('an absolute https: url option becomes wss: whatever the page is', async () => {
    const expected = 'wss://push.example/__initializeSocket.wc';
    expect(await connectedUrl('https://push.example/__initializeSocket.wc', expected)).toBe(expected);
  });
});
