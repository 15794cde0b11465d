// @ts-check
/**
 * `POST …__broadcastWebSocket.wc`: server-side code (the vendor's FoxPro
 * `wwWebSocket.BroadcastMessage`, `npm run broadcast`) pushes one envelope to the sockets.
 *
 * Any web page can make a browser send a form or `text/plain` POST anywhere, with the user's
 * cookies and network position. So the endpoint takes `application/json` only (a cross-site page
 * cannot send that without a CORS preflight, which this server never grants), checks Origin as the
 * upgrade does, and needs the token unless the server listens on loopback only. What gets through
 * is trusted server-side code: it may set `groupId` and `userId` as it likes.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readEnvelope } from './envelope.mjs';
import { readBody } from './read-body.mjs';

/** @typedef {import('node:http').IncomingMessage} IncomingMessage */
/** @typedef {import('node:http').ServerResponse} ServerResponse */

/**
 * @param {{
 *   maxFrameBytes: number, maxDepth: number, maxRecipients: number, broadcastToken: string | undefined,
 *   loopbackOnly: boolean, host: string, originAllowed: (origin: string | undefined) => boolean,
 *   broadcast: (msg: import('./envelope.mjs').Envelope) => number,
 * }} options
 * @returns {(req: IncomingMessage, res: ServerResponse) => Promise<void>}
 */
export function broadcastEndpoint(options) {
  const { maxFrameBytes, broadcastToken, loopbackOnly, originAllowed, broadcast } = options;
  const limits = { maxDepth: options.maxDepth, maxRecipients: options.maxRecipients };
  const expected = broadcastToken === undefined ? undefined : digest(`Bearer ${broadcastToken}`);
  return async (req, res) => {
    /** @param {number} status @param {object} body @param {Record<string, string>} [headers] */
    const answer = (status, body, headers = {}) => void res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    if (req.method !== 'POST') return answer(405, { error: `use POST, not ${req.method}` }, { allow: 'POST' });
    if (!originAllowed(req.headers.origin)) return answer(403, { error: `origin ${req.headers.origin} may not broadcast` });
    if (expected) {
      // Compared as digests of equal length, so the time taken says nothing about the token.
      if (!timingSafeEqual(digest(req.headers.authorization ?? ''), expected)) {
        return answer(401, { error: 'missing or wrong Authorization: Bearer <token>' }, { 'www-authenticate': 'Bearer' });
      }
    } else if (!loopbackOnly) {
      return answer(403, { error: `this server listens on ${options.host}, beyond loopback: the broadcast endpoint needs a token (BROADCAST_TOKEN)` });
    }
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type !== 'application/json') {
      return answer(415, { error: `Content-Type must be application/json, got ${type ? JSON.stringify(type.slice(0, 60)) : 'none'}` }, { accept: 'application/json' });
    }
    const body = await readBody(req, maxFrameBytes);
    if (!body.ok) {
      // Nobody is left to answer when the client went away; an unread body must not be waited for.
      if (body.status === 0) return;
      return answer(body.status, { error: body.reason }, { connection: 'close' });
    }
    const read = readEnvelope(body.text, limits);
    if (!read.ok) return answer(400, { error: read.reason });
    answer(200, { delivered: broadcast(read.envelope) });
  };
}

/** @param {string} text */
const digest = (text) => createHash('sha256').update(text).digest();
