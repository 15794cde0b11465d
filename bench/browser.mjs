// @ts-check
/**
 * The browser rows, in Debian's headless Chromium (playwright-core, no download; Chromium only):
 * - cost: time per received message in WebSocket `message` listeners, SDK against a bare
 *   `WebSocket` + `JSON.parse`, one socket of each on one page, the server flooding both;
 * - memory: JS heap per connected client (CDP);
 * - flush: 100,000 messages queued before the link opens, then flushed: the main-thread tasks
 *   that flush takes.
 * The pages come from a small server of the benchmark's own that sends COOP/COEP headers, so they
 * are cross-origin isolated and `performance.now()` steps in 5 µs rather than 100 µs. The SDK is
 * the self-contained dist/webconnection-websocket.min.js. The WebSockets go to the test server
 * (in a child process), whose origin check admits any http://127.0.0.1 page.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM, median, sleep } from './lib.mjs';
import { serverProcess } from './server-process.mjs';

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Timers of a page that is not in front must not be slowed: the flush yields through them.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PAGES = fileURLToPath(new URL('.peers/browser/', import.meta.url));
const SDK = '/dist/webconnection-websocket.min.js';

/**
 * The cost page: one SDK client and one bare WebSocket in group `pair`, both counting `flood`
 * messages; `burst()` asks the server (through the bare socket) for `n` messages to the group, so
 * the two sockets receive alternately, and resolves with the listener time of each.
 */
const COST_PAGE = `<!doctype html><meta charset="utf-8"><title>cost</title>
<script type="module">
  import { WebConnectionWebSocket } from '${SDK}';
  const q = new URLSearchParams(location.search);
  const wsUrl = q.get('ws');
  const n = Number(q.get('n'));
  let sdkGot = 0, bareGot = 0, seen = 0, waiting;
  const check = () => sdkGot >= n && bareGot >= n && waiting?.();
  const sdk = new WebConnectionWebSocket({ url: wsUrl });
  sdk.onMessageHandler = (m) => { seen += m.message.length; if (m.action === 'flood') { sdkGot++; check(); } };
  const bare = new WebSocket(wsUrl + '?groupId=pair&userId=bare');
  bare.addEventListener('message', (e) => { const m = JSON.parse(e.data); seen += m.message.length; if (m.action === 'flood') { bareGot++; check(); } });
  let open = 0;
  sdk.onOpenHandler = () => { if (++open === 2) window.ready = true; };
  bare.addEventListener('open', () => { if (++open === 2) window.ready = true; });
  sdk.tryConnect(true, 'pair', 'sdk');
  window.burst = () => new Promise((resolve) => {
    sdkGot = bareGot = 0;
    for (const t of Object.values(window.__listenerTime)) t.ms = t.n = t.preempted = 0;
    // After this task, so the last message's own timing listener has run.
    waiting = () => { waiting = undefined; setTimeout(() => resolve({ sdk: { ...window.__listenerTime.sdk }, bare: { ...window.__listenerTime.bare }, seen })); };
    bare.send(JSON.stringify({ action: 'flood', message: String(n), groupId: '', userId: '', recipients: [] }));
  });
  // The clock's step: the smallest non-zero difference between two readings.
  window.clockStepUs = (() => { let step = Infinity; for (let i = 0, a = performance.now(); i < 200000 && step > 0.001; i++) { const b = performance.now(); if (b > a) { step = Math.min(step, b - a); a = b; } } return step * 1000; })();
</script>`;

/**
 * Runs before any page script. Per socket, a first `message` listener reads the clock and a last
 * one (kept last as listeners are added) adds the time since to that socket's total: everything
 * between is the code under test, SDK or bare, each paying the same two clock reads per message.
 * Totals are kept by the socket's `userId` query parameter. A message whose listeners took over
 * 2 ms is left out and counted apart, on both sides alike: no path here takes a tenth of that, so
 * it was the renderer losing its core to another process (a time slice is a few ms), not the code.
 */
const LISTENER_TIMING = `(() => {
  window.__listenerTime = {};
  const P = WebSocket.prototype;
  const add = P.addEventListener;
  const remove = P.removeEventListener;
  const timing = new WeakMap();
  P.addEventListener = function (type, fn, options) {
    if (type !== 'message') return add.call(this, type, fn, options);
    let t = timing.get(this);
    if (!t) {
      const label = new URL(this.url).searchParams.get('userId') || this.url;
      const total = (window.__listenerTime[label] = { ms: 0, n: 0, preempted: 0 });
      let start = 0;
      t = {
        start: () => { start = performance.now(); },
        end: () => { const d = performance.now() - start; if (d > 2) total.preempted++; else { total.ms += d; total.n++; } },
      };
      timing.set(this, t);
      add.call(this, 'message', t.start);
    } else remove.call(this, 'message', t.end);
    add.call(this, type, fn, options);
    add.call(this, 'message', t.end);
  };
})();`;

