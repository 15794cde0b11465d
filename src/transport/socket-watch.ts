import type { CloseInfo, WebSocketConstructor } from '../options';

/** What happened to one socket, seen by listeners that are never removed. */
export interface SocketWatch {
  readonly socket: WebSocket;
  opened: boolean;
  errored: boolean;
}

const ignore = () => {};

/**
 * Starts watching a new socket. The permanent `error` listener matters on Node: the `ws` package
 * throws "WebSocket was closed before the connection was established" as an uncaught error when a
 * connecting socket is closed and nobody listens for `error` (reconnecting-websocket #183).
 */
export function watchSocket(socket: WebSocket): SocketWatch {
  const watch: SocketWatch = { socket, opened: false, errored: false };
  socket.binaryType = 'arraybuffer';
  socket.addEventListener('error', () => {
    watch.errored = true;
  });
  socket.addEventListener('error', ignore);
  socket.addEventListener('open', () => {
    watch.opened = true;
  });
  return watch;
}

/**
 * The truth about a close. A failed attempt, or a link that broke with an error, is reported as
 * 1006 (abnormal) even when the event says otherwise: reconnecting-websocket reports both as a
 * clean close with code 1000.
 */
export function describeClose(watch: SocketWatch, event: { code?: number; reason?: string; wasClean?: boolean }, timeoutMs: number): CloseInfo {
  if (!watch.opened || watch.errored) {
    const reason = watch.opened
      ? 'the connection broke'
      : event.reason === 'timeout'
        ? `no answer within ${timeoutMs} ms`
        : event.reason || 'the server refused or dropped the connection';
    return { code: 1006, reason, wasClean: false, opened: watch.opened };
  }
  return { code: event.code ?? 1005, reason: event.reason ?? '', wasClean: event.wasClean ?? true, opened: true };
}

/** Closes a socket without ever throwing (a CONNECTING `ws` socket may throw on close with a code). */
export function closeQuietly(socket: WebSocket | undefined, code?: number, reason?: string): void {
  try {
    socket?.close(code, reason);
  } catch {
    try {
      socket?.close();
    } catch {
      /* already closed */
    }
  }
}

/** A subclass of `Base` whose instances are watched from birth, for transports that construct sockets themselves. */
export function watchedWebSocketClass(Base: WebSocketConstructor, onCreate: (watch: SocketWatch) => void): WebSocketConstructor {
  return class extends (Base as unknown as { new (url: string, protocols?: string | string[]): WebSocket }) {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols);
      onCreate(watchSocket(this));
    }
  } as unknown as WebSocketConstructor;
}
