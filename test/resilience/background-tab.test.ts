import type { BrowserContext, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { browserSuiteMode, useServerAndBrowser } from '../helpers/browser';
import { createTestServer, type TestServer } from '../server/index.mjs';

const mode = browserSuiteMode();

type Log = { messages: string[]; errors: string[]; opens: number; states: string[]; visibility: string[]; pongs: number; waits: number[] };

/**
 * Headless Chromium reports every page visible whatever is in front: a second tab brought to the
 * front, a minimized window and a background target all leave `document.visibilityState` at
 * "visible" (checked on Chromium 156; playwright#2286). So the page emulates a background tab the
 * way Chrome treats one: `visibilityState` is "hidden" and `visibilitychange` fires; interval
 * timers do not run at all (intensive throttling delays them by a minute); timeouts wait at least
 * 1 s (basic background throttling); network events keep arriving on time.
 */
const BACKGROUND_TAB_EMULATION = `
  const realSetInterval = window.setInterval;
  const realSetTimeout = window.setTimeout;
  let hidden = false;
  window.setInterval = (fn, ms, ...args) => realSetInterval(() => { if (!hidden) fn(...args); }, ms);
  window.setTimeout = (fn, ms, ...args) => realSetTimeout(fn, hidden ? Math.max(1000, ms || 0) : ms, ...args);
  Object.defineProperty(document, 'visibilityState', { get: () => (hidden ? 'hidden' : 'visible') });
  Object.defineProperty(document, 'hidden', { get: () => hidden });
  window.setHidden = (h) => { hidden = h; document.dispatchEvent(new Event('visibilitychange')); };
`;

describe.runIf(mode !== 'skip')('fault: a background tab in Chromium', () => {
  const ctx = useServerAndBrowser();
  let context: BrowserContext | undefined;
  let wsServer: TestServer | undefined;
  afterEach(async () => {
    await context?.close();
    await wsServer?.close();
    wsServer = undefined;
  });

  /** A page of the test server running the built SDK with `options` (a JS object literal). */
  async function openPage(options: string): Promise<{ page: Page; log: () => Promise<Log>; setHidden: (h: boolean) => Promise<void> }> {
    context = await ctx.browser.newContext();
    const page = await context.newPage();
    page.on('pageerror', (err) => console.error('page error:', err));
    await page.goto(ctx.server.url);
    await page.addScriptTag({
      type: 'module',
      content: `${BACKGROUND_TAB_EMULATION}
        const { WebConnectionWebSocket, liveness, networkSignals } = await import('/dist/webconnection-websocket.min.js');
        window.log = { messages: [], errors: [], opens: 0, states: [], visibility: [], pongs: 0, waits: [] };
        const signals = networkSignals();
        // The network feature, with every backoff wait recorded as it begins.
        const network = { wait: (ms) => (window.log.waits.push(ms), signals.wait(ms)) };
        const socket = new WebConnectionWebSocket({ network, ...${options} });
        socket.on('pong', () => window.log.pongs++);
        document.addEventListener('visibilitychange', () => window.log.visibility.push(document.visibilityState));
        socket.onMessageHandler = (m) => window.log.messages.push(m.message);
        socket.onErrorHandler = (e) => window.log.errors.push(e.message);
        socket.onOpenHandler = () => window.log.opens++;
        socket.onStateChange = (s) => window.log.states.push(s.state);
        socket.tryConnect(true, 'bg', 'hidden-user');`,
    });
    await page.waitForFunction(() => (window as unknown as { log?: Log }).log?.opens === 1, null, { timeout: 5000 });
    return {
      page,
      log: () => page.evaluate(() => (window as unknown as { log: Log }).log),
      setHidden: async (h) => {
        await page.evaluate((x) => (window as unknown as { setHidden(h: boolean): void }).setHidden(x), h);
        expect(await page.evaluate(() => document.visibilityState)).toBe(h ? 'hidden' : 'visible');
      },
    };
  }

  const broadcast = async (server: TestServer, message: string) => {
    const res = await fetch(new URL('__broadcastWebSocket.wc', server.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'news', message, recipients: [{ type: 'group', value: 'bg' }] }),
    });
    return ((await res.json()) as { delivered: number }).delivered;
  };

  it('a page hidden for longer than the heartbeat interval keeps its link and gets what was sent meanwhile', { timeout: 30_000 }, async () => {
    const { page, log, setHidden } = await openPage('{ liveness: liveness({ heartbeat: { interval: 1000, timeout: 2000 } }) }');
    await setHidden(true);
    // The scenario itself: time passes while hidden, longer than interval + timeout.
    await new Promise((r) => setTimeout(r, 3500));
    expect(await broadcast(ctx.server, 'sent while hidden')).toBe(1);
    // Network events arrive while hidden.
    await page.waitForFunction(() => (window as unknown as { log: Log }).log.messages.includes('sent while hidden'), null, { timeout: 5000 });

    await setHidden(false);
    const seen = await log();
    expect(seen.visibility).toEqual(['hidden', 'visible']);
    expect(seen.errors).toEqual([]); // no false "went silent": the server answered the pings
    expect(seen.opens).toBe(1); // the same link all along
    // Back in front, the heartbeat resumes at once: a ping goes out and its pong keeps the link.
    const pongs = seen.pongs;
    await page.waitForFunction((before) => (window as unknown as { log: Log }).log.pongs > before, pongs, { timeout: 5000 });
    expect(await log()).toMatchObject({ errors: [], opens: 1, states: ['connecting', 'open'] });
    await page.close();
  });

  it('a page whose link dropped while hidden reconnects as soon as it is shown, not when its long backoff ends', { timeout: 30_000 }, async () => {
    // The WebSocket server is a second one, so the test can restart it; the page comes from ctx.server.
    wsServer = await createTestServer({ static: false });
    const port = wsServer.port;
    const { page, log, setHidden } = await openPage(
      `{ url: '${wsServer.wsUrl}', liveness: liveness({ heartbeat: { interval: 1000, timeout: 2000 } }), reconnect: { retryDelay: () => 60000 } }`,
    );
    await setHidden(true);
    await wsServer.close(); // 1001 going away
    wsServer = await createTestServer({ static: false, port });
    await page.waitForFunction(() => (window as unknown as { log: Log }).log.states.at(-1) === 'reconnecting', null, { timeout: 5000 });
    // The throttled timers have run: the 60 s wait is under way, and no attempt has been made.
    await page.waitForFunction(() => (window as unknown as { log: Log }).log.waits.includes(60000), null, { timeout: 10_000 });
    expect(wsServer.clients()).toHaveLength(0);

    const shownAt = Date.now();
    await setHidden(false);
    await page.waitForFunction(() => (window as unknown as { log: Log }).log.opens === 2, null, { timeout: 5000 });
    const backAfter = Date.now() - shownAt;
    console.log(`background tab: link dropped while hidden, open again ${backAfter} ms after the page was shown (retry delay 60 s)`);
    expect(backAfter).toBeLessThan(2000);
    expect(await broadcast(wsServer, 'after the drop')).toBe(1);
    await page.waitForFunction(() => (window as unknown as { log: Log }).log.messages.includes('after the drop'), null, { timeout: 5000 });
    expect((await log()).errors).toEqual([]);
    await page.close();
  });
});