/** The memory page: `openClients(kind, n)` opens n clients of a kind and resolves once all are open. */
const MEMORY_PAGE = `<!doctype html><meta charset="utf-8"><title>memory</title>
<script type="module">
  import { WebConnectionWebSocket } from '${SDK}';
  const wsUrl = new URLSearchParams(location.search).get('ws');
  window.clients = [];
  window.received = 0;
  const one = (kind) => new Promise((resolve, reject) => {
    if (kind === 'sdk') {
      const s = new WebConnectionWebSocket({ url: wsUrl });
      s.onMessageHandler = () => window.received++;
      s.onOpenHandler = () => resolve(s);
      s.tryConnect();
    } else {
      const ws = new WebSocket(wsUrl);
      ws.addEventListener('message', (e) => { JSON.parse(e.data); window.received++; });
      ws.addEventListener('open', () => resolve(ws));
      ws.addEventListener('error', () => reject(new Error('a bare WebSocket failed to open')));
    }
  });
  // One at a time: Chromium delays WebSocket connections opened while others are pending (seconds for a few dozen).
  window.openClients = async (kind, n) => { for (let i = 0; i < n; i++) window.clients.push(await one(kind)); };
  window.closeAll = () => { for (const c of window.clients.splice(0)) c.close(); };
  window.ready = true;
</script>`;

/**
 * The flush page: `queue(n)` queues n messages while idle; `flush()` connects and resolves once
 * the queue is empty. Each task that sends on a WebSocket is timed from its first `send` to its end (a
 * microtask queued at that send runs then), with a user-timing mark at both ends: in Chromium's
 * trace each mark carries the thread's CPU clock as well as the wall clock.
 */
const FLUSH_PAGE = `<!doctype html><meta charset="utf-8"><title>flush</title>
<script type="module">
  import { WebConnectionWebSocket } from '${SDK}';
  const wsUrl = new URLSearchParams(location.search).get('ws');
  const tasks = [];
  let task;
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    if (!task) {
      performance.mark('flush-task-start');
      const t = (task = { start: performance.now(), end: 0, sends: 0 });
      queueMicrotask(() => { t.end = performance.now(); performance.mark('flush-task-end'); tasks.push(t); task = undefined; });
    }
    task.sends++;
    return send.call(this, data);
  };
  let s;
  window.queue = (n) => {
    // Unpaced (the default flushRate of 80 would take 20 minutes): batches as large as the client makes them, the worst case for the longest task.
    s = new WebConnectionWebSocket({ url: wsUrl, queueLimit: n, flushRate: Infinity });
    for (let i = 0; i < n; i++) s.send(s.createBroadcastMessage('queued', 'message ' + i + ' of the queue'));
    return s.queued;
  };
  window.flush = () => new Promise((resolve, reject) => {
    s.onErrorHandler = (e) => reject(e);
    s.onOpenHandler = () => {
      const poll = () => s.queued ? setTimeout(poll, 20) : resolve(tasks.map((t) => ({ ms: t.end - t.start, sends: t.sends, start: t.start })));
      setTimeout(poll);
    };
    s.tryConnect();
  });
  window.ready = true;
</script>`;

/** Serves the bench pages and dist/, cross-origin isolated. Nothing outside those two folders. */
async function pagesServer() {
  mkdirSync(PAGES, { recursive: true });
  writeFileSync(`${PAGES}cost.html`, COST_PAGE);
  writeFileSync(`${PAGES}memory.html`, MEMORY_PAGE);
  writeFileSync(`${PAGES}flush.html`, FLUSH_PAGE);
  const types = /** @type {Record<string, string>} */ ({ '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.map': 'application/json' });
  const http = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const [root, rest] = path.startsWith('/dist/') ? [`${ROOT}dist`, path.slice(6)] : [PAGES, path.slice(1)];
    const file = resolve(root, rest);
    if (!file.startsWith(resolve(root) + sep) || !existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, {
      'content-type': types[extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-store',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
      'cross-origin-resource-policy': 'same-origin',
    });
    res.end(readFileSync(file));
  });
  await new Promise((r) => http.listen(0, '127.0.0.1', () => r(undefined)));
  const { port } = /** @type {import('node:net').AddressInfo} */ (http.address());
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => (http.closeAllConnections(), http.close(r))) };
}

