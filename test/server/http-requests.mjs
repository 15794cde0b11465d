// @ts-check
/**
 * Plain HTTP requests: the broadcast endpoint, static files, 404 for the rest. Every request is
 * answered whatever it holds; one that fails inside gets 500 and the process carries on.
 */
import { parseRequestTarget } from './request-target.mjs';

/** @typedef {import('node:http').IncomingMessage} IncomingMessage */
/** @typedef {import('node:http').ServerResponse} ServerResponse */

const IS_BROADCAST_PATH = /__broadcastwebsocket\.wc$/i;

/**
 * @param {{
 *   broadcast: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
 *   serveStatic: ((pathname: string) => Promise<{ status: number, type: string, body: Buffer | string }>) | undefined,
 *   quietLog: (kind: string, line: string) => void,
 * }} handlers
 * @returns {(req: IncomingMessage, res: ServerResponse) => void} the server's 'request' listener
 */
export function requestHandler({ broadcast, serveStatic, quietLog }) {
  /** @param {ServerResponse} res @param {number} status @param {string} text */
  const plain = (res, status, text) => void res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(`${text}\n`);

  /** @param {IncomingMessage} req @param {ServerResponse} res */
  const handle = async (req, res) => {
    const url = parseRequestTarget(req.url);
    if (!url) return plain(res, 400, 'bad request-target: expected a path such as /index.html');
    if (IS_BROADCAST_PATH.test(url.pathname)) return broadcast(req, res);
    if (serveStatic && (req.method === 'GET' || req.method === 'HEAD')) {
      const file = await serveStatic(url.pathname);
      res.writeHead(file.status, { 'content-type': file.type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
      return void res.end(req.method === 'HEAD' ? undefined : file.body);
    }
    plain(res, 404, 'not found');
  };

  return (req, res) => {
    // Resets on either side must not be unhandled 'error' events.
    req.on('error', () => {});
    res.on('error', () => {});
    handle(req, res).catch((err) => {
      quietLog('request failed', `${req.method} failed: ${/** @type {Error} */ (err)?.stack ?? err}`);
      if (!res.headersSent) plain(res, 500, 'the server failed while answering this request');
      else res.destroy();
    });
  };
}

/**
 * Answers what Node's parser refuses (a malformed request line, oversized headers) with a status
 * and a reason, instead of a bare 400.
 * @param {Error & { code?: string }} err
 * @param {import('node:stream').Duplex} socket
 */
export function answerClientError(err, socket) {
  const [status, title, reason] =
    err.code === 'HPE_HEADER_OVERFLOW' ? [431, 'Request Header Fields Too Large', 'the request headers are too large']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, 'Request Timeout', 'the request took too long to arrive']
        : [400, 'Bad Request', `the request could not be parsed (${err.code ?? 'malformed'})`];
  answerOnSocket(socket, /** @type {number} */ (status), String(title), String(reason));
}

/**
 * Writes a whole HTTP answer on a socket no ServerResponse owns (a refused upgrade, a request
 * Node could not parse) and closes it.
 * @param {import('node:stream').Duplex} socket
 * @param {number} status
 * @param {string} title the status text
 * @param {string} reason what was wrong, for the body
 */
export function answerOnSocket(socket, status, title, reason) {
  if (!socket.writable) return void socket.destroy();
  const body = `${title}: ${reason}\n`;
  socket.end(`HTTP/1.1 ${status} ${title}\r\ncontent-type: text/plain; charset=utf-8\r\nconnection: close\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}
