// @ts-check
/**
 * The one way a frame reaches a connection. Whatever is added later per frame (sequence numbers,
 * acknowledgements, a replay buffer) belongs here, so no send can go around it.
 *
 * It also holds the backpressure rule: `ws` buffers whatever the kernel will not take, without
 * limit, so a client that stops reading would grow the server's memory with every frame routed to
 * it. A connection with more than `maxBufferedBytes` waiting is closed with 1013 (try again
 * later: a page on a slow link comes back and gets the history), and its TCP link is cut after
 * `graceMs` if the close cannot get through either.
 */

/** @typedef {import('ws').WebSocket} WebSocket */
/** @typedef {{ socket: WebSocket }} Sendable */

export const SLOW_READER_CODE = 1013;

/**
 * @param {{ maxBufferedBytes: number, graceMs: number, onSlowReader?: (conn: Sendable) => void }} options
 * @returns {(conn: Sendable, data: string | Buffer, binary?: boolean) => boolean} sends one frame; false when the connection is not open or was just closed as a slow reader
 */
export function createSendPath({ maxBufferedBytes, graceMs, onSlowReader = () => {} }) {
  return (conn, data, binary = false) => {
    const { socket } = conn;
    if (socket.readyState !== socket.OPEN) return false;
    if (socket.bufferedAmount > maxBufferedBytes) {
      socket.close(SLOW_READER_CODE, `slow reader: over ${maxBufferedBytes} bytes waiting to be sent`);
      setTimeout(() => socket.terminate(), graceMs).unref();
      onSlowReader(conn);
      return false;
    }
    socket.send(data, { binary });
    return true;
  };
}