/**
 * Chromium, the pages server and a test server process, for `body`; all closed after it.
 * @template T
 * @param {import('./server-process.mjs').HandlerName} handler
 * @param {(env: { browser: import('playwright-core').Browser, pages: string, wsUrl: string, server: Awaited<ReturnType<typeof serverProcess>>, version: string }) => Promise<T>} body
 */
async function withChromium(handler, body) {
  const server = await serverProcess({ handler });
  const pages = await pagesServer();
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS, timeout: 30_000 });
  try {
    return await body({ browser, pages: pages.url, wsUrl: server.wsUrl, server, version: browser.version() });
  } finally {
    await browser.close();
    await pages.close();
    await server.stop();
  }
}

/**
 * Per-message listener time, SDK against bare, from `bursts` bursts of `perBurst` messages to
 * each socket: the median of per-burst ratios (each burst's two totals side by side).
 * @param {{ bursts: number, perBurst: number }} options
 */
export async function browserCostBench({ bursts, perBurst }) {
  return withChromium('flood', async ({ browser, pages, wsUrl, version }) => {
    const page = await browser.newPage();
    await page.addInitScript({ content: LISTENER_TIMING });
    await page.goto(`${pages}cost.html?ws=${encodeURIComponent(wsUrl)}&n=${perBurst}`, { timeout: 15_000 });
    await page.waitForFunction(() => /** @type {any} */ (window).ready === true, null, { timeout: 15_000 });
    const isolated = await page.evaluate(() => crossOriginIsolated);
    const clockStepUs = await page.evaluate(() => /** @type {number} */ (/** @type {any} */ (window).clockStepUs));
    /** @typedef {{ ms: number, n: number, preempted: number }} Total */
    const burst = () => page.evaluate(() => /** @type {Promise<{ sdk: Total, bare: Total }>} */ (/** @type {any} */ (window).burst()));
    for (let i = 0; i < 3; i++) await burst(); // warm-up: both paths optimised before anything counts
    /** @type {number[]} */ const sdkUs = [];
    /** @type {number[]} */ const bareUs = [];
    const preempted = { sdk: 0, bare: 0 };
    for (let i = 0; i < bursts; i++) {
      const r = await burst();
      if (r.sdk.n + r.sdk.preempted !== perBurst || r.bare.n + r.bare.preempted !== perBurst) throw new Error(`a burst timed ${r.sdk.n} SDK and ${r.bare.n} bare messages, not ${perBurst} each`);
      preempted.sdk += r.sdk.preempted;
      preempted.bare += r.bare.preempted;
      sdkUs.push((r.sdk.ms * 1000) / r.sdk.n);
      bareUs.push((r.bare.ms * 1000) / r.bare.n);
    }
    await page.close();
    return { chromium: version, isolated, clockStepUs, bursts, perBurst, preempted, sdkUs: median(sdkUs), bareUs: median(bareUs), ratio: median(sdkUs.map((s, i) => s / bareUs[i])) };
  });
}

/**
 * JS heap per connected client in Chromium: CDP `Runtime.getHeapUsage` after
 * `HeapProfiler.collectGarbage`, with `clients` open minus before, per kind on a fresh page.
 * `embedderHeapUsedSize` (Blink's own objects, the WebSocket among them) is added when Chromium
 * reports it.
 * @param {{ clients: number }} options
 */
export async function browserMemoryBench({ clients }) {
  return withChromium('echo', async ({ browser, pages, wsUrl }) => {
    /** @type {Record<string, number>} */
    const perClient = {};
    let embedder = false;
    for (const kind of ['sdk', 'bare']) {
      const page = await browser.newPage();
      try {
        await page.goto(`${pages}memory.html?ws=${encodeURIComponent(wsUrl)}`, { timeout: 15_000 });
        await page.waitForFunction(() => /** @type {any} */ (window).ready === true, null, { timeout: 15_000 });
        const cdp = await page.context().newCDPSession(page);
        const heap = async () => {
          await cdp.send('HeapProfiler.collectGarbage');
          await cdp.send('HeapProfiler.collectGarbage');
          const u = /** @type {{ usedSize: number, embedderHeapUsedSize?: number }} */ (await cdp.send('Runtime.getHeapUsage'));
          embedder ||= u.embedderHeapUsedSize !== undefined;
          return u.usedSize + (u.embedderHeapUsedSize ?? 0);
        };
        // One client first: code that runs once per page is not charged per client.
        await page.evaluate(async (k) => {
          await /** @type {any} */ (window).openClients(k, 1);
          /** @type {any} */ (window).closeAll();
        }, kind);
        await sleep(300);
        const before = await heap();
        await page.evaluate((a) => /** @type {any} */ (window).openClients(a.kind, a.clients), { kind, clients });
        await sleep(500);
        perClient[kind] = Math.round(((await heap()) - before) / clients);
        await page.evaluate(() => /** @type {any} */ (window).closeAll());
      } finally {
        await page.close();
      }
    }
    return { clients, embedderIncluded: embedder, sdk: perClient.sdk, bare: perClient.bare };
  });
}

