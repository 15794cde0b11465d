// @ts-check
/**
 * A small server for the Web Connection WebSocket protocol (docs/protocol.md), for the demo and
 * the tests: WebSocket upgrade at `…__initializeSocket.wc`, HTTP broadcast at
 * `…__broadcastWebSocket.wc`, routing by recipients, a vendor-style `onWebSocket` hook, the
 * keep-alive habits of other servers (tick, ping policy), and hardening limits.
 */
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';
import { readEnvelope } from './envelope.mjs';
import { route } from './routing.mjs';
import { staticFiles } from './static-files.mjs';

/** @typedef {import('./envelope.mjs').Envelope} Envelope */
/** @typedef {import('ws').WebSocket} WebSocket */
/**
 * One connected socket and who it is (from the upgrade's query parameters).
 * @typedef {{ id: number, groupId: string, userId: string, socket: WebSocket, lastSeen: number, window: { start: number, count: number } }} Connection
 */
/**
 * What `onWebSocket` gets besides the message, in the spirit of the vendor's wwWebSocketMessage.
 * @typedef {object} SocketContext
 * @property {{ id: number, groupId: string, userId: string }} sender the connection that sent the message
 * @property {(msg: Partial<Envelope>) => number} broadcast routes `msg` by its recipients; returns how many got it
 * @property {(msg: Partial<Envelope>) => void} reply sends `msg` to the sender alone
 */
/**
 * @typedef {object} TestServerOptions
 * @property {number} [port] (default: 0 (a free port))
 * @property {string} [host] (default: "127.0.0.1")
 * @property {(msg: Envelope, ctx: SocketContext) => void} [onWebSocket] handles every valid message from a socket (default: {@link defaultOnWebSocket})
 * @property {number} [tickSeconds] sends `{"action":"tick","message":"<ISO time>"}` to everyone this often (seed 001 uses 30) (default: off)
 * @property {{ intervalSeconds: number, idleTimeoutSeconds?: number }} [ping] sends `{"action":"ping"}` every interval; closes (4408) a connection silent for idleTimeoutSeconds (default: off)
 * @property {number} [maxFrameBytes] larger frames close the connection with 1009; larger HTTP bodies get 413 (default: 65536)
 * @property {string[]} [allowedOrigins] origins allowed to upgrade, besides this server's own and any http://localhost:* or http://127.0.0.1:*; requests without an Origin (non-browser clients) are allowed
 * @property {number} [maxConnections] upgrades past this get 503 (default: 1000)
 * @property {{ messages: number, perSeconds: number } | false} [rateLimit] per connection; frames past it are answered with an error and dropped (default: 100 per 1 s)
 * @property {string} [broadcastToken] when set, the HTTP broadcast needs `Authorization: Bearer <token>`
 * @property {Record<string, string> | false} [static] URL prefix -> directory (default: demo/ at "/" and dist/ at "/dist/")
 * @property {(line: string) => void} [log] (default: quiet)
 */

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const IS_SOCKET_PATH = /__initializesocket\.wc$/i;
const IS_BROADCAST_PATH = /__broadcastwebsocket\.wc$/i;
const LOCAL_ORIGIN = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/i;

/**
 * The default message handler, like the vendor's chat sample: `ping` is answered `pong`, `echo`
 * goes back to the sender alone, `broadcastchatmessage` without recipients goes to the sender's
 * group, everything else is routed by its recipients.
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
 */
