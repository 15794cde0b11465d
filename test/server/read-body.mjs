// @ts-check
/**
 * Reads a request body up to a size bound, and settles however the client behaves: too big
 * (refused as soon as Content-Length or the bytes so far say so), aborted mid-body, or broken.
 */

/**
 * @typedef {{ ok: true, text: string }
 *   | { ok: false, status: 413, reason: string }
 *   | { ok: false, status: 0, reason: string }} BodyResult status 0: the client went away, there is no one to answer
 */

/**
 * @param {import('node:http').IncomingMessage} req
 * @param {number} maxBytes
 * @returns {Promise<BodyResult>}
 */
export function readBody(req, maxBytes) {
  // A reset that comes after the body was read must not surface as an unhandled 'error'.
  req.on('error', () => {});
  const declared = Number(req.headers['content-length']);
  if (declared > maxBytes) return Promise.resolve({ ok: false, status: 413, reason: `body of ${declared} bytes is larger than ${maxBytes}` });
  return new Promise((resolve) => {
    /** @type {Buffer[]} */
    const chunks = [];
    let size = 0;
    let settled = false;
    /** @param {BodyResult} result */
    const settle = (result) => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      resolve(result);
    };
    /** @param {Buffer} chunk */
    const onData = (chunk) => {
      size += chunk.length;
      if (size <= maxBytes) return void chunks.push(chunk);
      req.pause();
      settle({ ok: false, status: 413, reason: `body larger than ${maxBytes} bytes` });
    };
    req.on('data', onData);
    req.once('end', () => settle({ ok: true, text: Buffer.concat(chunks).toString('utf8') }));
    req.once('error', (err) => settle({ ok: false, status: 0, reason: `the body could not be read: ${err.message}` }));
    req.once('close', () => settle({ ok: false, status: 0, reason: 'the client went away before the body ended' }));
  });
}
