// @ts-check
/**
 * Fan-out: one HTTP broadcast to N connected SDK clients; delivery latency percentiles, and the
 * server's memory per idle connection: heap + external after GC, the server alone in a child
 * process run with --expose-gc, before and after the clients connected, divided by their number.
 */
import { WebSocket } from 'ws';
import { WebConnectionWebSocket } from 'webconnection-websocket';
import { forkTestServer } from '../test/helpers/forked-server.mjs';

/** @param {number} clients @param {number} broadcasts */
export async function fanoutBench(clients, broadcasts = 5) {
  const server = await forkTestServer({ static: false, rateLimit: false, maxConnections: 100_000 });
  /** @type {WebConnectionWebSocket[]} */
  const sockets = [];
  try {
    const { url, wsUrl } = server;
    const before = (await server.memory()).heapAndExternal;
    /** @type {number[]} */
    const latencies = [];
    for (let i = 0; i < clients; i++) {
      const s = new WebConnectionWebSocket({ url: wsUrl, WebSocket: /** @type {never} */ (WebSocket) });
      s.onMessageHandler = (m) => latencies.push(performance.timeOrigin + performance.now() - Number(m.message));
      s.tryConnect(true, 'fan', `u${i}`);
      sockets.push(s);
    }
    const deadline = Date.now() + 60_000;
    while (sockets.some((s) => s.state !== 'open')) {
      if (Date.now() > deadline) throw new Error('fan-out clients did not all connect');
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 500)); // let the handshakes settle: idle connections
    const after = await server.memory();
    /** @type {number[]} */
    const all = [];
    for (let b = 0; b < broadcasts; b++) {
      latencies.length = 0;
      const body = JSON.stringify({ action: 'fan', message: String(performance.timeOrigin + performance.now()), recipients: [{ type: 'group', value: 'fan' }] });
      const res = await fetch(new URL('__broadcastWebSocket.wc', url), { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const { delivered } = /** @type {{delivered: number}} */ (await res.json());
      if (delivered !== clients) throw new Error(`delivered to ${delivered} of ${clients}`);
      while (latencies.length < clients) {
        if (Date.now() > deadline) throw new Error('broadcast not delivered to all');
        await new Promise((r) => setTimeout(r, 5));
      }
      all.push(...latencies);
    }
    sockets.forEach((s) => s.close());
    all.sort((a, b) => a - b);
    /** @param {number} p */
    const pct = (p) => all[Math.min(all.length - 1, Math.floor((p / 100) * all.length))] ?? NaN;
    return { clients, broadcasts, p50Ms: pct(50), p99Ms: pct(99), bytesPerIdleConnection: Math.round((after.heapAndExternal - before) / after.connections), gcExposed: after.gc };
  } finally {
    sockets.forEach((s) => s.state !== 'closed' && s.close());
    await server.close();
  }
}
