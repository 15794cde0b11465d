// @ts-check
/**
 * Throughput: echo round trips client -> test server -> client, the SDK (Node + `ws`) against a
 * raw `ws` client that sends and parses the same envelopes. Same in-process server, same run; the
 * two clients stay connected and take turns in short rounds (which one goes first alternates), so
 * drift hits both alike. The ratio is the median of the per-round ratios.
 */
import { WebSocket } from 'ws';
import { createTestServer } from '../test/server/index.mjs';
import { WebConnectionWebSocket } from 'webconnection-websocket';

/** Round trips kept in flight. */
export const WINDOW = 200;

/** @typedef {(count: number) => Promise<number>} Runner runs `count` round trips, returns ms */

/**
 * A promise that fails after `ms` rather than hang the run.
 * @param {(resolve: (ms: number) => void, reject: (err: Error) => void) => void} body
 * @param {number} [ms]
 * @returns {Promise<number>}
 */
function bounded(body, ms = 120_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`throughput round did not finish in ${ms} ms`)), ms);
    body(
      (v) => (clearTimeout(timer), resolve(v)),
      (err) => (clearTimeout(timer), reject(err)),
    );
  });
}

/**
 * `count` echo round trips with WINDOW in flight, the same loop for both clients: `send(text)`
 * sends one echo; the client hands every message it receives to `received`, and errors to `failed`.
 * @param {(text: string) => void} send
 */
function echoLoop(send) {
  /** @type {(action: string, message: unknown) => void} */
  let onEcho = () => {};
  /** @type {(err: Error) => void} */
  let fail = () => {};
  /** @type {Runner} */
  const run = (count) =>
    bounded((resolve, reject) => {
      fail = reject;
      let sent = 0;
      let got = 0;
      const start = performance.now();
      const sendOne = () => send(`m${sent++}`);
      onEcho = (action, message) => {
        if (action !== 'echo') return reject(new Error(`unexpected ${action}: ${message}`));
        if (++got === count) resolve(performance.now() - start);
        else if (sent < count) sendOne();
      };
      while (sent < Math.min(WINDOW, count)) sendOne();
    });
  return {
    run,
    /** @type {(action: string, message: unknown) => void} */ received: (action, message) => onEcho(action, message),
    /** @type {(err: Error) => void} */ failed: (err) => fail(err),
  };
}

/**
 * The SDK: `createBroadcastMessage('echo', ...)` + `send()`, the echo arrives at `onMessageHandler`.
 * @param {string} wsUrl @returns {Promise<{ run: Runner, close(): void }>}
 */
async function sdkClient(wsUrl) {
  const socket = new WebConnectionWebSocket({ url: wsUrl, WebSocket: /** @type {never} */ (WebSocket), reconnect: { maxRetries: 0 } });
  const loop = echoLoop((text) => socket.send(socket.createBroadcastMessage('echo', text)));
  socket.onErrorHandler = loop.failed;
  socket.onMessageHandler = (msg) => loop.received(msg.action, msg.message);
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
  ws.on('message', (data) => {
    const msg = JSON.parse(data.toString());
    loop.received(msg.action, msg.message);
  });
  ws.on('error', loop.failed);
  return { run: loop.run, close: () => ws.close() };
}

/** @param {number[]} xs */
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * @param {number} total round trips per client kind
 * @param {{ rounds?: number, warmUp?: number }} [options]
 */
export async function throughputBench(total, { rounds = 10, warmUp = 5000 } = {}) {
  const server = await createTestServer({ static: false, rateLimit: false });
  const sdk = await sdkClient(server.wsUrl);
  const raw = await rawClient(server.wsUrl);
  try {
    const per = Math.round(total / rounds);
    await sdk.run(warmUp);
    await raw.run(warmUp);
    /** @type {number[]} */ const sdkMs = [];
    /** @type {number[]} */ const rawMs = [];
    for (let i = 0; i < rounds; i++) {
      // Alternate which goes first, so neither always gets the warmer (or the tired) machine.
      if (i % 2) {
        rawMs.push(await raw.run(per));
        sdkMs.push(await sdk.run(per));
      } else {
        sdkMs.push(await sdk.run(per));
        rawMs.push(await raw.run(per));
      }
    }
    const sum = (/** @type {number[]} */ xs) => xs.reduce((a, b) => a + b, 0);
    const sdkPerSecond = (per * rounds) / (sum(sdkMs) / 1000);
    const rawPerSecond = (per * rounds) / (sum(rawMs) / 1000);
    // Each round's SDK time against the raw time next to it; the median of those ratios.
    const ratios = sdkMs.map((ms, i) => rawMs[i] / ms);
    return {
      roundTrips: per * rounds,
      rounds,
      window: WINDOW,
      sdkPerSecond: Math.round(sdkPerSecond),
      rawPerSecond: Math.round(rawPerSecond),
      ratio: median(ratios),
      ratioOfTotals: sdkPerSecond / rawPerSecond,
      ratioRange: [Math.min(...ratios), Math.max(...ratios)],
    };
  } finally {
    sdk.close();
    raw.close();
    await server.close();
  }
}
