import { describe, expect, it } from 'vitest';
import { browserSuiteMode, useServerAndBrowser } from '../helpers/browser';

const mode = browserSuiteMode();

describe.runIf(mode !== 'skip')('fault: a background tab in Chromium', () => {
  const ctx = useServerAndBrowser();

  it('a page hidden for longer than the heartbeat interval keeps its link and gets what was sent meanwhile', { timeout: 30_000 }, async () => {
    const context = await ctx.browser.newContext();
    const page = await context.newPage();
    await page.goto(ctx.server.url);
    await page.addScriptTag({
      type: 'module',
      // Headless Chromium always reports its pages visible, so the background tab is emulated the
      // way Chrome's intensive throttling treats it: while hidden, interval timers do not run at
      // all (a minute-late timer in a real tab), while network events keep arriving.
      content: `
        const realSetInterval = window.setInterval;
        let hidden = false;
        window.setInterval = (fn, ms, ...args) => realSetInterval(() => { if (!hidden) fn(...args); }, ms);
        Object.defineProperty(document, 'visibilityState', { get: () => (hidden ? 'hidden' : 'visible') });
        window.setHidden = (h) => { hidden = h; document.dispatchEvent(new Event('visibilitychange')); };
        import('/dist/webconnection-websocket.min.js').then(({ WebConnectionWebSocket }) => {
        const socket = new WebConnectionWebSocket({ heartbeat: { interval: 1000, timeout: 2000 } });
        window.log = { messages: [], errors: [], opens: 0, visibility: [] };
        document.addEventListener('visibilitychange', () => window.log.visibility.push(document.visibilityState));
        socket.onMessageHandler = (m) => window.log.messages.push(m.message);
        socket.onErrorHandler = (e) => window.log.errors.push(e.message);
        socket.onOpenHandler = () => window.log.opens++;
        socket.tryConnect(true, 'bg', 'hidden-user');
        });`,
    });
    type Log = { messages: string[]; errors: string[]; opens: number; visibility: string[] };
    const log = () => page.evaluate(() => (window as unknown as { log: Log }).log);
    await page.waitForFunction(() => (window as unknown as { log?: Log }).log?.opens === 1, null, { timeout: 5000 });

    await page.evaluate(() => (window as unknown as { setHidden(h: boolean): void }).setHidden(true));

    await new Promise((r) => setTimeout(r, 3500)); // longer than interval + timeout
    const res = await fetch(new URL('__broadcastWebSocket.wc', ctx.server.url), {
      method: 'POST',
      body: JSON.stringify({ action: 'news', message: 'sent while hidden', recipients: [{ type: 'group', value: 'bg' }] }),
    });
    expect(await res.json()).toEqual({ delivered: 1 });
    await new Promise((r) => setTimeout(r, 500));

    await page.evaluate(() => (window as unknown as { setHidden(h: boolean): void }).setHidden(false));
    await page.waitForFunction(() => (window as unknown as { log: Log }).log.messages.includes('sent while hidden'), null, { timeout: 5000 });
    const seen = await log();
    expect(seen.visibility).toContain('hidden');
    expect(seen.errors).toEqual([]); // no false "went silent": the server answered the pings
    expect(seen.opens).toBe(1); // the same link all along
    // Back in front, the heartbeat resumes at once: a ping goes out and its pong keeps the link.
    await new Promise((r) => setTimeout(r, 2500));
    expect(await log()).toMatchObject({ errors: [], opens: 1 });
    await context.close();
  });
});
