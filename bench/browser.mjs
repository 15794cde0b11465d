// @ts-check
/**
 * Browser: a page in headless Chromium receives N messages; main-thread time per message (CDP
 * TaskDuration delta over the run), for this SDK and for a bare WebSocket + JSON.parse page.
 */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { createTestServer, defaultOnWebSocket } from '../test/server/server.mjs';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Page scripts: connect, ask the server for `count` messages, record when all arrived. */
const SDK_PAGE = (/** @type {number} */ count) => `
  import('/dist/webconnection-websocket.min.js').then(({ WebConnectionWebSocket }) => {
    const socket = new WebConnectionWebSocket();
    let got = 0;
    socket.onMessageHandler = (m) => { if (m.action === 'flood' && ++got === ${count}) window.done = true; };
    socket.onOpenHandler = () => { window.ready = true; };
    window.go = () => socket.send(socket.createBroadcastMessage('flood', '${count}'));
    socket.tryConnect();
  });`;
const BARE_PAGE = (/** @type {number} */ count) => `
  const ws = new WebSocket(new URL('__initializeSocket.wc', location.href).href.replace(/^http/, 'ws'));
  let got = 0;
  ws.onmessage = (e) => { const m = JSON.parse(e.data); if (m.action === 'flood' && ++got === ${count}) window.done = true; };
  ws.onopen = () => { window.ready = true; };
  window.go = () => ws.send(JSON.stringify({ action: 'flood', message: '${count}', groupId: '', userId: '', recipients: [] }));`;

/**
 * @param {number} count
 * @returns {Promise<{ messages: number, sdkUsPerMessage: number, bareUsPerMessage: number, ratio: number } | { skipped: string }>}
 */
export async function browserBench(count) {
  if (!existsSync(CHROMIUM)) return { skipped: `no Chromium at ${CHROMIUM} (apt-get install -y chromium)` };
  const server = await createTestServer({
    rateLimit: false,
    onWebSocket(msg, ctx) {
      if (msg.action !== 'flood') return defaultOnWebSocket(msg, ctx);
      for (let i = 0; i < Number(msg.message); i++) ctx.reply({ action: 'flood', message: `message ${i} of a flood` });
    },
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  try {
    /** @param {string} script */
    const run = async (script) => {
      const page = await browser.newPage();
      await page.goto(server.url);
      await page.addScriptTag({ type: 'module', content: script });
      await page.waitForFunction(() => /** @type {any} */ (window).ready === true, null, { timeout: 10_000 });
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Performance.enable');
      /** @returns {Promise<number>} seconds of main-thread task time so far */
      const taskSeconds = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')?.value ?? NaN;
      const before = await taskSeconds();
      await page.evaluate(() => /** @type {any} */ (window).go());
      await page.waitForFunction(() => /** @type {any} */ (window).done === true, null, { timeout: 60_000, polling: 50 });
      const after = await taskSeconds();
      await page.close();
      return ((after - before) * 1e6) / count; // µs per message
    };
    const sdk = [];
    const bare = [];
    for (let i = 0; i < 2; i++) {
      sdk.push(await run(SDK_PAGE(count)));
      bare.push(await run(BARE_PAGE(count)));
    }
    const best = (/** @type {number[]} */ xs) => Math.min(...xs);
    return { messages: count, sdkUsPerMessage: best(sdk), bareUsPerMessage: best(bare), ratio: best(sdk) / best(bare) };
  } finally {
    await browser.close();
    await server.close();
  }
}
