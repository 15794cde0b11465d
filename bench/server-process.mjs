// @ts-check
/**
 * The test server alone in a child process, so that what the clients cost is measured apart from
 * what the server costs (CPU, heap), and each can use a core. Started by {@link serverProcess}.
 *
 * The server's broadcast time is taken from `ws` itself: the first `send` after `armSendLoop`
 * marks the start, and a microtask queued there runs when the synchronous task that sends to every
 * recipient is over. That needs no hook in the server and costs one clock read per broadcast.
 */
import { WebSocket } from 'ws';
import { child, serve, sleep } from './lib.mjs';
import { createTestServer, defaultOnWebSocket } from './test-server.mjs';

/** @typedef {import('./test-server.mjs').TestServerOptions} TestServerOptions */
/** @typedef {'echo' | 'drop' | 'flood'} HandlerName */

/** Started by the parent: `serverProcess(...)` below. */
async function main() {
  const { handler, ...options } = /** @type {TestServerOptions & { handler?: HandlerName }} */ (JSON.parse(process.argv[2] ?? '{}'));
  let received = 0;
  /** @type {Record<HandlerName, TestServerOptions['onWebSocket']>} */
  const handlers = {
    echo: defaultOnWebSocket,
    // Takes frames in and does nothing with them: a flush is measured at the client alone.
    drop: () => void received++,
    // `flood` with message "n": n messages to the sender's group, one broadcast each, so every
    // member gets them interleaved.
    flood(msg, ctx) {
      if (msg.action !== 'flood') return defaultOnWebSocket(msg, ctx);
      const n = Math.min(Number(msg.message) || 0, 100_000);
      const to = [{ type: /** @type {const} */ ('group'), value: ctx.sender.groupId }];
      for (let i = 0; i < n; i++) ctx.broadcast({ action: 'flood', message: `message ${i} of a flood`, recipients: to });
    },
  };
  // historySize and maxBufferedBytes are options of the restructured server; the current one ignores them.
  const serverOptions = /** @type {TestServerOptions} */ ({ static: false, rateLimit: false, maxConnections: 100_000, historySize: 0, maxBufferedBytes: 256 * 1024 * 1024, ...options, onWebSocket: handlers[handler ?? 'echo'] });
  let server = await createTestServer(serverOptions);
  const port = server.port;

  /** @type {{ sends: number, start: number, end: number } | undefined} */
  let loop;
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = /** @type {typeof send} */ (
    function (...args) {
      if (loop && loop.sends++ === 0) {
        loop.start = performance.now();
        const l = loop;
        queueMicrotask(() => (l.end = performance.now()));
      }
      return send.apply(this, /** @type {never} */ (args));
    }
  );

  serve(
    {
      info: () => ({ url: server.url, wsUrl: server.wsUrl, port }),
      connections: () => server.clients().length,
      received: () => received,
      armSendLoop: () => void (loop = { sends: 0, start: 0, end: 0 }),
      sendLoop: () => {
        const l = loop;
        loop = undefined;
        return l && { sends: l.sends, ms: l.end - l.start };
      },
      /** Closes (sockets get 1001), waits `downMs`, listens again on the same port. */
      async restart(/** @type {number} */ downMs) {
        await server.close();
        await sleep(downMs);
        server = await createTestServer({ ...serverOptions, port });
      },
    },
    () => server.close(),
  );
}

/**
 * Starts the test server in a child process; resolves once it listens.
 * @param {TestServerOptions & { handler?: HandlerName }} [options] plain data only (it crosses a process boundary); `handler` picks the message handler
 * @param {{ connections?: number }} [process] how many connections it will hold at most
 */
export async function serverProcess(options = {}, { connections = 1000 } = {}) {
  const proc = child(new URL(import.meta.url), { args: [JSON.stringify(options)], files: connections });
  await proc.ready;
  /** @type {{ url: string, wsUrl: string, port: number }} */
  const info = await proc.request('info');
  return { ...info, request: proc.request, stop: proc.stop, pid: proc.proc.pid };
}

/**
 * Waits until the server holds no connection, so the next measurement does not share the machine
 * with the last one's closing handshakes.
 * @param {{ request(cmd: string): Promise<number> }} server
 */
export async function settled(server, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while ((await server.request('connections')) > 0) {
    if (Date.now() > deadline) throw new Error(`the server still had connections after ${timeoutMs} ms`);
    await sleep(50);
  }
}

if (process.argv[1] === new URL(import.meta.url).pathname) await main();
