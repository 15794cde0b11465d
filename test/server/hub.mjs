// @ts-check
/**
 * The protocol hub: who is connected and as whom, what a frame from them means, and who receives
 * what. It knows nothing of HTTP; index.mjs hands it each accepted socket with its identity.
 *
 * To extend it per connection (a session, a sequence number), add the field to `Connection` in
 * `accept()`; every outgoing frame goes through `sendFrame` (send-path.mjs), every incoming one
 * through `receive()`.
 */
import { envelope, readEnvelope } from './envelope.mjs';
import { createHistory } from './history.mjs';
import { createRateLimit, rateLimitReason } from './rate-limit.mjs';
import { ConnectionIndex } from './routing.mjs';
import { createSendPath } from './send-path.mjs';

/** @typedef {import('./envelope.mjs').Envelope} Envelope */
/** @typedef {import('ws').WebSocket} WebSocket */
/** Who a connection is: decided when it connects, never by what its frames say. @typedef {{ groupId: string, userId: string }} Identity */
/**
 * One connected socket and its state.
 * @typedef {Identity & { id: number, socket: WebSocket, lastSeen: number, rate: import('./rate-limit.mjs').RateWindow }} Connection
 */
/**
 * What `onWebSocket` gets besides the message, in the spirit of the vendor's wwWebSocketMessage.
 * @typedef {object} SocketContext
 * @property {{ id: number, groupId: string, userId: string }} sender the connection that sent the message
 * @property {(msg: Partial<Envelope>) => number} broadcast routes `msg` by its recipients; returns how many got it
 * @property {(msg: Partial<Envelope>) => void} reply sends `msg` to the sender alone
 */
/** @typedef {(msg: Envelope, ctx: SocketContext) => void} OnWebSocket */

/**
 * @param {import('./options.mjs').ResolvedOptions & { onWebSocket: OnWebSocket }} options
 * @param {{ framesReceived: number, slowReaders: number, framesDropped: number }} stats counted here, read by tests and benchmarks
 * @param {(kind: string, line: string) => void} quietLog
 */
export function createHub(options, stats, quietLog) {
  const { onWebSocket, rateLimit, maxFrameBytes, historyActions } = options;
  const limits = { maxDepth: options.maxDepth, maxRecipients: options.maxRecipients };
  /** @type {ConnectionIndex<Connection>} */
  const connections = new ConnectionIndex();
  const overLimit = createRateLimit(rateLimit);
  const history = createHistory({ size: options.historySize, maxBytes: maxFrameBytes, maxGroups: options.maxHistoryGroups });
  const keeps = new Set(historyActions);
  const sendFrame = createSendPath({
    maxBufferedBytes: options.maxBufferedBytes,
    graceMs: options.slowReaderGraceMs,
    onSlowReader: () => {
      stats.slowReaders++;
      quietLog('slow reader', 'closed a slow reader (1013): its unsent frames passed maxBufferedBytes');
    },
  });
  let nextId = 1;

  /** @param {Connection} conn @param {Partial<Envelope>} msg */
  const sendTo = (conn, msg) => sendFrame(conn, JSON.stringify(envelope(msg)));

  /**
   * The group's history as one `initialmessages` frame, no larger than the frames clients may send.
   * @param {Connection} conn
   */
  const sendHistory = (conn) => {
    const frame = envelope({ action: 'initialmessages', message: '[]', groupId: conn.groupId });
    const past = history.replay(conn.groupId, maxFrameBytes - Buffer.byteLength(JSON.stringify(frame)));
    if (past) sendTo(conn, { ...frame, message: past });
  };

  /**
   * Routes a message to every connection its recipients select; keeps it in the history of the
   * groups it is addressed to when its action is one history keeps.
   * @param {Partial<Envelope>} msg
   * @returns {number} how many connections it was sent to
   */
  const broadcast = (msg) => {
    const full = envelope(msg);
    const groups = historyGroups(full);
    // Live and replayed copies carry the same server time, so a page can tell one it has already shown.
    if (groups.length) full.time = new Date().toISOString();
    const text = JSON.stringify(full);
    for (const g of groups) history.record(g, text);
    let sent = 0;
    for (const c of connections.route(full.recipients)) if (sendFrame(c, text)) sent++;
    return sent;
  };

  /**
   * History keeps a message addressed to groups only: one that excludes someone or names a user
   * is not for everyone who joins the group later.
   * @param {Envelope} msg
   */
  const historyGroups = (msg) =>
    options.historySize && keeps.has(msg.action) && msg.recipients.length && msg.recipients.every((r) => r.type === 'group')
      ? [...new Set(msg.recipients.map((r) => r.value))]
      : [];

  /** @param {Connection} conn @param {Buffer} data @param {boolean} isBinary */
  const receive = (conn, data, isBinary) => {
    if (conn.socket.readyState !== conn.socket.OPEN) return;
    conn.lastSeen = Date.now();
    const verdict = overLimit(conn.rate, conn.lastSeen);
    if (verdict !== 'ok') {
      stats.framesDropped++;
      if (verdict === 'first-drop' && rateLimit) sendTo(conn, { action: 'error', message: rateLimitReason(rateLimit) });
      return;
    }
    if (isBinary) return void sendFrame(conn, data, true);
    const read = readEnvelope(data.toString('utf8'), limits);
    if (!read.ok) return void sendTo(conn, { action: 'error', message: read.reason });
    const msg = read.envelope;
    if (msg.action === 'ping') return void sendTo(conn, { action: 'pong' });
    msg.groupId = conn.groupId;
    msg.userId = conn.userId;
    // `time` is the server's word on when it routed a message (history.mjs); a client does not set it.
    delete msg.time;
    try {
      onWebSocket(msg, { sender: { id: conn.id, groupId: conn.groupId, userId: conn.userId }, broadcast, reply: (m) => sendTo(conn, m) });
    } catch (err) {
      quietLog('onWebSocket threw', `onWebSocket threw: ${/** @type {Error} */ (err)?.stack ?? err}`);
      sendTo(conn, { action: 'error', message: `the server failed to handle this "${msg.action.slice(0, 40)}" message` });
    }
  };

  return {
    connections,
    broadcast,
    sendTo,
    /**
     * Takes an upgraded socket into the hub: registers it, wires its events, sends its group's
     * history.
     * @param {WebSocket} socket
     * @param {Identity} identity
     * @returns {Connection}
     */
    accept(socket, { groupId, userId }) {
      const now = Date.now();
      /** @type {Connection} */
      const conn = { id: nextId++, groupId, userId, socket, lastSeen: now, rate: { start: now, count: 0 } };
      connections.add(conn);
      socket.on('message', (data, isBinary) => {
        stats.framesReceived++;
        try {
          receive(conn, /** @type {Buffer} */ (data), isBinary);
        } catch (err) {
          quietLog('receive failed', `a frame from connection ${conn.id} failed: ${/** @type {Error} */ (err)?.stack ?? err}`);
          socket.close(1011, 'the server failed while handling this frame');
        }
      });
      // ws closes the connection itself on a protocol error (1002), an oversize frame (1009) or bad UTF-8 (1007).
      socket.on('error', (err) => quietLog('socket error', `connection ${conn.id}: ${err.message}`));
      socket.on('close', () => connections.delete(conn));
      if (conn.groupId) sendHistory(conn);
      return conn;
    },
  };
}

/** @typedef {ReturnType<typeof createHub>} Hub */
