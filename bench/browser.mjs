// @ts-check
/**
 * Browser: headless Chromium loads a page from the test server, connects, and receives N messages
 * the server pushes in one burst. Two pages side by side: this SDK (dist/webconnection-websocket.min.js)
 * and a bare `WebSocket` + `JSON.parse`. Per message:
 * - main-thread time: CDP `Performance.getMetrics` TaskDuration delta over the burst / N;
 * - script time: the ScriptDuration delta / N;
 * - listener time: `performance.now()` around every WebSocket `message` listener on the page (all
 *   of the SDK's receive path down to the app's handler; the bare page's parse and handler).
 * Each page runs three times, alternating which goes first; the best run of each counts.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { createTestServer, defaultOnWebSocket } from '../test/server/index.mjs';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PAGES = fileURLToPath(new URL('.peers/browser/', import.meta.url));

/**
 * Both pages: `window.ready` once open, `window.go()` asks for `n` messages, `window.done` once
 * all arrived, `window.got` counts them.
 */
const SDK_PAGE = `<!doctype html><meta charset="utf-8"><title>sdk</title>
<script type="module">
  import { WebConnectionWebSocket } from '/dist/webconnection-websocket.min.js';
  const n = Number(new URLSearchParams(location.search).get('n'));
  const socket = new WebConnectionWebSocket();
  window.got = 0;
  socket.onMessageHandler = (m) => { if (m.action === 'flood' && ++window.got === n) window.done = true; };
  socket.onOpenHandler = () => { window.ready = true; };
  window.go = () => socket.send(socket.createBroadcastMessage('flood', String(n)));
  socket.tryConnect();
</script>`;
const BARE_PAGE = `<!doctype html><meta charset="utf-8"><title>bare</title>
<script type="module">
  const n = Number(new URLSearchParams(location.search).get('n'));
  const ws = new WebSocket(new URL('__initializeSocket.wc', location.href).href.replace(/^http/, 'ws'));
  window.got = 0;
  ws.onmessage = (e) => { const m = JSON.parse(e.data); if (m.action === 'flood' && ++window.got === n) window.done = true; };
  ws.onopen = () => { window.ready = true; };
  window.go = () => ws.send(JSON.stringify({ action: 'flood', message: String(n), groupId: '', userId: '', recipients: [] }));
</script>`;

/** Runs before any page script: times every WebSocket `message` listener into `window.listenerMs`. */
const LISTENER_TIMING = `(() => {
  window.listenerMs = 0;
  const wrap = (fn) => function (ev) {
    const t = performance.now();
    try { return fn.call(this, ev); } finally { window.listenerMs += performance.now() - t; }
  };
  const P = WebSocket.prototype;
  const wrapped = new WeakMap();
  const add = P.addEventListener;
  const remove = P.removeEventListener;
  P.addEventListener = function (type, fn, options) {
    if (type !== 'message' || typeof fn !== 'function') return add.call(this, type, fn, options);
    if (!wrapped.has(fn)) wrapped.set(fn, wrap(fn));
    return add.call(this, type, wrapped.get(fn), options);
  };
  P.removeEventListener = function (type, fn, options) {
    return remove.call(this, type, (type === 'message' && wrapped.get(fn)) || fn, options);
  };
  const d = Object.getOwnPropertyDescriptor(P, 'onmessage');
  Object.defineProperty(P, 'onmessage', {
    configurable: true, enumerable: true,
    get() { return d.get.call(this); },
    set(fn) { d.set.call(this, typeof fn === 'function' ? wrap(fn) : fn); },
  });
})();`;

/**
 * @typedef {{ taskUs: number, scriptUs: number, listenerUs: number }} PerMessage microseconds per message
 * @typedef {{ messages: number, runs: number, sdk: PerMessage, bare: PerMessage, ratio: number, listenerRatio: number, chromium: string }} BrowserResult
 */

/**
 * @param {number} count messages per run
 * @param {{ runs?: number }} [options]
 * @returns {Promise<BrowserResult | { skipped: string }>}
 */