/**
 * A queue of `messages` flushed on open: the main-thread tasks that send it, each in wall time and
 * in CPU time of the main thread (the thread clock of the trace's user-timing marks, CDP Tracing
 * with that category alone). The goal is on CPU time, which a machine busy with other processes
 * does not inflate: wall time there includes every time slice the renderer waited for. Total
 * blocking time is the sum over tasks of wall time past 50 ms, as Lighthouse counts it. Beside
 * them, all main-thread work from `tryConnect()` to the empty queue (CDP TaskDuration). The server
 * counts what it received.
 * @param {{ messages: number }} options
 */
export async function flushBench({ messages }) {
  return withChromium('drop', async ({ browser, pages, wsUrl, server }) => {
    const page = await browser.newPage();
    await page.goto(`${pages}flush.html?ws=${encodeURIComponent(wsUrl)}`, { timeout: 15_000 });
    await page.waitForFunction(() => /** @type {any} */ (window).ready === true, null, { timeout: 15_000 });
    const cdp = await page.context().newCDPSession(page);
    /** @type {{ name: string, ts: number, tts?: number }[]} */
    const marks = [];
    cdp.on('Tracing.dataCollected', (e) => {
      for (const ev of /** @type {any[]} */ (e.value)) if (ev.name === 'flush-task-start' || ev.name === 'flush-task-end') marks.push(ev);
    });
    const traced = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
    await cdp.send('Performance.enable');
    const busy = async () => /** @type {{ name: string, value: number }[]} */ ((await cdp.send('Performance.getMetrics')).metrics).find((m) => m.name === 'TaskDuration')?.value ?? NaN;
    const queued = await page.evaluate((n) => /** @type {number} */ (/** @type {any} */ (window).queue(n)), messages);
    if (queued !== messages) throw new Error(`the SDK queued ${queued} of ${messages} messages`);
    const busyBefore = await busy();
    await cdp.send('Tracing.start', { traceConfig: { includedCategories: ['blink.user_timing'] }, transferMode: 'ReportEvents' });
    const tasks = /** @type {{ ms: number, sends: number, start: number }[]} */ (await page.evaluate(() => /** @type {any} */ (window).flush()));
    await cdp.send('Tracing.end');
    await traced;
    const busyMs = ((await busy()) - busyBefore) * 1000;
    const deadline = Date.now() + 60_000;
    while ((await server.request('received')) < messages) {
      if (Date.now() > deadline) throw new Error(`the server got ${await server.request('received')} of ${messages} flushed messages`);
      await sleep(50);
    }
    await page.close();
    const sent = tasks.reduce((a, t) => a + t.sends, 0);
    if (sent !== messages) throw new Error(`the flush sent ${sent} of ${messages} messages`);
    marks.sort((a, b) => a.ts - b.ts);
    /** @type {number[]} */
    const cpuMs = [];
    for (let i = 0; i + 1 < marks.length; i += 2) {
      const [start, end] = [marks[i], marks[i + 1]];
      if (start.name !== 'flush-task-start' || end.name !== 'flush-task-end' || start.tts === undefined || end.tts === undefined) break;
      cpuMs.push((end.tts - start.tts) / 1000);
    }
    if (cpuMs.length !== tasks.length) throw new Error(`the trace gave the CPU time of ${cpuMs.length} of the ${tasks.length} flush tasks`);
    const last = tasks[tasks.length - 1];
    return {
      messages,
      tasks: tasks.length,
      maxSendsPerTask: Math.max(...tasks.map((t) => t.sends)),
      longestCpuMs: Math.max(...cpuMs),
      longestWallMs: Math.max(...tasks.map((t) => t.ms)),
      totalBlockingMs: tasks.reduce((a, t) => a + Math.max(0, t.ms - 50), 0),
      cpuMs: cpuMs.reduce((a, ms) => a + ms, 0),
      // All main-thread work meanwhile (CDP TaskDuration): the flush's tasks and what Chromium does for the sends.
      mainThreadBusyMs: busyMs,
      elapsedMs: last.start + last.ms - tasks[0].start,
    };
  });
}
