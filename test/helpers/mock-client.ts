import { Server, WebSocket as MockWebSocket } from 'mock-socket';
import { afterEach } from 'vitest';
import { WebConnectionWebSocket, type CloseEventLike, type Envelope, type StateChange, type WebConnectionError, type WebConnectionOptions } from '../../src/index';

/** A mock-socket server connection as the tests drive it. */
export type MockServerSocket = {
  send(d: string | ArrayBuffer): void;
  close(o?: { code: number; reason: string; wasClean: boolean }): void;
};

let n = 0;

/**
 * An SDK client against a mock-socket server, for unit tests of timing and edge cases (real
 * sockets and the real server are for the integration tests). Records everything the client
 * reports; counts every socket the transport builds, whether a server listens or not. Every
 * client and server made is closed after each test.
 * @example const t = mockClients.make({ reconnect: { retryDelay: () => 10 } }); t.listen(); t.socket.tryConnect();
 */
export function useMockClients() {
  const made: (() => void)[] = [];
  afterEach(() => made.splice(0).forEach((c) => c()));
  return {
    make(options: WebConnectionOptions = {}, WebSocketBase: typeof MockWebSocket = MockWebSocket) {
      const url = `ws://mock-${++n}.test/__initializeSocket.wc`;
      let attempts = 0;
      const Counting = class extends WebSocketBase {
        constructor(u: string | URL, p?: string | string[]) {
          super(u, p);
          attempts++;
        }
      };
      const socket = new WebConnectionWebSocket({ url, WebSocket: Counting, reconnect: { retryDelay: () => 10 }, ...options });
      const seen = { changes: [] as StateChange[], errors: [] as WebConnectionError[], closes: [] as CloseEventLike[], messages: [] as Envelope[], opens: 0 };
      socket.onStateChange = (c) => seen.changes.push(c);
      socket.onErrorHandler = (e) => seen.errors.push(e);
      socket.onCloseHandler = (ev) => seen.closes.push(ev);
      socket.onMessageHandler = (m) => seen.messages.push(m);
      socket.onOpenHandler = () => seen.opens++;
      let server: Server | undefined;
      const connections: MockServerSocket[] = [];
      /** Text frames as received, binary ones as byte arrays. */
      const frames: (string | number[])[] = [];
      const listen = () => {
        server = new Server(url);
        server.on('connection', (s) => {
          connections.push(s as unknown as MockServerSocket);
          s.on('message', (d) => frames.push(typeof d === 'string' ? d : [...new Uint8Array(d as ArrayBuffer)]));
        });
      };
      const stopServer = () => {
        server?.close({ code: 1001, reason: 'server going away', wasClean: true });
        server?.stop();
        server = undefined;
      };
      made.push(() => {
        socket.close();
        stopServer();
      });
      return {
        url,
        socket,
        seen,
        connections,
        frames,
        listen,
        stopServer,
        attempts: () => attempts,
        states: () => seen.changes.map((c) => c.state),
        codes: () => seen.errors.map((e) => e.code),
      };
    },
  };
}
