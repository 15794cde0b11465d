import { WebSocket } from 'ws';
import { WebConnectionWebSocket, type ReconnectOptions } from '../../src/index';
import { createTestServer } from '../server/server.mjs';
import { waitFor } from './wait';

/** The most timestamps that fall in any window of `windowMs`. */
export function peakPerWindow(times: number[], windowMs = 100): number {
  const sorted = [...times].sort((a, b) => a - b);
  let peak = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= windowMs) j++;
    peak = Math.max(peak, i - j + 1);
  }
  return peak;
}

/**
 * `count` SDK clients on one server; the server goes away and comes back on the same port after
 * `downMs`. Returns the reconnect attempts (url function calls) after the restart began, their peak
 * per 100 ms, and the time until every client was open again.
 */
export async function reconnectStorm(count: number, reconnect: ReconnectOptions, downMs = 300, timeoutMs = 20_000) {
  let server = await createTestServer({ static: false, maxConnections: count + 10, rateLimit: false });
  const port = server.port;
  const attempts: number[] = [];
  const clients = Array.from({ length: count }, () => {
    const socket = new WebConnectionWebSocket({ url: () => (attempts.push(Date.now()), server.wsUrl.replace(/:\d+\//, `:${port}/`)), WebSocket: WebSocket as never, reconnect });
    socket.onErrorHandler = () => {};
    socket.tryConnect();
    return socket;
  });
  try {
    await waitFor(() => clients.every((c) => c.state === 'open'), 'all clients open', timeoutMs);
    attempts.length = 0;
    const start = Date.now();
    await server.close();
    await new Promise((r) => setTimeout(r, downMs));
    server = await createTestServer({ port, static: false, maxConnections: count + 10, rateLimit: false });
    await waitFor(() => clients.every((c) => c.state === 'open'), 'all clients back', timeoutMs);
    return { attempts: attempts.length, peak: peakPerWindow(attempts), allBackMs: Date.now() - start };
  } finally {
    clients.forEach((c) => c.close());
    await server.close();
  }
}
