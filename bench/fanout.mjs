// @ts-check
/**
 * Fan-out: one HTTP broadcast (`POST …__broadcastWebSocket.wc`) to every client in a group, for
 * SDK clients and for raw `ws` clients (`JSON.parse` per message) in turn, at each size. The
 * server runs in a child process; the clients in two more, half each, so client-side work runs
 * in parallel rather than queueing behind one thread. One warm-up broadcast is not counted.
 * - latency: from just before the POST to each client's handler (the clock read in both
 *   processes is the same system clock), p50 and p99 over every delivery of the counted broadcasts;
 * - the server's send loop: from its first `ws.send` of a broadcast to the end of that task
 *   (see server-process.mjs), median over the counted broadcasts.
 */
import { clientsProcess } from './clients-process.mjs';
import { median, percentile, sleep } from './lib.mjs';
import { serverProcess, settled } from './server-process.mjs';

const FLEETS = 2;

/**
 * @param {{ url: string, wsUrl: string, request(cmd: string, args?: unknown[], timeoutMs?: number): Promise<any> }} server
 * @param {'sdk' | 'raw'} kind @param {number} clients @param {number} broadcasts counted ones
 */
async function fanoutOnce(server, kind, clients, broadcasts) {
  const fleets = await Promise.all(Array.from({ length: FLEETS }, () => clientsProcess(kind, Math.ceil(clients / FLEETS))));
  try {
    const url = `${server.wsUrl}?groupId=fan`;
    await Promise.all(fleets.map((f, i) => f.request('connect', [url, Math.floor(clients / FLEETS) + (i < clients % FLEETS ? 1 : 0)], 180_000)));
    await sleep(300);
    /** @type {number[]} */ const latencies = [];
    /** @type {number[]} */ const loops = [];
    for (let b = 0; b <= broadcasts; b++) {
      await server.request('armSendLoop');
      const body = JSON.stringify({ action: 'fan', message: String(performance.timeOrigin + performance.now()), recipients: [{ type: 'group', value: 'fan' }] });
      const res = await fetch(new URL('__broadcastWebSocket.wc', server.url), { method: 'POST', body, headers: { 'content-type': 'application/json' } });
      if (!res.ok) throw new Error(`the broadcast was refused: ${res.status} ${await res.text()}`);
      const { delivered } = /** @type {{ delivered: number }} */ (await res.json());
      if (delivered !== clients) throw new Error(`the broadcast reached ${delivered} of ${clients} clients`);
      const deadline = Date.now() + 30_000;
      for (;;) {
        const got = (await Promise.all(fleets.map((f) => f.request('received')))).reduce((a, n) => a + n, 0);
        if (got === clients) break;
        if (Date.now() > deadline) throw new Error(`only ${got} of ${clients} clients got the broadcast within 30 s`);
        await sleep(10);
      }
      const these = (await Promise.all(fleets.map((f) => f.request('latencies')))).flat();
      const loop = await server.request('sendLoop');
      if (b === 0) continue; // the warm-up: first-time code paths on both sides
      latencies.push(...these);
      if (loop?.sends !== clients) throw new Error(`the server process saw ${loop?.sends ?? 0} of ${clients} sends: the server does not send through the ws that server-process.mjs times`);
      loops.push(loop.ms);
      await sleep(100);
    }
    latencies.sort((x, y) => x - y);
    return { p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), sendLoopMs: median(loops) };
  } finally {
    await Promise.all(fleets.map((f) => f.stop()));
    await settled(server);
  }
}

/** @param {{ sizes: number[], broadcasts: number }} options */
export async function fanoutBench({ sizes, broadcasts }) {
  const server = await serverProcess({}, { connections: Math.max(...sizes) });
  try {
    const results = [];
    for (const clients of sizes) {
      results.push({ clients, sdk: await fanoutOnce(server, 'sdk', clients, broadcasts), raw: await fanoutOnce(server, 'raw', clients, broadcasts) });
    }
    return { broadcasts, fleets: FLEETS, results };
  } finally {
    await server.stop();
  }
}