export async function createTestServer(options = {}) {
  const {
    host = '127.0.0.1',
    onWebSocket = defaultOnWebSocket,
    maxFrameBytes = 65536,
    maxConnections = 1000,
    rateLimit = { messages: 100, perSeconds: 1 },
    log = () => {},
  } = options;
  /** @type {Set<Connection>} */
  const connections = new Set();
  const stats = { upgrades: 0, rejected: 0 };
  let nextId = 1;
  const serveStatic = options.static === false ? undefined : staticFiles(options.static ?? { '/': `${REPO}demo`, '/dist/': `${REPO}dist` });

  /** Routes to sockets; returns how many connections got it. @param {Partial<Envelope>} msg */
  const broadcast = (msg) => {
    const full = { action: '', message: '', groupId: '', userId: '', recipients: [], ...msg };
    const text = JSON.stringify(full);
    const targets = route(full, [...connections].filter((c) => c.socket.readyState === 1));
    for (const c of targets) c.socket.send(text);
    return targets.length;
  };

  /** @param {Connection} conn @param {Buffer} data @param {boolean} isBinary */
  const receive = (conn, data, isBinary) => {
    conn.lastSeen = Date.now();
    if (isBinary) return conn.socket.send(data, { binary: true });
    if (rateLimit) {
      const now = Date.now();
      if (now - conn.window.start >= rateLimit.perSeconds * 1000) conn.window = { start: now, count: 0 };
      if (++conn.window.count > rateLimit.messages) {
        return sendTo(conn, { action: 'error', message: `rate limit exceeded: at most ${rateLimit.messages} messages per ${rateLimit.perSeconds} s; this message was dropped` });
      }
    }
    const read = readEnvelope(data.toString('utf8'));
    if (!read.ok) return sendTo(conn, { action: 'error', message: read.reason });
    const msg = read.envelope;
    if (msg.action === 'ping') return sendTo(conn, { action: 'pong' });
    // The connection's identity wins over what the frame claims: no speaking as someone else.
    if (conn.groupId) msg.groupId = conn.groupId;
    if (conn.userId) msg.userId = conn.userId;
    try {
      onWebSocket(msg, { sender: { id: conn.id, groupId: conn.groupId, userId: conn.userId }, broadcast, reply: (m) => sendTo(conn, m) });
    } catch (err) {
      log(`onWebSocket threw: ${err}`);
      sendTo(conn, { action: 'error', message: 'the server failed to handle this message' });
    }
  };

  /** @param {Connection} conn @param {Partial<Envelope>} msg */
  const sendTo = (conn, msg) => {
    if (conn.socket.readyState === 1) conn.socket.send(JSON.stringify({ action: '', message: '', groupId: '', userId: '', recipients: [], ...msg }));
  };

  const wss = new WebSocketServer({ noServer: true, maxPayload: maxFrameBytes });
  const http = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (IS_BROADCAST_PATH.test(url.pathname)) return httpBroadcast(req, res);
    if (serveStatic && (req.method === 'GET' || req.method === 'HEAD')) {
      const file = await serveStatic(url.pathname);
      res.writeHead(file.status, { 'content-type': file.type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
      return res.end(req.method === 'HEAD' ? undefined : file.body);
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });

  /** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res */
  const httpBroadcast = async (req, res) => {
    /** @param {number} status @param {object} body @param {Record<string, string>} [headers] */
    const answer = (status, body, headers = {}) => res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    if (req.method !== 'POST') return answer(405, { error: `use POST, not ${req.method}` }, { allow: 'POST' });
    if (options.broadcastToken && req.headers.authorization !== `Bearer ${options.broadcastToken}`) {
      return answer(401, { error: 'missing or wrong Authorization: Bearer <token>' }, { 'www-authenticate': 'Bearer' });
    }
    const chunks = [];
    let size = 0;
    for await (const chunk of req) {
      size += chunk.length;
      if (size > maxFrameBytes) return answer(413, { error: `body larger than ${maxFrameBytes} bytes` }, { connection: 'close' });
      chunks.push(chunk);
    }
    const read = readEnvelope(Buffer.concat(chunks).toString('utf8'));
    if (!read.ok) return answer(400, { error: read.reason });
    answer(200, { delivered: broadcast(read.envelope) });
  };

  const port = await new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, host, () => resolve(/** @type {import('node:net').AddressInfo} */ (http.address()).port));
  });
  const origin = `http://${host}:${port}`;
  const allowed = new Set([origin, ...(options.allowedOrigins ?? [])]);

  http.on('upgrade', (req, socket, head) => {
    stats.upgrades++;
    const url = new URL(req.url ?? '/', 'http://x');
    /** @param {number} status @param {string} text */
    const refuse = (status, text) => {
      stats.rejected++;
      socket.end(`HTTP/1.1 ${status} ${text.split(':')[0]}\r\ncontent-type: text/plain\r\nconnection: close\r\ncontent-length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
    };
    if (!IS_SOCKET_PATH.test(url.pathname)) return refuse(404, 'Not Found: WebSocket endpoint is …/__initializeSocket.wc');
    const from = req.headers.origin;
    if (from && !allowed.has(from) && !LOCAL_ORIGIN.test(from)) return refuse(403, `Forbidden: origin ${from} is not allowed`);
    if (connections.size >= maxConnections) return refuse(503, `Service Unavailable: connection limit ${maxConnections} reached`);
    wss.handleUpgrade(req, socket, head, (ws) => {
      /** @type {Connection} */
      const conn = { id: nextId++, groupId: url.searchParams.get('groupId') ?? '', userId: url.searchParams.get('userId') ?? '', socket: ws, lastSeen: Date.now(), window: { start: Date.now(), count: 0 } };
      connections.add(conn);
      log(`+ connection ${conn.id} group=${conn.groupId} user=${conn.userId} (${connections.size} open)`);
      ws.on('message', (data, isBinary) => receive(conn, /** @type {Buffer} */ (data), isBinary));
      ws.on('error', (err) => log(`connection ${conn.id}: ${err.message}`));
      ws.on('close', (code) => {
        connections.delete(conn);
        log(`- connection ${conn.id} closed ${code} (${connections.size} open)`);
      });
    });
  });

  /** @type {ReturnType<typeof setInterval>[]} */
  const timers = [];
  if (options.tickSeconds) {
    timers.push(setInterval(() => broadcast({ action: 'tick', message: new Date().toISOString() }), options.tickSeconds * 1000));
  }
  if (options.ping) {
    const { intervalSeconds, idleTimeoutSeconds } = options.ping;
    timers.push(
      setInterval(() => {
        for (const c of connections) {
          if (idleTimeoutSeconds && Date.now() - c.lastSeen > idleTimeoutSeconds * 1000) c.socket.close(4408, 'idle timeout');
          else sendTo(c, { action: 'ping' });
        }
      }, intervalSeconds * 1000),
    );
  }

  return {
    port,
    host,
    /** The page URL, ending in "/". */
    url: `${origin}/`,
    /** The WebSocket endpoint. */
    wsUrl: `ws://${host}:${port}/__initializeSocket.wc`,
    /** Upgrade requests seen and refused, for tests and benchmarks. */
    stats,
    broadcast,
    /** The open connections and who they are. */
    clients: () => [...connections].map(({ id, groupId, userId }) => ({ id, groupId, userId })),
    /**
     * Stops listening, so clients coming back are refused rather than accepted and cut; then
     * closes every socket with 1001 (going away) so clients reconnect, and ends the stragglers.
     */
    async close() {
      timers.forEach(clearInterval);
      const stopped = new Promise((r) => http.close(r));
      wss.close();
      for (const c of connections) c.socket.close(1001, 'server going away');
      await new Promise((r) => setTimeout(r, connections.size ? 50 : 0));
      for (const c of connections) c.socket.terminate();
      http.closeAllConnections();
      await stopped;
    },
  };
}

/** @typedef {Awaited<ReturnType<typeof createTestServer>>} TestServer */
