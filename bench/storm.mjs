// @ts-check
/**
 * Reconnect storm: N clients connected to the test server (in a child process); the server closes
 * (every socket gets 1001) and listens again on the same port `downMs` later. Attempts are counted
 * where they start: the url function, which both libraries call right before they open a socket.
 * The peak is the busiest 100 ms window; "all back" runs from the restart request to the moment
 * every client is open again. Three policies, one after the other (at once with --quick):
 * - this SDK's default: exponential backoff with full jitter (minDelay 1000, factor 2, maxDelay 30 s);
 * - reconnecting-websocket 4.4.0 itself (not an emulation), with the default it draws once per
 *   page, `minReconnectionDelay = 1000 + Math.random() * 4000`, drawn here per client as separate
 *   pages would (in one process they would all share one draw), growing ×1.3 per failure;
 * - a fixed delay: this SDK with `retryDelay: () => 1000`, every client back after the same second.
 */
import ReconnectingWebSocket from 'reconnecting-websocket';
import { WebSocket } from 'ws';
import { WebConnectionWebSocket } from 'webconnection-websocket';
// The fault test's helper, which shares this measure of a storm.
import { peakPerWindow } from '../test/helpers/storm.mjs';
import { until } from './lib.mjs';
import { serverProcess, settled } from './server-process.mjs';

/** @typedef {'full jitter' | 'reconnecting-websocket' | 'fixed 1 s'} Policy */

/**
 * @param {Policy} policy @param {string} wsUrl @param {() => void} attempt
 * @returns {{ isOpen(): boolean, close(): void }}
 */
function client(policy, wsUrl, attempt) {
  const url = () => (attempt(), wsUrl);
  if (policy === 'reconnecting-websocket') {
    const r = new ReconnectingWebSocket(url, [], { WebSocket, minReconnectionDelay: 1000 + Math.random() * 4000 });
    return { isOpen: () => r.readyState === 1, close: () => r.close() };
  }
  const s = new WebConnectionWebSocket({ url, WebSocket: /** @type {never} */ (WebSocket), reconnect: policy === 'fixed 1 s' ? { retryDelay: () => 1000 } : {} });
  s.onErrorHandler = () => {};
  s.tryConnect();
  return { isOpen: () => s.state === 'open', close: () => s.close() };
}

/**
 * @param {Awaited<ReturnType<typeof serverProcess>>} server
 * @param {Policy} policy @param {number} count @param {number} downMs
 */
async function stormOnce(server, policy, count, downMs) {
  /** @type {number[]} */
  const attempts = [];
  /** @type {ReturnType<typeof client>[]} */
  const clients = [];
  try {
    for (let i = 0; i < count; i++) clients.push(client(policy, server.wsUrl, () => attempts.push(performance.now())));
    await until(() => clients.every((c) => c.isOpen()), `${count} clients open`, 30_000);
    attempts.length = 0;
    const start = performance.now();
    await server.request('restart', [downMs]);
    await until(() => clients.every((c) => c.isOpen()), `${count} clients back after the restart`, 60_000);
    return { attempts: attempts.length, peak: peakPerWindow(attempts), allBackMs: Math.round(performance.now() - start) };
  } finally {
    clients.forEach((c) => c.close());
    await settled(server);
  }
}

/**
 * @param {{ clients: number, downMs?: number, parallel?: boolean }} options `parallel`: the three
 * policies at once, each with a server of its own (quicker; the clients share one event loop)
 */
export async function stormBench({ clients, downMs = 300, parallel = false }) {
  const POLICIES = /** @type {Policy[]} */ (['full jitter', 'reconnecting-websocket', 'fixed 1 s']);
  /** @param {Policy} policy */
  const withServer = async (policy) => {
    const server = await serverProcess({}, { connections: clients });
    try {
      return await stormOnce(server, policy, clients, downMs);
    } finally {
      await server.stop();
    }
  };
  /** @type {{ attempts: number, peak: number, allBackMs: number }[]} */
  const runs = [];
  if (parallel) runs.push(...(await Promise.all(POLICIES.map(withServer))));
  else for (const policy of POLICIES) runs.push(await withServer(policy));
  return { clients, downMs, parallel, policies: Object.fromEntries(POLICIES.map((p, i) => [p, runs[i]])) };
}
