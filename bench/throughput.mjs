// @ts-check
/**
 * Throughput: echo round trips client -> test server -> client, the SDK (Node + `ws`) against a
 * raw `ws` client sending and parsing the same envelopes. The server runs in a child process of
 * its own, so the client's work is not diluted by the server's in the same thread, and the two
 * have a core each. The two clients stay connected and take turns in rounds (which one goes
 * first alternates), so drift hits both alike; each figure is the median of per-round ratios.
 *
 * Besides the rate, the client process's CPU time (process.cpuUsage: user + system, this process
 * only, GC threads included) per round trip: the rate can hide client cost while the server is
 * the bottleneck, CPU time cannot.
 */
import { WebSocket } from 'ws';
import { WebConnectionWebSocket } from 'webconnection-websocket';
import { median } from './lib.mjs';
import { serverProcess } from './server-process.mjs';

/** Round trips kept in flight. */
export const WINDOW = 100;

/** @typedef {(count: number) => Promise<{ ms: number, cpuUs: number }>} Runner runs `count` round trips */

/**
 * `count` echo round trips with WINDOW in flight, the same loop for both clients: `send(text)`
 * sends one echo; the client hands every message it receives to `received`, errors to `failed`.
 * @param {(text: string) => void} send
 */
function echoLoop(send) {
  /** @type {(action: string) => void} */
  let onEcho = () => {};
  /** @type {(err: Error) => void} */
  let fail = () => {};
  /** @type {Runner} */
  const run = (count) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`a round of ${count} round trips did not finish in 120 s`)), 120_000);
      fail = (err) => (clearTimeout(timer), reject(err));
      let sent = 0;
      let got = 0;
      const cpu = process.cpuUsage();
      const start = performance.now();
      const sendOne = () => send(`m${sent++}`);
      onEcho = (action) => {
        if (action !== 'echo') return fail(new Error(`unexpected ${action}`));
        if (++got === count) {
          const ms = performance.now() - start;
          const used = process.cpuUsage(cpu);
          clearTimeout(timer);
          resolve({ ms, cpuUs: used.user + used.system });
        } else if (sent < count) sendOne();
      };
      while (sent < Math.min(WINDOW, count)) sendOne();
    });
  return {
    run,
    /** @type {(action: string) => void} */ received: (action) => onEcho(action),
    /** @type {(err: Error) => void} */ failed: (err) => fail(err),
  };
}

/**
 * The SDK: `createBroadcastMessage('echo', ...)` + `send()`; the echo arrives at `onMessageHandler`.
 * With `resume` (the default, and the test server's) every frame is numbered both ways and
 * acknowledged: work and frames the raw client does not have.
 * @param {string} wsUrl @param {boolean} resume @returns {Promise<{ run: Runner, close(): void }>}
 */
async function sdkClient(wsUrl, resume) {
  const socket = new WebConnectionWebSocket({ url: wsUrl, WebSocket: /** @type {never} */ (WebSocket), reconnect: { maxRetries: 0 }, resume });
  const loop = echoLoop((text) => socket.send(socket.createBroadcastMessage('echo', text)));
  socket.onErrorHandler = loop.failed;
  socket.onMessageHandler = (msg) => loop.received(msg.action);
  await new Promise((resolve) => {
    socket.onOpenHandler = resolve;
    socket.tryConnect();
  });
  return { run: loop.run, close: () => socket.close() };
}

/**
 * Raw `ws`: the same envelope by `JSON.stringify`, `JSON.parse` of every echo.
 * @param {string} wsUrl @returns {Promise<{ run: Runner, close(): void }>}
 */
async function rawClient(wsUrl) {
  const ws = new WebSocket(wsUrl);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const loop = echoLoop((text) => ws.send(JSON.stringify({ action: 'echo', message: text, groupId: '', userId: '', recipients: [] })));
  ws.on('message', (data) => loop.received(JSON.parse(data.toString()).action));
  ws.on('error', loop.failed);
  return { run: loop.run, close: () => ws.close() };
}

/**
 * @param {{ roundTrips: number, rounds: number, warmUp?: number }} options round trips per client kind in all
 */
export async function throughputBench({ roundTrips, rounds, warmUp = 5000 }) {
  const server = await serverProcess({ handler: 'echo' });
  const sdk = await sdkClient(server.wsUrl, true);
  const plain = await sdkClient(server.wsUrl, false);
  const raw = await rawClient(server.wsUrl);
  try {
    const per = Math.round(roundTrips / rounds);
    await sdk.run(warmUp);
    await plain.run(warmUp);
    await raw.run(warmUp);
    /** @type {{ ms: number, cpuUs: number }[]} */ const s = [];
    /** @type {{ ms: number, cpuUs: number }[]} */ const p = [];
    /** @type {{ ms: number, cpuUs: number }[]} */ const r = [];
    for (let i = 0; i < rounds; i++) {
      if (i % 2) {
        r.push(await raw.run(per));
        p.push(await plain.run(per));
        s.push(await sdk.run(per));
      } else {
        s.push(await sdk.run(per));
        p.push(await plain.run(per));
        r.push(await raw.run(per));
      }
    }
    const total = (/** @type {{ ms: number, cpuUs: number }[]} */ xs, /** @type {'ms' | 'cpuUs'} */ k) => xs.reduce((a, x) => a + x[k], 0);
    return {
      roundTrips: per * rounds,
      rounds,
      window: WINDOW,
      sdkPerSecond: Math.round((per * rounds) / (total(s, 'ms') / 1000)),
      rawPerSecond: Math.round((per * rounds) / (total(r, 'ms') / 1000)),
      // Each round against the raw round next to it.
      rateRatio: median(s.map((x, i) => r[i].ms / x.ms)),
      sdkCpuUs: total(s, 'cpuUs') / (per * rounds),
      rawCpuUs: total(r, 'cpuUs') / (per * rounds),
      cpuRatio: median(s.map((x, i) => x.cpuUs / r[i].cpuUs)),
      noResumeCpuUs: total(p, 'cpuUs') / (per * rounds),
      noResumeCpuRatio: median(p.map((x, i) => x.cpuUs / r[i].cpuUs)),
    };
  } finally {
    sdk.close();
    plain.close();
    raw.close();
    await server.stop();
  }
}
