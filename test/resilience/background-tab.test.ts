import { afterEach, expect, it } from 'vitest';
import { addModuleScript, describeInEngines, useServerAndEngine, waitInPage, type EnginePage } from '../helpers/browser';
import type { EngineContext } from '../helpers/engines';
import { startTestServer, type TestServer } from '../helpers/test-server';

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

/**
 * Chromium only: the emulation stands for Chrome's own throttling policy, and it is the headless
 * Chromium that cannot show a page hidden. Firefox and WebKit hide a background tab for real.
 */
describeInEngines('fault: a background tab, emulated (Chromium only)', (engine) => {
  const ctx = useServerAndEngine(engine);
  let context: EngineContext | undefined;
  let wsServer: TestServer | undefined;
  afterEach(async () => {
    await context?.close();
    await wsServer?.close();
    wsServer = undefined;
  });

  /** A page of the test server running the built SDK with `options` (a JS object literal). */
  async function openPage(options: string): Promise<{ page: EnginePage; log: () => Promise<Log>; setHidden: (h: boolean) => Promise<void> }> {
    context = await ctx.engine.newContext();
    const page = await context.newPage();
    await page.goto(`${ctx.server.url}sdk-page/`);
    await addModuleScript(
      page,
      `${BACKGROUND_TAB_EMULATION}
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
    );
    await waitInPage(page, 'the link open', 5000, () => (window as unknown as { log?: Log }).log?.opens === 1);
    return {
      page,
      log: () => page.evaluate(() => (window as unknown as { log: Log }).log),
      setHidden: async (h) => {
        await page.evaluate((x: boolean) => (window as unknown as { setHidden(h: boolean): void }).setHidden(x), h);
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
    await waitInPage(page, 'the message sent while hidden', 5000, () => (window as unknown as { log: Log }).log.messages.includes('sent while hidden'));

    await setHidden(false);
    const seen = await log();
    expect(seen.visibility).toEqual(['hidden', 'visible']);
    expect(seen.errors).toEqual([]); // no false "went silent": the server answered the pings
    expect(seen.opens).toBe(1); // the same link all along
    // Back in front, the heartbeat resumes at once: a ping goes out and its pong keeps the link.
    await waitInPage(page, 'a pong after the page was shown', 5000, (before) => (window as unknown as { log: Log }).log.pongs > before, seen.pongs);
    expect(await log()).toMatchObject({ errors: [], opens: 1, states: ['connecting', 'open'] });
    await page.close();
  });

  it('a page whose link dropped while hidden reconnects as soon as it is shown, not when its long backoff ends', { timeout: 30_000 }, async () => {
    // The WebSocket server is a second one, so the test can restart it; the page comes from ctx.server.
    wsServer = await startTestServer({ static: false });
    const port = wsServer.port;
    const { page, log, setHidden } = await openPage(
      `{ url: '${wsServer.wsUrl}', liveness: liveness({ heartbeat: { interval: 1000, timeout: 2000 } }), reconnect: { retryDelay: () => 60000 } }`,
    );
    await setHidden(true);
    await wsServer.close(); // 1001 going away
    wsServer = await startTestServer({ static: false, port });
    await waitInPage(page, 'state reconnecting', 5000, () => (window as unknown as { log: Log }).log.states.at(-1) === 'reconnecting');
    // The throttled timers have run: the 60 s wait is under way, and no attempt has been made.
    await waitInPage(page, 'the 60 s wait under way', 10_000, () => (window as unknown as { log: Log }).log.waits.includes(60000));
    expect(wsServer.clients()).toHaveLength(0);

    const shownAt = Date.now();
    await setHidden(false);
    await waitInPage(page, 'the link open again', 5000, () => (window as unknown as { log: Log }).log.opens === 2);
    const backAfter = Date.now() - shownAt;
    console.log(`background tab: link dropped while hidden, open again ${backAfter} ms after the page was shown (retry delay 60 s)`);
    expect(backAfter).toBeLessThan(2000);
    expect(await broadcast(wsServer, 'after the drop')).toBe(1);
    await waitInPage(page, 'the message after the drop', 5000, () => (window as unknown as { log: Log }).log.messages.includes('after the drop'));
    expect((await log()).errors).toEqual([]);
    await page.close();
  });
}, ['chromium']);
