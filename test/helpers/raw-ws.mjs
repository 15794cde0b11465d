// @ts-check
/**
 * A WebSocket client written at the byte level, for what a well-behaved library will not do: send
 * malformed frames, or stop reading (a slow reader) while it keeps sending. It speaks to
 * 127.0.0.1 only.
 */
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';

/** @typedef {{ opcode: number, payload: Buffer }} Frame */

export const OPCODE = /** @type {const} */ ({ text: 1, binary: 2, close: 8, ping: 9 });

/**
 * One client frame (masked, as RFC 6455 requires of clients), FIN set unless `fin` is false.
 * @param {number} opcode
 * @param {Buffer | string} data
 * @param {{ fin?: boolean, rsv?: number }} [bits]
 */
export function clientFrame(opcode, data, { fin = true, rsv = 0 } = {}) {
  const payload = typeof data === 'string' ? Buffer.from(data) : data;
  const n = payload.length;
  const lengthBytes = n < 126 ? 0 : n < 65536 ? 2 : 8;
  const head = Buffer.alloc(2 + lengthBytes + 4);
  head[0] = (fin ? 0x80 : 0) | (rsv << 4) | opcode;
  head[1] = 0x80 | (n < 126 ? n : n < 65536 ? 126 : 127);
  if (lengthBytes === 2) head.writeUInt16BE(n, 2);
  if (lengthBytes === 8) head.writeBigUInt64BE(BigInt(n), 2);
  const mask = randomBytes(4);
  mask.copy(head, 2 + lengthBytes);
  const masked = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) masked[i] = payload[i] ^ mask[i & 3];
  return Buffer.concat([head, masked]);
}

/**
 * Reads server frames (unmasked) out of a byte stream; keeps what is incomplete for the next call.
 */
export function frameReader() {
  let pending = Buffer.alloc(0);
  /** @param {Buffer} chunk @returns {Frame[]} */
  return (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    /** @type {Frame[]} */
    const frames = [];
    for (;;) {
      if (pending.length < 2) break;
      let length = pending[1] & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (pending.length < 4) break;
        length = pending.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (pending.length < 10) break;
        length = Number(pending.readBigUInt64BE(2));
        offset = 10;
      }
      if (pending.length < offset + length) break;
      frames.push({ opcode: pending[0] & 0x0f, payload: pending.subarray(offset, offset + length) });
      pending = pending.subarray(offset + length);
    }
    return frames;
  };
}

/**
 * Opens a TCP connection to 127.0.0.1:`port`, performs the upgrade handshake by hand and resolves
 * once the server has answered 101. Reading is paused from then on: call `resume()` to read frames.
 * @param {number} port
 * @param {string} [path]
 * @returns {Promise<RawWebSocket>}
 */
export function openRawWebSocket(port, path = '/__initializeSocket.wc') {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let head = Buffer.alloc(0);
    const fail = (/** @type {Error} */ err) => reject(err);
    socket.once('error', fail);
    socket.once('connect', () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    });
    /** @param {Buffer} chunk */
    const onData = (chunk) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData).off('error', fail).pause();
      const status = head.subarray(0, head.indexOf('\r\n')).toString();
      if (!/^HTTP\/1\.1 101 /.test(status)) return reject(new Error(`upgrade refused: ${status}`));
      // Writes may fail once the server cuts the link; the caller learns it from `write()`.
      socket.on('error', () => {});
      const read = frameReader();
      const leftover = head.subarray(end + 4);
      resolve({
        socket,
        /**
         * Writes bytes; resolves when they are handed to the kernel, false when the link is gone.
         * @param {Buffer} bytes
         * @returns {Promise<boolean>}
         */
        write: (bytes) => new Promise((done) => {
          if (socket.destroyed) return done(false);
          socket.write(bytes, (err) => done(!err));
        }),
        /**
         * Starts reading: every frame the server sent so far and later goes to `onFrame`.
         * @param {(frame: Frame) => void} onFrame
         */
        resume(onFrame) {
          read(leftover).forEach(onFrame);
          socket.on('data', (c) => read(c).forEach(onFrame)).resume();
        },
        close: () => socket.destroy(),
      });
    };
    socket.on('data', onData);
  });
}

/** @typedef {{ socket: import('node:net').Socket, write(bytes: Buffer): Promise<boolean>, resume(onFrame: (frame: Frame) => void): void, close(): void }} RawWebSocket */
