// @ts-check
/**
 * The test server's one entry: the demo, the tests, the benchmarks and the CLIs import it from
 * here and nowhere else. It serves the Web Connection WebSocket protocol (docs/protocol.md):
 * upgrade at `…__initializeSocket.wc`, HTTP broadcast at `…__broadcastWebSocket.wc`, and the demo.
 * How to extend it: docs/test-server.md.
 *
 * This file only wires the parts together: options.mjs (defaults and limits), hub.mjs
 * (connections, identity, routing, history, the OnWebSocket hook), upgrade.mjs and
 * http-requests.mjs (the HTTP side), keep-alive.mjs (tick, ping, idle).
 */
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { broadcastEndpoint } from './broadcast-endpoint.mjs';
import { createHub } from './hub.mjs';
import { answerClientError, requestHandler } from './http-requests.mjs';
import { startKeepAlive } from './keep-alive.mjs';
import { resolveOptions } from './options.mjs';
import { isLoopback, originPolicy } from './origin.mjs';
import { createQuietLog } from './quiet-log.mjs';
import { staticFiles } from './static-files.mjs';
import { identityFromQuery, upgradeGuard } from './upgrade.mjs';

/** @typedef {import('./options.mjs').TestServerOptions} TestServerOptions */
/** @typedef {import('./hub.mjs').SocketContext} SocketContext */
/** @typedef {import('./hub.mjs').Identity} Identity */
/** @typedef {import('./envelope.mjs').Envelope} Envelope */
/** @typedef {import('./envelope.mjs').Recipient} Recipient */

/**
 * The default message handler, like the vendor's chat sample: `echo` goes back to the sender
 * alone, `broadcastchatmessage` without recipients goes to the sender's group, everything else is
 * routed by its recipients. (`ping` never gets here: the hub answers it `pong` first.)
 * @param {Envelope} msg
 * @param {SocketContext} ctx
 */
export function defaultOnWebSocket(msg, ctx) {
  if (msg.action === 'echo') return ctx.reply(msg);
  if (msg.action === 'broadcastchatmessage' && !msg.recipients.length && msg.groupId) {
    msg.recipients = [{ type: 'group', value: msg.groupId }];
  }
  ctx.broadcast(msg);
}

/**
 * Starts the server; resolves once it listens.
 * @param {TestServerOptions} [options]
 * @example
 * const server = await createTestServer({ onWebSocket(msg, ctx) { defaultOnWebSocket(msg, ctx); } });
 * // ... server.wsUrl, server.url ...
 * await server.close();
 */
export async function createTestServer(options = {}) {
  const o = resolveOptions(options);
  const stats = { upgrades: 0, rejected: 0, framesReceived: 0, slowReaders: 0, framesDropped: 0 };
  const quietLog = createQuietLog(o.log);
  const hub = createHub({ ...o, onWebSocket: o.onWebSocket ?? defaultOnWebSocket }, stats, quietLog);
  const wss = new WebSocketServer({ noServer: true, maxPayload: o.maxFrameBytes });
  const http = createServer();
  // A body or header that trickles in forever must not hold a socket forever.
  http.requestTimeout = 30_000;
  http.headersTimeout = 10_000;

  const port = await new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen(o.port, o.host, () => {
      http.off('error', reject);
      resolve(/** @type {import('node:net').AddressInfo} */ (http.address()).port);
    });
  });
  const hostInUrl = o.host.includes(':') ? `[${o.host}]` : o.host;
  const origin = `http://${hostInUrl}:${port}`;
  const originAllowed = originPolicy(origin, o.allowedOrigins);
  const loopbackOnly = isLoopback(o.host);

  http.on('request', requestHandler({
    broadcast: broadcastEndpoint({ ...o, loopbackOnly, originAllowed, broadcast: hub.broadcast }),
    serveStatic: o.static ? staticFiles(o.static) : undefined,
    quietLog,
  }));
  http.on('clientError', answerClientError);
  http.on('upgrade', upgradeGuard({
    originAllowed,
    maxConnections: o.maxConnections,
    openConnections: () => hub.live().length,
    identify: o.identify ?? identityFromQuery,
    upgrade: (req, socket, head, identity, url) => wss.handleUpgrade(req, socket, head, (ws) => hub.accept(ws, identity, url)),
    stats,
    quietLog,
  }));
  const stopKeepAlive = startKeepAlive(hub, o);

  return {
    port,
    host: o.host,
    /** Whether it listens on a loopback address only; beyond loopback the HTTP broadcast needs a token. */
    loopbackOnly,
    /** The page URL, ending in "/". */
    url: `${origin}/`,
    /** The WebSocket endpoint. */
    wsUrl: `ws://${hostInUrl}:${port}/__initializeSocket.wc`,
    /** Counters for tests and benchmarks: upgrades seen and refused, frames received from sockets, slow readers closed, frames dropped by the rate limit. */
    stats,
    /** Routes a message as if the HTTP broadcast had posted it; returns how many connections got it. */
    broadcast: hub.broadcast,
    /** The open connections and who they are. */
    clients: () => hub.live().map(({ id, groupId, userId }) => ({ id, groupId, userId })),
    /** Resume sessions in memory (live, or waiting for their client to come back). */
    sessions: () => hub.sessions,
    /**
     * Stops listening, so clients coming back are refused rather than accepted and cut; then
     * closes every socket with 1001 (going away) so clients reconnect, and ends the stragglers.
     */
    async close() {
      stopKeepAlive();
      hub.close();
      const stopped = new Promise((r) => http.close(r));
      wss.close();
      const open = hub.live();
      for (const c of open) c.socket.close(1001, 'server going away');
      await new Promise((r) => setTimeout(r, open.length ? 50 : 0));
      for (const c of hub.connections.all) c.socket.terminate();
      http.closeAllConnections();
      await stopped;
    },
  };
}

/** @typedef {Awaited<ReturnType<typeof createTestServer>>} TestServer */
