// @ts-check
/**
 * A fleet of WebSocket clients of one kind in a child process of their own: its heap holds
 * nothing but them (memory per client), and it has a core apart from the server (fan-out).
 * Kinds: `sdk` (this SDK on `ws`), `raw` (`ws` alone, `JSON.parse` per message) and `rws`
 * (reconnecting-websocket alone on `ws`). Started by {@link clientsProcess}.
 */
import { WebSocket } from 'ws';
import ReconnectingWebSocket from 'reconnecting-websocket';
import { WebConnectionWebSocket } from 'webconnection-websocket';
import { child, heapAfterGc, serve, until } from './lib.mjs';

/** @typedef {'sdk' | 'raw' | 'rws'} Kind */
/** @typedef {{ isOpen(): boolean, close(): void }} Client */

/**
 * One client of `kind`; `onFan` gets the `message` of every `fan` action it receives.
 * @param {Kind} kind @param {string} url @param {(message: string) => void} onFan
 * @returns {Client}
 */
function connect(kind, url, onFan) {
  if (kind === 'sdk') {
    const s = new WebConnectionWebSocket({ url, WebSocket: /** @type {never} */ (WebSocket) });
    s.onMessageHandler = (m) => m.action === 'fan' && onFan(m.message);
    s.onErrorHandler = () => {};
    s.tryConnect();
    return { isOpen: () => s.state === 'open', close: () => s.close() };
  }
  if (kind === 'raw') {
    const ws = new WebSocket(url);
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString());
      if (m.action === 'fan') onFan(m.message);
    });
    ws.on('error', () => {});
    return { isOpen: () => ws.readyState === 1, close: () => ws.close() };
  }
  const r = new ReconnectingWebSocket(url, [], { WebSocket });
  r.addEventListener('message', (e) => {
    const m = JSON.parse(e.data);
    if (m.action === 'fan') onFan(m.message);
  });
  return { isOpen: () => r.readyState === 1, close: () => r.close() };
}

function main() {
  const kind = /** @type {Kind} */ (process.argv[2]);
  /** @type {Client[]} */
  const clients = [];
  /** @type {number[]} */
  let latencies = [];
  // Sent as the sender's clock (ms since the epoch, sub-ms): both processes read the same clock.
  const onFan = (/** @type {string} */ message) => latencies.push(performance.timeOrigin + performance.now() - Number(message));
  serve(
    {
      /** Opens `count` clients, `wave` at a time, each wave open before the next starts. */
      async connect(/** @type {string} */ url, /** @type {number} */ count, wave = 250) {
        for (let done = 0; done < count; ) {
          const n = Math.min(wave, count - done);
          const batch = Array.from({ length: n }, () => connect(kind, url, onFan));
          clients.push(...batch);
          await until(() => batch.every((c) => c.isOpen()), `${n} ${kind} clients open`, 30_000);
          done += n;
        }
        return clients.length;
      },
      /** One client opened and closed, so code that runs once per process is not charged per client. */
      async warmUp(/** @type {string} */ url) {
        const c = connect(kind, url, () => {});
        await until(() => c.isOpen(), 'a warm-up client open', 10_000);
        c.close();
      },
      heap: () => heapAfterGc(),
      received: () => latencies.length,
      latencies() {
        const l = latencies;
        latencies = [];
        return l;
      },
      closeAll() {
        clients.splice(0).forEach((c) => c.close());
      },
    },
    () => clients.forEach((c) => c.close()),
  );
}

/**
 * Starts a fleet process of `kind`; resolves once it is ready.
 * @param {Kind} kind @param {number} clients how many it will open at most
 */
export async function clientsProcess(kind, clients) {
  const proc = child(new URL(import.meta.url), { args: [kind], execArgv: ['--expose-gc'], files: clients });
  await proc.ready;
  return { request: proc.request, stop: proc.stop };
}

if (process.argv[1] === new URL(import.meta.url).pathname) main();
