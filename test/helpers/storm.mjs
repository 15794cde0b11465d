// @ts-check
/**
 * A reconnect storm, shared by the fault test (SDK from src/) and the benchmark (SDK from dist/):
 * `count` clients on one server; the server goes away and comes back on the same port after
 * `downMs`. Reports the attempts after the restart began (url function calls), their peak per
 * 100 ms, and the time until every client was open again.
 */
import { WebSocket } from 'ws';
import { createTestServer } from '../server/index.mjs';

/** The most timestamps that fall in any window of `windowMs`. @param {number[]} times @param {number} [windowMs] */
export function peakPerWindow(times, windowMs = 100) {
  const sorted = [...times].sort((a, b) => a - b);
  let peak = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i] - sorted[j] >= windowMs) j++;
    peak = Math.max(peak, i - j + 1);
  }
  return peak;
}

/** @param {() => boolean} check @param {string} what @param {number} timeoutMs */
async function until(check, what, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** @typedef {{ state: string, close(): void, tryConnect(): void, onErrorHandler: unknown }} StormClient */
/**
 * @param {new (options: import('../../src/index').WebConnectionOptions) => StormClient} Client the SDK class to use (from src/ or the built package)
 * @param {number} count
 * @param {import('../../src/index').ReconnectOptions} reconnect
 * @param {{ downMs?: number, timeoutMs?: number }} [options]
 */
export async function reconnectStorm(Client, count, reconnect, { downMs = 300, timeoutMs = 30_000 } = {}) {
  const serverOptions = { static: /** @type {false} */ (false), maxConnections: count + 10, rateLimit: /** @type {false} */ (false) };
  let server = await createTestServer(serverOptions);
  const wsUrl = server.wsUrl;
  /** @type {number[]} */
  const attempts = [];
  const clients = Array.from({ length: count }, () => {
    const socket = new Client({ url: () => (attempts.push(Date.now()), wsUrl), WebSocket: /** @type {never} */ (WebSocket), reconnect });
    socket.onErrorHandler = () => {};
    socket.tryConnect();
    return socket;
  });
  try {
    await until(() => clients.every((c) => c.state === 'open'), 'all clients open', timeoutMs);
    attempts.length = 0;
    const start = Date.now();
    await server.close();
    await new Promise((r) => setTimeout(r, downMs));
    server = await createTestServer({ ...serverOptions, port: server.port });
    await until(() => clients.every((c) => c.state === 'open'), 'all clients back', timeoutMs);
    return { attempts: attempts.length, peak: peakPerWindow(attempts), allBackMs: Date.now() - start };
  } finally {
    clients.forEach((c) => c.close());
    await server.close();
  }
}
