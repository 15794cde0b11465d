import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createTestServer, type TestServer } from '../server/index.mjs';
import { waitFor } from '../helpers/wait';

/**
 * The vendor's documented client code (docs/protocol.md §4), as plain script text: only the
 * handler bodies are filled in and the constructor gets the two things Node lacks, a `url` and
 * `WebSocket` from the `ws` package. It runs as sloppy-mode JavaScript, so nothing TypeScript adds
 * helps it along.
 */
const VENDOR_SNIPPET = `
const socket = new WebConnectionWebSocket({ url: url, WebSocket: WebSocket });
socket.onMessageHandler = (msg) => { page.received.push(msg.userId + ": " + msg.message + " @" + msg.groupId); };
socket.onOpenHandler = (ev) => { page.opened++; };
socket.onCloseHandler = (ev) => { page.closed++; };
socket.tryConnect(true, groupId, userId);   // true = reconnect automatically
page.sendChat = function (text) {
  const msg = socket.createBroadcastMessage("broadcastchatmessage", text);
  msg.userId = user; msg.groupId = group;
  msg.addRecipient(group, "group");
  socket.send(msg);
};
page.socket = socket;
`;

interface Page {
  received: string[];
  opened: number;
  closed: number;
  sendChat(text: string): void;
  socket: { close(): void; state: string };
}

type Ctor = new (...args: never[]) => unknown;

/** Runs the snippet as a page would, with the globals it expects. */
function runSnippet(WebConnectionWebSocket: Ctor, url: string, group: string, user: string): Page {
  const page = { received: [], opened: 0, closed: 0 } as unknown as Page;
  const run = new Function('WebConnectionWebSocket', 'WebSocket', 'url', 'groupId', 'userId', 'group', 'user', 'page', VENDOR_SNIPPET);
  run(WebConnectionWebSocket, WebSocket, url, group, user, group, user, page);
  return page;
}

let server: TestServer | undefined;
const pages: Page[] = [];
afterEach(async () => {
  pages.splice(0).forEach((p) => p.socket.close());
  await server?.close();
  server = undefined;
});

describe("the vendor's client snippet on Node with ws", () => {
  it.each([
    ['the package\'s main entry (dist/index.js)', () => import('../../dist/index.js' as string)],
    ['the self-contained build (dist/webconnection-websocket.min.js)', () => import('../../dist/webconnection-websocket.min.js' as string)],
    ['the source', () => import('../../src/index')],
  ])('runs unchanged from %s; two clients in one group exchange broadcastchatmessage, another group hears nothing', async (_name, load) => {
    const { WebConnectionWebSocket } = (await load()) as { WebConnectionWebSocket: Ctor };
    server = await createTestServer({ static: false });
    const rick = runSnippet(WebConnectionWebSocket, server.wsUrl, 'vendor-room', 'rick');
    const markus = runSnippet(WebConnectionWebSocket, server.wsUrl, 'vendor-room', 'markus');
    const outsider = runSnippet(WebConnectionWebSocket, server.wsUrl, 'other-room', 'eve');
    pages.push(rick, markus, outsider);
    await waitFor(() => pages.every((p) => p.opened === 1), 'all three open');

    rick.sendChat('hello from rick');
    await waitFor(() => markus.received.length === 1, 'rick -> markus');
    markus.sendChat('hello from markus');
    await waitFor(() => rick.received.length === 2 && markus.received.length === 2, 'markus -> rick');
    // A marker to the outsider's own group: once it is there, anything for it would be too.
    outsider.sendChat('marker');
    await waitFor(() => outsider.received.length === 1, 'the marker');

    const chat = ['rick: hello from rick @vendor-room', 'markus: hello from markus @vendor-room'];
    expect(rick.received).toEqual(chat);
    expect(markus.received).toEqual(chat);
    expect(outsider.received).toEqual(['eve: marker @other-room']);
    expect(server.clients().map((c) => `${c.groupId}/${c.userId}`).sort()).toEqual(['other-room/eve', 'vendor-room/markus', 'vendor-room/rick']);
    expect(pages.map((p) => p.closed)).toEqual([0, 0, 0]);
  });
});
