// @ts-check
/**
 * The guard in front of the WebSocket upgrade: path, Origin, capacity, identity, in that order.
 * Every refusal is an HTTP status whose body says what was wrong; whatever the request holds, the
 * guard answers it rather than throw (a throw in an 'upgrade' listener ends the process).
 */
import { answerOnSocket } from './http-requests.mjs';
import { parseRequestTarget } from './request-target.mjs';

/** @typedef {import('./hub.mjs').Identity} Identity */
/** @typedef {import('node:http').IncomingMessage} IncomingMessage */
/** @typedef {import('node:stream').Duplex} Duplex */

const IS_SOCKET_PATH = /__initializesocket\.wc$/i;

/**
 * The default identity: the `groupId` and `userId` query parameters, as the vendor's client sends
 * them. A real application would read a session cookie or a token here instead.
 * @param {IncomingMessage} _req
 * @param {URL} url
 * @returns {Identity}
 */
export const identityFromQuery = (_req, url) => ({ groupId: url.searchParams.get('groupId') ?? '', userId: url.searchParams.get('userId') ?? '' });

/**
 * @param {{
 *   originAllowed: (origin: string | undefined) => boolean,
 *   maxConnections: number,
 *   openConnections: () => number,
 *   identify: (req: IncomingMessage, url: URL) => Identity | null | Promise<Identity | null>,
 *   upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer, identity: Identity, url: URL) => void,
 *   stats: { upgrades: number, rejected: number },
 *   quietLog: (kind: string, line: string) => void,
 * }} options
 * @returns {(req: IncomingMessage, socket: Duplex, head: Buffer) => void} the server's 'upgrade' listener
 */
export function upgradeGuard({ originAllowed, maxConnections, openConnections, identify, upgrade, stats, quietLog }) {
  /** @param {Duplex} socket @param {number} status @param {string} title @param {string} reason */
  const refuse = (socket, status, title, reason) => {
    stats.rejected++;
    answerOnSocket(socket, status, title, reason);
  };

  /** @param {IncomingMessage} req @param {Duplex} socket @param {Buffer} head */
  const guard = async (req, socket, head) => {
    const url = parseRequestTarget(req.url);
    if (!url) return refuse(socket, 400, 'Bad Request', 'the request-target is not a valid path');
    if (!IS_SOCKET_PATH.test(url.pathname)) return refuse(socket, 404, 'Not Found', 'the WebSocket endpoint is …/__initializeSocket.wc');
    const from = req.headers.origin;
    if (!originAllowed(from)) return refuse(socket, 403, 'Forbidden', `origin ${from} is not allowed`);
    if (openConnections() >= maxConnections) return refuse(socket, 503, 'Service Unavailable', `connection limit ${maxConnections} reached`);
    const identity = await identify(req, url);
    if (!identity) return refuse(socket, 401, 'Unauthorized', 'the server does not know who this connection is');
    // The client may have gone while identify() ran.
    if (socket.destroyed) return;
    upgrade(req, socket, head, { groupId: String(identity.groupId ?? ''), userId: String(identity.userId ?? '') }, url);
  };

  return (req, socket, head) => {
    stats.upgrades++;
    // A client that resets mid-handshake makes the raw socket emit 'error': unheard, it would be fatal.
    socket.on('error', () => {});
    guard(req, socket, head).catch((err) => {
      quietLog('upgrade failed', `an upgrade failed: ${/** @type {Error} */ (err)?.stack ?? err}`);
      refuse(socket, 500, 'Internal Server Error', 'the server failed while accepting this connection');
    });
  };
}
