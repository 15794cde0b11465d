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
import { createSessions, trailingSeq } from './resume.mjs';
import { ConnectionIndex } from './routing.mjs';
import { createSendPath } from './send-path.mjs';

/** The longest frame read as an acknowledgement before the rate limit: an ack with every field empty and the largest wcAck is 94. */
const ACK_MAX_CHARS = 160;

/** The close code of a socket whose session a newer link took over (docs/protocol.md, "Resume"). */
export const REPLACED_CODE = 4000;

/** @typedef {import('./envelope.mjs').Envelope} Envelope */
/** @typedef {import('ws').WebSocket} WebSocket */
/** Who a connection is: decided when it connects, never by what its frames say. @typedef {{ groupId: string, userId: string }} Identity */
/**
 * One connected socket and its state; with a resume session, the connection outlives its socket
 * for the session's time to live (frames routed to it meanwhile wait in the session's buffer).
 * @typedef {Identity & { id: number, socket: WebSocket, lastSeen: number, rate: import('./rate-limit.mjs').RateWindow, session?: import('./resume.mjs').Session }} Connection
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
  const { onWebSocket, rateLimit, maxFrameBytes, historyActions, resume } = options;
  const sessions = resume ? createSessions(resume) : undefined;
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
  /** The connection of each session it made: who may take the session over, and whose socket a newer link replaces. @type {WeakMap<import('./resume.mjs').Session, Connection>} */
  const holders = new WeakMap();

  /**
   * Every frame of a connection's conversation goes through here: with a session it is numbered
   * and kept for a replay, and it is kept even while the client is away.
   * @param {Connection} conn @param {string} text
   */
  const deliver = (conn, text) => sendFrame(conn, conn.session && sessions ? sessions.number(conn.session, text) : text);

  /** @param {Connection} conn @param {Partial<Envelope>} msg */
  const sendTo = (conn, msg) => deliver(conn, JSON.stringify(envelope(msg)));

  /** The resume layer's own frames: not numbered, not kept. @param {Connection} conn @param {Partial<Envelope>} msg */
  const sendControl = (conn, msg) => sendFrame(conn, JSON.stringify(envelope(msg)));

  /** Acknowledges what the session processed, a little later, so a burst of frames costs one ack. @param {Connection} conn */
  const ackSoon = (conn) => {
    const s = conn.session;
    if (!s || s.ackTimer) return;
    s.ackTimer = setTimeout(() => {
      s.ackTimer = undefined;
      if (conn.session === s) sendControl(conn, { action: 'wc:ack', wcAck: s.received });
    }, 10);
  };

  /**
   * Where a numbered frame from the client stands: 'new' is the next one (process it); a
   * duplicate is acknowledged again; one that skips ahead asks, once, for the missing one.
   * @param {Connection} conn @param {number} seq
   * @returns {'new' | 'old'}
   */
  const sequence = (conn, seq) => {
    const s = /** @type {import('./resume.mjs').Session} */ (conn.session);
    if (seq === s.received + 1) return 'new';
    if (seq > s.received && s.awaiting !== s.received + 1) {
      s.awaiting = s.received + 1;
      sendControl(conn, { action: 'wc:reject', message: `out of order: waiting for ${s.awaiting}`, wcRejected: s.awaiting, wcRetry: true });
    } else if (seq <= s.received) ackSoon(conn);
    return 'old';
  };

  /** The session processed (or refused for good) the frame `seq`. @param {Connection} conn @param {number} seq */
  const consumed = (conn, seq) => {
    const s = /** @type {import('./resume.mjs').Session} */ (conn.session);
    s.received = seq;
    ackSoon(conn);
  };

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
    for (const c of connections.route(full.recipients)) if (deliver(c, text)) sent++;
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
    const text = isBinary ? '' : data.toString('utf8');
    // A numbered frame is read for its number first: a duplicate costs nothing, and one the rate
    // limit drops is asked for again instead of lost.
    const seq = conn.session && !isBinary ? trailingSeq(text) : undefined;
    const old = seq !== undefined && sequence(conn, seq) === 'old';
    // A session's acknowledgement of our frames is not traffic: it frees our buffer, and were it
    // dropped, the rate limit would be what keeps the buffer full. Only a frame of an ack's size
    // passes this way (about 90 characters): a big one pays the rate limit like any other frame,
    // so a flood of them costs no more than any flood.
    const ack = !old && conn.session && !isBinary && text.length <= ACK_MAX_CHARS && text.startsWith('{"action":"wc:ack"') ? readEnvelope(text, limits) : undefined;
    if (ack?.ok && typeof ack.envelope.wcAck === 'number') return void sessions?.acknowledged(/** @type {import('./resume.mjs').Session} */ (conn.session), ack.envelope.wcAck);
    const verdict = overLimit(conn.rate, conn.lastSeen);
    // A duplicate (or one ahead of a gap) is not processed, but it is traffic like any other: it counts.
    if (old) return void (verdict !== 'ok' && stats.framesDropped++);
    if (verdict !== 'ok') {
      stats.framesDropped++;
      if (!rateLimit) return;
      if (seq === undefined) return void (verdict === 'first-drop' && sendTo(conn, { action: 'error', message: rateLimitReason(rateLimit) }));
      // Every numbered frame the limit drops is asked for again (once per frame number), so
      // none waits for a frame behind it to reveal the gap.
      const s = /** @type {import('./resume.mjs').Session} */ (conn.session);
      if (s.awaiting === seq) return;
      s.awaiting = seq;
      return void sendControl(conn, { action: 'wc:reject', message: rateLimitReason(rateLimit), wcRejected: seq, wcRetry: true });
    }
    if (isBinary) return void sendFrame(conn, data, true);
    const read = readEnvelope(text, limits);
    if (!read.ok) {
      if (seq === undefined) return void sendTo(conn, { action: 'error', message: read.reason });
      // Refused for good: the number is used up, so the frames behind it go on.
      consumed(conn, seq);
      return void sendControl(conn, { action: 'wc:reject', message: read.reason, wcRejected: seq, wcRetry: false });
    }
    const msg = read.envelope;
    if (seq !== undefined) consumed(conn, seq);
    delete msg.wcSeq;
    if (msg.action === 'ping') return void sendTo(conn, { action: 'pong' });
    if (msg.action.startsWith('wc:')) {
      // The client's acknowledgement of our frames; no client may speak the resume layer's language to others.
      if (msg.action === 'wc:ack' && conn.session && typeof msg.wcAck === 'number') sessions?.acknowledged(conn.session, msg.wcAck);
      return;
    }
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

  /**
   * A newer link took over the connection's session: its socket, if the server still thinks it is
   * open (a half-open leftover, or a client that reconnected without closing), is closed.
   * @param {Connection} conn
   */
  const replaced = (conn) => {
    if (conn.socket.readyState === conn.socket.OPEN) conn.socket.close(REPLACED_CODE, 'replaced by a newer link to this session');
  };

  /**
   * Wires a socket to its connection: frames in, and on close either the end of the connection or,
   * with a session, the session's wait for its client.
   * @param {Connection} conn @param {WebSocket} socket
   */
  const wire = (conn, socket) => {
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
    socket.on('close', () => {
      // A socket a newer link replaced (resumed on it, or started afresh) changes nothing by closing.
      if (conn.socket !== socket || !connections.all.has(conn)) return;
      if (conn.session && sessions) sessions.detached(conn.session, () => connections.delete(conn));
      else connections.delete(conn);
    });
  };

  return {
    connections,
    broadcast,
    sendTo,
    /**
     * Takes an upgraded socket into the hub: registers it (or resumes its session), wires its
     * events, sends `wc:hello` and the replay for a session, its group's history for a new one.
     * @param {WebSocket} socket
     * @param {Identity} identity
     * @param {URL} [url] the upgrade's URL: `wcSession` and `wcAck` ask for a resume
     * @returns {Connection}
     */
    accept(socket, { groupId, userId }, url) {
      const now = Date.now();
      const asked = url && sessions?.requested(url);
      /** @type {Connection | undefined} */
      let conn;
      if (asked && sessions) {
        const held = sessions.get(asked.id);
        const previous = held && holders.get(held);
        // Only the identity that holds a session takes it over, resumed or started afresh; another
        // one naming its id leaves that client alone and gets a session for this link only.
        const taken = previous && previous.groupId === groupId && previous.userId === userId ? previous : undefined;
        const replay = held && taken ? sessions.resume(held, asked.ack) : undefined;
        if (taken) replaced(taken);
        if (taken && replay) {
          conn = taken;
          conn.socket = socket;
          conn.lastSeen = now;
        } else {
          if (held && taken) {
            connections.delete(taken);
            sessions.forget(held);
          }
          const session = sessions.create(asked.id);
          conn = { id: nextId++, groupId, userId, socket, lastSeen: now, rate: { start: now, count: 0 }, session };
          holders.set(session, conn);
          connections.add(conn);
        }
        const session = /** @type {import('./resume.mjs').Session} */ (conn.session);
        // A new link: a refusal asked for on the old one is asked for again if it comes to that.
        session.awaiting = 0;
        wire(conn, socket);
        sendControl(conn, { action: 'wc:hello', wcResumed: !!replay, wcAck: session.received, wcReplay: replay?.length ?? 0 });
        for (const text of replay ?? []) sendFrame(conn, text);
        if (!replay && conn.groupId) sendHistory(conn);
        return conn;
      }
      conn = { id: nextId++, groupId, userId, socket, lastSeen: now, rate: { start: now, count: 0 } };
      connections.add(conn);
      wire(conn, socket);
      if (conn.groupId) sendHistory(conn);
      return conn;
    },

    /** Connections whose socket is open (a session waiting for its client has none). */
    live() {
      return [...connections.all].filter((c) => c.socket.readyState === c.socket.OPEN);
    },

    /** Resume sessions in memory, live or waiting. */
    get sessions() {
      return sessions?.size ?? 0;
    },

    close() {
      sessions?.close();
    },
  };
}

/** @typedef {ReturnType<typeof createHub>} Hub */
