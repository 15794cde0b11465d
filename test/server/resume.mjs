// @ts-check
/**
 * The resume extension (docs/protocol.md, "Resume"): ours, not the vendor's. A client that names a
 * session in its upgrade (`wcSession`, and `wcAck`, the last frame of ours it got) is greeted with
 * `wc:hello`; from then on both sides number their frames (`wcSeq`) and acknowledge what they got
 * (`wc:ack`, cumulative), so nothing is lost or doubled across a dropped link:
 * - frames from the client are processed once each, in order: a number already seen is a
 *   duplicate (dropped, acknowledged again), one that skips ahead waits for the missing one
 *   (`wc:reject` naming it in `wcRejected`, with `wcRetry`), one the server refuses for good is
 *   consumed (`wc:reject` without `wcRetry`);
 * - frames to the client are kept in a bounded buffer, also while the client is away (up to
 *   `ttlSeconds` after its link dropped), and replayed after what it says it got. When the buffer
 *   no longer reaches that far back, or the session is unknown (expired, a server restart), the
 *   hello says `wcResumed: false` and the session starts afresh: the client tells its app.
 * Session state lives in memory only.
 */

/** @typedef {import('ws').WebSocket} WebSocket */

/**
 * One session: what it received from its client, what it sent, and the frames it may replay.
 * @typedef {object} Session
 * @property {string} id
 * @property {number} received the last client frame processed (cumulative)
 * @property {number} sent the last frame numbered for the client
 * @property {[number, string][]} buffer numbered frames not yet acknowledged, oldest first
 * @property {number} bytes the buffer's size in UTF-16 code units (close enough to bytes for a bound)
 * @property {number} awaiting the number a `wcRetry` reject asked for, so a stream of frames behind a gap gets one reject, not one each
 * @property {ReturnType<typeof setTimeout> | undefined} ackTimer
 * @property {ReturnType<typeof setTimeout> | undefined} expiry
 */

/** A session id the client made: random, URL-safe, not absurdly long. */
const VALID_ID = /^[\w-]{8,64}$/;

/**
 * @param {{ bufferFrames: number, bufferBytes: number, ttlSeconds: number, maxSessions: number }} limits
 */
export function createSessions({ bufferFrames, bufferBytes, ttlSeconds, maxSessions }) {
  /** @type {Map<string, Session>} */
  const sessions = new Map();

  /** @param {string} id @returns {Session} */
  const fresh = (id) => ({ id, received: 0, sent: 0, buffer: [], bytes: 0, awaiting: 0, ackTimer: undefined, expiry: undefined });

  return {
    /** A well-formed session id from the upgrade's query, else undefined (no resume). @param {URL} url */
    requested(url) {
      const id = url.searchParams.get('wcSession') ?? '';
      const ack = Number(url.searchParams.get('wcAck') ?? 0);
      return VALID_ID.test(id) ? { id, ack: Number.isSafeInteger(ack) && ack >= 0 ? ack : 0 } : undefined;
    },

    /**
     * The session a connection resumes, or a new one. `resumed` is true only when every frame the
     * client missed (after `ack`) is still in the buffer: then `replay` holds them, in order.
     * `known(session)` says whether the session may be taken over (the same identity).
     * @param {string} id @param {number} ack @param {(session: Session) => boolean} known
     */
    open(id, ack, known) {
      let s = sessions.get(id);
      clearTimeout(s?.expiry);
      const oldest = s?.buffer[0]?.[0] ?? (s ? s.sent + 1 : 0);
      const resumed = !!s && known(s) && ack <= s.sent && ack + 1 >= oldest;
      if (!s || !resumed) {
        if (s) clearTimeout(s.ackTimer);
        s = fresh(id);
        sessions.delete(id);
        // Bounded: the oldest session goes first.
        if (sessions.size >= maxSessions) this.forget(/** @type {Session} */ (sessions.values().next().value));
        sessions.set(id, s);
      }
      const replay = resumed ? s.buffer.filter(([seq]) => seq > ack).map(([, text]) => text) : [];
      return { session: s, resumed, replay };
    },

    /**
     * Numbers a frame for the session and keeps it for a replay; returns the numbered text.
     * @param {Session} s @param {string} text a JSON object
     */
    number(s, text) {
      const seq = ++s.sent;
      const numbered = `${text.slice(0, -1)},"wcSeq":${seq}}`;
      s.buffer.push([seq, numbered]);
      s.bytes += numbered.length;
      // Past the bound the oldest go: a resume that would need them gets wcResumed: false.
      while (s.buffer.length > bufferFrames || s.bytes > bufferBytes) s.bytes -= /** @type {[number, string]} */ (s.buffer.shift())[1].length;
      return numbered;
    },

    /** The client got everything up to `ack`: those frames need no replay. @param {Session} s @param {number} ack */
    acknowledged(s, ack) {
      while (s.buffer.length && s.buffer[0][0] <= ack) s.bytes -= /** @type {[number, string]} */ (s.buffer.shift())[1].length;
    },

    /** The link dropped: the session waits `ttlSeconds` for its client to come back. @param {Session} s @param {() => void} onExpiry */
    detached(s, onExpiry) {
      clearTimeout(s.ackTimer);
      s.ackTimer = undefined;
      s.expiry = setTimeout(() => {
        this.forget(s);
        onExpiry();
      }, ttlSeconds * 1000);
      s.expiry.unref?.();
    },

    /**
     * Ends a session's timers; the store lets it go only if it is still the one under its id (a
     * session a newer one replaced must not take the newer one with it).
     * @param {Session} s
     */
    forget(s) {
      clearTimeout(s.expiry);
      clearTimeout(s.ackTimer);
      s.expiry = s.ackTimer = undefined;
      if (sessions.get(s.id) === s) sessions.delete(s.id);
    },

    get size() {
      return sessions.size;
    },

    close() {
      for (const s of [...sessions.values()]) this.forget(s);
    },
  };
}

/** The number the resume layer appended to a frame (`…,"wcSeq":17}`), also when the rest does not parse. @param {string} text */
export const trailingSeq = (text) => {
  const m = /,"wcSeq":(\d{1,15})\}$/.exec(text);
  return m ? Number(m[1]) : undefined;
};

/** @typedef {ReturnType<typeof createSessions>} Sessions */
