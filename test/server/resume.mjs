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
 * A session is its identity's: who may take it over is the hub's call (hub.mjs, `accept()`).
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
 * The store keeps at most `maxSessions` sessions, one per id. A session it does not keep (its id
 * is another client's, or every kept session is live) still numbers frames both ways, but only for
 * its link: nobody can resume it, and it ends with its link.
 * @param {{ bufferFrames: number, bufferBytes: number, ttlSeconds: number, maxSessions: number }} limits
 */
export function createSessions({ bufferFrames, bufferBytes, ttlSeconds, maxSessions }) {
  /** @type {Map<string, Session>} */
  const sessions = new Map();
  /** The kept sessions whose client is away, the one away longest first, each with what its expiry also ends. @type {Map<Session, () => void>} */
  const away = new Map();

  /** @param {Session} s */
  const holds = (s) => sessions.get(s.id) === s;

  /** Ends a session: the store lets it go (if it is the one it keeps under its id), timers and all. @param {Session} s */
  const forget = (s) => {
    clearTimeout(s.expiry);
    clearTimeout(s.ackTimer);
    s.expiry = s.ackTimer = undefined;
    away.delete(s);
    if (holds(s)) sessions.delete(s.id);
  };

  /** The end of a session whose client stayed away: at its time to live, or evicted to make room. @param {Session} s */
  const expire = (s) => {
    const onExpiry = away.get(s);
    forget(s);
    onExpiry?.();
  };

  return {
    /** A well-formed session id from the upgrade's query, else undefined (no resume). @param {URL} url */
    requested(url) {
      const id = url.searchParams.get('wcSession') ?? '';
      const ack = Number(url.searchParams.get('wcAck') ?? 0);
      return VALID_ID.test(id) ? { id, ack: Number.isSafeInteger(ack) && ack >= 0 ? ack : 0 } : undefined;
    },

    /** The session the store keeps under `id`, if any. @param {string} id */
    get(id) {
      return sessions.get(id);
    },

    /** Whether the store keeps this session (it is the one under its id). */
    holds,

    /**
     * Resumes a kept session for a client that got everything up to `ack`, when every frame it
     * missed is still in the buffer: returns them, in order, and the session is no longer away.
     * Otherwise returns undefined and changes nothing.
     * @param {Session} s @param {number} ack
     * @returns {string[] | undefined}
     */
    resume(s, ack) {
      const oldest = s.buffer[0]?.[0] ?? s.sent + 1;
      if (!holds(s) || ack > s.sent || ack + 1 < oldest) return undefined;
      clearTimeout(s.expiry);
      s.expiry = undefined;
      away.delete(s);
      return s.buffer.filter(([seq]) => seq > ack).map(([, text]) => text);
    },

    /**
     * A new session under `id`, kept when the id is free and there is room: at `maxSessions` the
     * session away longest expires to make it. When the id is taken or every kept session is
     * live, the new one is not kept (it lasts as long as its link).
     * @param {string} id
     * @returns {Session}
     */
    create(id) {
      /** @type {Session} */
      const s = { id, received: 0, sent: 0, buffer: [], bytes: 0, awaiting: 0, ackTimer: undefined, expiry: undefined };
      if (sessions.has(id)) return s;
      if (sessions.size >= maxSessions) {
        const [longestAway] = away.keys();
        if (!longestAway) return s;
        expire(longestAway);
      }
      sessions.set(id, s);
      return s;
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

    /**
     * The link dropped: a kept session waits `ttlSeconds` for its client to come back, then expires
     * (`onExpiry` runs then, also when it is evicted to make room). A session the store does not
     * keep ends now.
     * @param {Session} s @param {() => void} onExpiry
     */
    detached(s, onExpiry) {
      clearTimeout(s.ackTimer);
      s.ackTimer = undefined;
      if (!holds(s)) return void (forget(s), onExpiry());
      clearTimeout(s.expiry);
      away.delete(s);
      away.set(s, onExpiry);
      s.expiry = setTimeout(() => expire(s), ttlSeconds * 1000);
      s.expiry.unref?.();
    },

    /** Ends a session now, without its expiry's `onExpiry`: its client is back on a new one. */
    forget,

    get size() {
      return sessions.size;
    },

    close() {
      for (const s of [...sessions.values()]) forget(s);
    },
  };
}

/** The number the resume layer appended to a frame (`…,"wcSeq":17}`), also when the rest does not parse. @param {string} text */
export const trailingSeq = (text) => {
  const m = /,"wcSeq":(\d{1,15})\}$/.exec(text);
  return m ? Number(m[1]) : undefined;
};

/** @typedef {ReturnType<typeof createSessions>} Sessions */