export async function browserBench(count, { runs = 3 } = {}) {
  if (!existsSync(CHROMIUM)) return { skipped: `no Chromium at ${CHROMIUM} (apt-get install -y chromium)` };
  if (!existsSync(`${ROOT}dist/webconnection-websocket.min.js`)) return { skipped: 'no dist/webconnection-websocket.min.js (npm run build)' };
  mkdirSync(PAGES, { recursive: true });
  writeFileSync(`${PAGES}sdk.html`, SDK_PAGE);
  writeFileSync(`${PAGES}bare.html`, BARE_PAGE);
  const server = await createTestServer({
    rateLimit: false,
    // The flood is one burst of up to 100,000 replies: more than the slow-reader bound allows by default.
    maxBufferedBytes: 256 * 1024 * 1024,
    static: { '/': PAGES, '/dist/': `${ROOT}dist` },
    onWebSocket(msg, ctx) {
      if (msg.action !== 'flood') return defaultOnWebSocket(msg, ctx);
      const n = Math.min(Number(msg.message) || 0, 100_000);
      for (let i = 0; i < n; i++) ctx.reply({ action: 'flood', message: `message ${i} of a flood` });
    },
  });
  const profile = mkdtempSync(join(tmpdir(), 'wcws-bench-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, timeout: 30_000 });
  try {
    await context.addInitScript({ content: LISTENER_TIMING });
    let version = '';
    /** @param {'sdk' | 'bare'} which @returns {Promise<PerMessage>} */
    const run = async (which) => {
      const page = await context.newPage();
      try {
        page.setDefaultTimeout(30_000);
        await page.goto(`${server.url}${which}.html?n=${count}`, { timeout: 15_000 });
        await page.waitForFunction(() => /** @type {any} */ (window).ready === true, null, { timeout: 15_000 });
        const cdp = await context.newCDPSession(page);
        await cdp.send('Performance.enable');
        version ||= (await cdp.send('Browser.getVersion')).product;
        const metrics = async () => {
          const m = (await cdp.send('Performance.getMetrics')).metrics;
          /** @param {string} name */
          const get = (name) => m.find((x) => x.name === name)?.value ?? NaN;
          return { task: get('TaskDuration'), script: get('ScriptDuration') };
        };
        await page.evaluate(() => void (/** @type {any} */ (window).listenerMs = 0));
        const before = await metrics();
        await page.evaluate(() => /** @type {any} */ (window).go());
        await page.waitForFunction(() => /** @type {any} */ (window).done === true, null, { timeout: 60_000, polling: 50 });
        const after = await metrics();
        const listenerMs = await page.evaluate(() => /** @type {number} */ (/** @type {any} */ (window).listenerMs));
        await cdp.detach();
        return {
          taskUs: ((after.task - before.task) * 1e6) / count,
          scriptUs: ((after.script - before.script) * 1e6) / count,
          listenerUs: (listenerMs * 1e3) / count,
        };
      } finally {
        await page.close();
      }
    };
    /** @type {PerMessage[]} */ const sdk = [];
    /** @type {PerMessage[]} */ const bare = [];
    for (let i = 0; i < runs; i++) {
      // Alternate which page goes first.
      if (i % 2) {
        bare.push(await run('bare'));
        sdk.push(await run('sdk'));
      } else {
        sdk.push(await run('sdk'));
        bare.push(await run('bare'));
      }
    }
    /** @param {PerMessage[]} xs @returns {PerMessage} */
    const best = (xs) => ({
      taskUs: Math.min(...xs.map((x) => x.taskUs)),
      scriptUs: Math.min(...xs.map((x) => x.scriptUs)),
      listenerUs: Math.min(...xs.map((x) => x.listenerUs)),
    });
    const s = best(sdk);
    const b = best(bare);
    return { messages: count, runs, sdk: s, bare: b, ratio: s.taskUs / b.taskUs, listenerRatio: s.listenerUs / b.listenerUs, chromium: version };
  } finally {
    await context.close();
    await server.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
